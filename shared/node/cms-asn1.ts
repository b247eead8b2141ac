import forge from 'node-forge';

/**
 * The ASN.1 pieces CMS is built from (RFC 5652, RFC 3161, RFC 5035), for the desk's CAdES
 * signatures and the reference server's time-stamp tokens alike: one OID table, one set of
 * node-forge builders.
 */
export const CMS_OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  timeStampToken: '1.2.840.113549.1.9.16.2.14',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
} as const;

export type Asn1 = forge.asn1.Asn1;

const { asn1 } = forge;
const C = asn1.Class;
const T = asn1.Type;

export const oid = (id: string): Asn1 => asn1.create(C.UNIVERSAL, T.OID, false, asn1.oidToDer(id).getBytes());
export const seq = (items: Asn1[]): Asn1 => asn1.create(C.UNIVERSAL, T.SEQUENCE, true, items);
export const set = (items: Asn1[]): Asn1 => asn1.create(C.UNIVERSAL, T.SET, true, items);
export const octets = (bytes: Buffer): Asn1 => asn1.create(C.UNIVERSAL, T.OCTETSTRING, false, bytes.toString('binary'));
export const int = (n: number): Asn1 => asn1.create(C.UNIVERSAL, T.INTEGER, false, asn1.integerToDer(n).getBytes());
export const nullValue = (): Asn1 => asn1.create(C.UNIVERSAL, T.NULL, false, '');
export const der = (node: Asn1): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
export const fromDer = (bytes: Buffer): Asn1 => asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')));
export const attribute = (type: string, value: Asn1): Asn1 => seq([oid(type), set([value])]);
