import { X509Certificate, createPrivateKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { AppFailure } from '../../../shared/result';
import { openPfxNatively } from './pkcs12-native';

/** What a batch signs with. Lives in main-process memory for one batch only; never written. */
export interface SigningIdentity {
  privateKey: KeyObject;
  certificate: X509Certificate;
  certificateDer: Buffer;
  /** the other certificates the file carries (issuers), as sent in the CMS */
  chain: X509Certificate[];
}

function certificateDer(cert: forge.pki.Certificate): Buffer {
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

const MAC_FAILURE = /MAC could not be verified/i;
const WRONG_PASSWORD = /MAC could not be verified|Invalid password|wrong password/i;

type Asn1 = forge.asn1.Asn1;

const MAC_DIGESTS: Record<string, { create: () => forge.md.MessageDigest; size: number }> = {
  '1.3.14.3.2.26': { create: () => forge.md.sha1.create(), size: 20 },
  '2.16.840.1.101.3.4.2.1': { create: () => forge.md.sha256.create(), size: 32 },
  '2.16.840.1.101.3.4.2.2': { create: () => forge.md.sha384.create(), size: 48 },
  '2.16.840.1.101.3.4.2.3': { create: () => forge.md.sha512.create(), size: 64 },
};

/**
 * The PFX's MacData (RFC 7292 §4) verifies with `passphrase` as a BMPString: the same check
 * node-forge makes, done here so the PBES2 retry below may leave the MAC out safely.
 */
function macVerifies(pfx: Asn1, passphrase: string): boolean {
  try {
    const [, authSafe, macData] = pfx.value as Asn1[];
    const explicit = (authSafe!.value as Asn1[])[1]!;
    const octets = (explicit.value as Asn1[])[0]!;
    // DER writes one OCTET STRING; BER may split it into pieces
    const data = typeof octets.value === 'string' ? octets.value : (octets.value as Asn1[]).map((piece) => piece.value as string).join('');
    const [digestInfo, salt, iterations] = macData!.value as Asn1[];
    const [algorithm, digest] = digestInfo!.value as Asn1[];
    const md = MAC_DIGESTS[forge.asn1.derToOid((algorithm!.value as Asn1[])[0]!.value as string)];
    if (!md) return false;
    const count = iterations ? parseInt(forge.util.bytesToHex(iterations.value as string), 16) : 1;
    if (!(count >= 1)) return false;
    const key = forge.pkcs12.generateKey(passphrase, forge.util.createBuffer(salt!.value as string), 3, count, md.size, md.create());
    const hmac = forge.hmac.create();
    hmac.start(md.create(), key);
    hmac.update(data);
    const expected = Buffer.from(digest!.value as string, 'binary');
    const actual = Buffer.from(hmac.digest().getBytes(), 'binary');
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  } catch {
    return false;
  }
}

/**
 * Decodes a PFX the way OpenSSL 3 encodes its passphrase, which depends on the algorithm:
 * - the MAC and the PKCS#12 v1 PBE schemes (legacy 3DES, RC2) derive keys from the passphrase
 *   as a BMPString (UTF-16BE, RFC 7292 Appendix B.1): node-forge does the same with the JS
 *   string's char codes;
 * - PBES2/PBKDF2 (RFC 8018: OpenSSL 3's default AES-256) takes the passphrase's bytes, which
 *   OpenSSL gets as UTF-8; node-forge uses the JS string as a binary string, which for
 *   characters beyond U+007F is not those bytes.
 * So a non-ASCII passphrase is tried as given first (MAC and legacy bags); when the bags would
 * not decrypt but the MAC verifies with the BMPString, the PBES2 bags are decrypted with the
 * UTF-8 bytes, the MAC (already verified) left out of that second pass. A file mixing both
 * schemes under a non-ASCII passphrase stays unreadable (OpenSSL never writes one by default).
 */
function decodePfx(der: Buffer, passphrase: string): forge.pkcs12.Pkcs12Pfx {
  const asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  try {
    return forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase);
  } catch (error) {
    const utf8 = forge.util.encodeUtf8(passphrase);
    if (utf8 === passphrase || MAC_FAILURE.test((error as Error).message ?? '')) throw error;
    // the second pass leaves the MAC out, so it runs only once the MAC is known to verify
    if (!macVerifies(asn1, passphrase)) throw error;
    const withoutMac = forge.asn1.create(asn1.tagClass, asn1.type, asn1.constructed, (asn1.value as Asn1[]).slice(0, 2));
    try {
      return forge.pkcs12.pkcs12FromAsn1(withoutMac, false, utf8);
    } catch {
      throw error;
    }
  }
}

/**
 * Opens a .p12/.pfx with its passphrase: both OpenSSL 3's default (AES-256, PBKDF2) and the
 * legacy 3DES form, with any Unicode passphrase as `openssl pkcs12` takes it. The signer's
 * certificate is the one whose public key matches the private key, wherever it stands in the file.
 */
export function loadSigningIdentity(p12: Uint8Array, passphrase: string): SigningIdentity {
  return identityOpenedNatively(Buffer.from(p12), passphrase) ?? identityOpenedByForge(p12, passphrase);
}

/** The common .p12 opened with Node's crypto (pkcs12-native.ts); null when forge must open it. */
function identityOpenedNatively(p12: Buffer, passphrase: string): SigningIdentity | null {
  const opened = openPfxNatively(p12, passphrase);
  if (!opened) return null;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: opened.privateKeyPkcs8, format: 'der', type: 'pkcs8' });
  } catch {
    return null;
  } finally {
    // the key lives on only in the KeyObject
    opened.privateKeyPkcs8.fill(0);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') return null;
  const certificates = opened.certificates.map((der) => ({ der, x509: new X509Certificate(der) }));
  const signer = certificates.find((c) => c.x509.publicKey.asymmetricKeyType === 'rsa' && c.x509.checkPrivateKey(privateKey));
  if (!signer) return null;
  return {
    privateKey,
    certificate: signer.x509,
    certificateDer: signer.der,
    chain: certificates.filter((c) => c !== signer).map((c) => c.x509),
  };
}

function identityOpenedByForge(p12: Uint8Array, passphrase: string): SigningIdentity {
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    parsed = decodePfx(Buffer.from(p12), passphrase);
  } catch (error) {
    const message = (error as Error).message ?? '';
    if (WRONG_PASSWORD.test(message)) {
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
    chain: certs.filter((c) => c !== signer).map((c) => new X509Certificate(certificateDer(c))),
  };
}
