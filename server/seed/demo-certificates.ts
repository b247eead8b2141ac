import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface DemoSigningCertificates {
  caPem: string;
  p12: Buffer;
  passphrase: string;
}

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  };
}

/**
 * A demo certification authority and the Kepala Dinas's PKCS#12, so the demo office can sign
 * on a machine without the real BSrE certificate. Never used outside the demo database.
 */
export function makeDemoSigningCertificates(headName: string, passphrase = 'kadis-demo'): DemoSigningCertificates {
  const caKeys = keyPair();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = `01${randomBytes(8).toString('hex')}`;
  ca.validity.notBefore = new Date(Date.now() - 86_400_000);
  ca.validity.notAfter = new Date(Date.now() + 10 * 365 * 86_400_000);
  const caName = [
    { shortName: 'C', value: 'ID' },
    { shortName: 'O', value: 'Meja Izin Demo' },
    { shortName: 'CN', value: 'Meja Izin Demo Root CA (bukan BSrE)' },
  ];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const signerKeys = keyPair();
  const signer = forge.pki.createCertificate();
  signer.publicKey = signerKeys.publicKey;
  signer.serialNumber = `02${randomBytes(8).toString('hex')}`;
  signer.validity.notBefore = new Date(Date.now() - 86_400_000);
  signer.validity.notAfter = new Date(Date.now() + 2 * 365 * 86_400_000);
  signer.setSubject([
    { shortName: 'C', value: 'ID' },
    { shortName: 'O', value: 'DPMPTSP Kota Metro' },
    { shortName: 'CN', value: headName },
  ]);
  signer.setIssuer(caName);
  signer.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
  ]);
  signer.sign(caKeys.privateKey, forge.md.sha256.create());

  const p12 = forge.pkcs12.toPkcs12Asn1(signerKeys.privateKey, [signer, ca], passphrase, { algorithm: 'aes256', friendlyName: 'Kepala Dinas' });
  return { caPem: forge.pki.certificateToPem(ca), p12: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'), passphrase };
}
