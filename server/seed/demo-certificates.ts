import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { DEMO_HEAD_CERTIFICATE_SERIAL } from './demo-configuration';

export interface DemoSigningCertificates {
  caPem: string;
  p12: Buffer;
  passphrase: string;
  /** the demo CA's CRL (DER): empty, signed, valid ~30 days; publish it at `crlUrl` */
  crlDer: Buffer;
  /** the PKCS#12 of each of `options.otherSigners`, in order, under the same passphrase and CA */
  otherP12s: Buffer[];
  /** the head's public certificate (PEM), as the office registers it (signer binding certificatePem) */
  certificatePem: string;
  /** the public certificate of each of `options.otherSigners`, in order */
  otherCertificatePems: string[];
}

/** The signer's public certificate (PEM) out of a demo PKCS#12, for an office to register. */
export function demoCertificatePem(p12: Buffer, passphrase: string): string {
  const parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), passphrase);
  const bags = parsed.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  const leaf = bags.map((b) => b.cert).find((c) => c && !c.extensions.some((e) => e.name === 'basicConstraints' && e.cA));
  if (!leaf) throw new Error('the demo PKCS#12 holds no signer certificate');
  return forge.pki.certificateToPem(leaf);
}

/** A further head of office the demo CA certifies (another office on the same server). */
export interface DemoSigner {
  name: string;
  subjectSerialNumber: string;
  /** the subject's O: "DPMPTSP Kota Pekanbaru" */
  organization: string;
}

export interface DemoSigningOptions {
  /** where the demo CA's CRL will be served; the signer's certificate names it (CRL distribution point) */
  crlUrl?: string;
  /** the subject's serialNumber (the head's NIP), which binds the certificate to the official */
  subjectSerialNumber?: string;
  /** heads of other demo offices, each given a certificate of their own by the same CA */
  otherSigners?: DemoSigner[];
}

const DAY = 86_400_000;
const CRL_VALIDITY_DAYS = 30;
const ID_KP_DOCUMENT_SIGNING = '1.3.6.1.5.5.7.3.36';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    nodePrivateKey: privateKey,
    privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  };
}

const { Class, Type } = forge.asn1;
const der = (node: forge.asn1.Asn1) => forge.asn1.toDer(node).getBytes();
const seq = (items: forge.asn1.Asn1[]) => forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
const oid = (id: string) => forge.asn1.create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(id).getBytes());
const integer = (n: number) => forge.asn1.create(Class.UNIVERSAL, Type.INTEGER, false, forge.asn1.integerToDer(n).getBytes());
const utcTime = (d: Date) => forge.asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, forge.asn1.dateToUtcTime(d));
const octets = (bytes: string) => forge.asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes);
const extension = (id: string, value: forge.asn1.Asn1) => seq([oid(id), octets(der(value))]);

/**
 * An empty v2 CRL (RFC 5280 §5) of `ca`, with the authorityKeyIdentifier and cRLNumber a
 * conforming CRL carries, signed with Node's crypto (sha256WithRSAEncryption).
 */
function makeEmptyCrl(ca: forge.pki.Certificate, caKey: KeyObject, now: Date): Buffer {
  const sha256WithRsa = seq([oid(forge.pki.oids.sha256WithRSAEncryption!), forge.asn1.create(Class.UNIVERSAL, Type.NULL, false, '')]);
  const authorityKeyId = seq([forge.asn1.create(Class.CONTEXT_SPECIFIC, 0, false, ca.generateSubjectKeyIdentifier().getBytes())]);
  const tbs = seq([
    integer(1), // v2
    sha256WithRsa,
    forge.pki.distinguishedNameToAsn1(ca.subject),
    utcTime(now),
    utcTime(new Date(now.getTime() + CRL_VALIDITY_DAYS * DAY)),
    forge.asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [
      seq([extension('2.5.29.35', authorityKeyId), extension('2.5.29.20', integer(1))]),
    ]),
  ]);
  const tbsDer = Buffer.from(der(tbs), 'binary');
  const signature = sign('sha256', tbsDer, caKey);
  const bitString = forge.asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, `\u0000${signature.toString('binary')}`);
  return Buffer.from(der(seq([tbs, sha256WithRsa, bitString])), 'binary');
}

/**
 * A demo certification authority and the (Metro) Kepala Dinas's PKCS#12, and those of other
 * demo offices' heads when asked, so the demo offices can sign on a machine without the real
 * BSrE certificate, and the CA's (empty) CRL to publish at
 * `options.crlUrl`. Never used outside the demo database.
 */
export function makeDemoSigningCertificates(headName: string, passphrase = 'kadis-demo', options: DemoSigningOptions = {}): DemoSigningCertificates {
  const now = new Date();
  const caKeys = keyPair();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = `01${randomBytes(8).toString('hex')}`;
  ca.validity.notBefore = new Date(now.getTime() - DAY);
  ca.validity.notAfter = new Date(now.getTime() + 10 * 365 * DAY);
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
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const signerP12 = (signer: DemoSigner) => {
    const signerKeys = keyPair();
    const certificate = forge.pki.createCertificate();
    certificate.publicKey = signerKeys.publicKey;
    certificate.serialNumber = `02${randomBytes(8).toString('hex')}`;
    certificate.validity.notBefore = new Date(now.getTime() - DAY);
    certificate.validity.notAfter = new Date(now.getTime() + 2 * 365 * DAY);
    certificate.setSubject([
      { shortName: 'C', value: 'ID' },
      { shortName: 'O', value: signer.organization },
      { shortName: 'CN', value: signer.name },
      { name: 'serialNumber', value: signer.subjectSerialNumber },
    ]);
    certificate.setIssuer(caName);
    certificate.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
      { name: 'extKeyUsage', emailProtection: true, [ID_KP_DOCUMENT_SIGNING]: true },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
      ...(options.crlUrl ? [{ name: 'cRLDistributionPoints', altNames: [{ type: 6, value: options.crlUrl }] }] : []),
    ]);
    certificate.sign(caKeys.privateKey, forge.md.sha256.create());
    const p12 = forge.pkcs12.toPkcs12Asn1(signerKeys.privateKey, [certificate, ca], passphrase, { algorithm: 'aes256', friendlyName: 'Kepala Dinas' });
    return { p12: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'), pem: forge.pki.certificateToPem(certificate) };
  };

  const head = signerP12({ name: headName, subjectSerialNumber: options.subjectSerialNumber ?? DEMO_HEAD_CERTIFICATE_SERIAL, organization: 'DPMPTSP Kota Metro' });
  const others = (options.otherSigners ?? []).map(signerP12);
  return {
    caPem: forge.pki.certificateToPem(ca),
    p12: head.p12,
    passphrase,
    crlDer: makeEmptyCrl(ca, caKeys.nodePrivateKey, now),
    otherP12s: others.map((o) => o.p12),
    certificatePem: head.pem,
    otherCertificatePems: others.map((o) => o.pem),
  };
}
