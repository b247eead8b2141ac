import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { AppFailure } from '../../../shared/result';

/** What a batch signs with. Lives in main-process memory for one batch only; never written. */
export interface SigningIdentity {
  privateKey: KeyObject;
  certificate: X509Certificate;
  certificateDer: Buffer;
  /** the signer's forge view, for key usage and the issuer/serial structures of CMS */
  forgeCertificate: forge.pki.Certificate;
  /** the other certificates the file carries (issuers), as sent in the CMS */
  chain: X509Certificate[];
}

/** The CN of a certificate's subject as people read it (Node escapes `,` and other RFC 4514 specials). */
export function subjectCommonName(certificate: X509Certificate): string | null {
  const line = certificate.subject.split('\n').find((l) => l.startsWith('CN='));
  return line ? line.slice(3).replace(/\\(.)/g, '$1') : null;
}

function certificateDer(cert: forge.pki.Certificate): Buffer {
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

/**
 * Opens a .p12/.pfx with its passphrase: both OpenSSL 3's default (AES-256, PBKDF2) and the
 * legacy 3DES form. The signer's certificate is the one whose public key matches the private
 * key, wherever it stands in the file.
 */
export function loadSigningIdentity(p12: Uint8Array, passphrase: string): SigningIdentity {
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(p12).toString('binary')));
    parsed = forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase);
  } catch (error) {
    const message = (error as Error).message ?? '';
    if (/MAC could not be verified|Invalid password|wrong password/i.test(message)) {
      throw new AppFailure('P12_WRONG_PASSPHRASE', 'the passphrase does not open this certificate file');
    }
    throw new AppFailure('P12_CORRUPT', `the certificate file cannot be read: ${message.slice(0, 120)}`);
  }
  const keyBags = [
    ...(parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(parsed.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? []),
  ];
  const certBags = parsed.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  if (keyBags.length === 0) throw new AppFailure('P12_CORRUPT', 'the certificate file holds no private key');
  const key = keyBags[0]!.key as forge.pki.rsa.PrivateKey | null | undefined;
  if (!key) throw new AppFailure('CERT_NOT_RSA', 'the private key is not an RSA key');
  const certs = certBags.map((b) => b.cert).filter((c): c is forge.pki.Certificate => Boolean(c));
  const signer = certs.find((c) => {
    const pub = c.publicKey as forge.pki.rsa.PublicKey;
    return pub.n !== undefined && pub.n.equals(key.n) && pub.e.equals(key.e);
  });
  if (!signer) {
    if (certBags.some((b) => !b.cert)) throw new AppFailure('CERT_NOT_RSA', 'the certificate does not carry an RSA key');
    throw new AppFailure('P12_CORRUPT', 'no certificate in the file matches its private key');
  }
  const privateKey = createPrivateKey({ key: forge.pki.privateKeyToPem(key), format: 'pem' });
  const signerDer = certificateDer(signer);
  return {
    privateKey,
    certificate: new X509Certificate(signerDer),
    certificateDer: signerDer,
    forgeCertificate: signer,
    chain: certs.filter((c) => c !== signer).map((c) => new X509Certificate(certificateDer(c))),
  };
}
