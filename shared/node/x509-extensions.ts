/**
 * A small DER reader for the parts of X.509 certificates and CRLs (RFC 5280) that path
 * validation needs and Node's X509Certificate does not expose: basicConstraints' pathLen,
 * keyUsage bits, extendedKeyUsage OIDs, the signature algorithm, CRL distribution points,
 * the OCSP responders of authorityInfoAccess, and critical extensions. It reads every key type
 * (node-forge's certificate parser refuses non-RSA keys) and keeps byte offsets, so signed
 * structures (a CRL's TBSCertList) can be verified over their exact bytes.
 */

export interface DerNode {
  /** the first identifier octet: class bits, the constructed bit and the tag number (< 31) */
  tag: number;
  constructed: boolean;
  /** the whole TLV */
  bytes: Buffer;
  /** the value octets */
  content: Buffer;
}

const CONSTRUCTED = 0x20;

export function readDer(buffer: Buffer, offset = 0): { node: DerNode; next: number } {
  if (offset + 2 > buffer.length) throw new Error('DER: truncated header');
  const tag = buffer[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: high tag numbers are not supported');
  let length = buffer[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4) throw new Error('DER: indefinite or oversized length');
    if (offset + 2 + octets > buffer.length) throw new Error('DER: truncated length');
    length = 0;
    for (let i = 0; i < octets; i += 1) length = length * 256 + buffer[offset + 2 + i]!;
    header += octets;
  }
  const end = offset + header + length;
  if (end > buffer.length) throw new Error('DER: value runs past the end');
  return {
    node: { tag, constructed: (tag & CONSTRUCTED) !== 0, bytes: buffer.subarray(offset, end), content: buffer.subarray(offset + header, end) },
    next: end,
  };
}

/** the single TLV that makes up `buffer` (trailing bytes refused) */
export function parseDer(buffer: Buffer): DerNode {
  const { node, next } = readDer(buffer, 0);
  if (next !== buffer.length) throw new Error('DER: trailing bytes');
  return node;
}

export function derChildren(node: DerNode): DerNode[] {
  if (!node.constructed) throw new Error('DER: expected a constructed value');
  const children: DerNode[] = [];
  let offset = 0;
  while (offset < node.content.length) {
    const { node: child, next } = readDer(node.content, offset);
    children.push(child);
    offset = next;
  }
  return children;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** context-specific tag `n`, constructed or primitive (implicitly tagged) */
export function contextTag(n: number, constructed: boolean): number {
  return 0x80 | (constructed ? CONSTRUCTED : 0) | n;
}

function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node || node.tag !== tag) throw new Error(`DER: expected ${what}`);
  return node;
}

export function decodeOid(content: Buffer): string {
  if (content.length === 0) throw new Error('DER: empty OID');
  const parts: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  const first = parts.shift()!;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

/** an INTEGER's magnitude as lower-case hex without leading zero octets (serial numbers) */
export function integerHex(content: Buffer): string {
  let start = 0;
  while (start < content.length - 1 && content[start] === 0) start += 1;
  return content.subarray(start).toString('hex');
}

function smallInteger(content: Buffer): number {
  if (content.length > 4 || (content[0]! & 0x80) !== 0) throw new Error('DER: integer out of range');
  let value = 0;
  for (const byte of content) value = value * 256 + byte;
  return value;
}

export function decodeTime(node: DerNode): Date {
  const text = node.content.toString('latin1');
  let match: RegExpExecArray | null;
  if (node.tag === TAG.UTC_TIME) {
    match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!match) throw new Error(`DER: bad UTCTime ${text}`);
    const yy = Number(match[1]);
    return new Date(Date.UTC(yy >= 50 ? 1900 + yy : 2000 + yy, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])));
  }
  if (node.tag === TAG.GENERALIZED_TIME) {
    match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/.exec(text);
    if (!match) throw new Error(`DER: bad GeneralizedTime ${text}`);
    const ms = match[7] ? Math.floor(Number(`0.${match[7]}`) * 1000) : 0;
    return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6]), ms));
  }
  throw new Error('DER: expected a time');
}

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  cRLDistributionPoints: '2.5.29.31',
  freshestCRL: '2.5.29.46',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  policyConstraints: '2.5.29.36',
  nameConstraints: '2.5.29.30',
  inhibitAnyPolicy: '2.5.29.54',
  subjectDirectoryAttributes: '2.5.29.9',
  privateKeyUsagePeriod: '2.5.29.16',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  subjectInfoAccess: '1.3.6.1.5.5.7.1.11',
  qcStatements: '1.3.6.1.5.5.7.1.3',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  ctPrecertificateScts: '1.3.6.1.4.1.11129.2.4.2',
  accessOcsp: '1.3.6.1.5.5.7.48.1',
  // CRL and CRL entry extensions
  cRLNumber: '2.5.29.20',
  deltaCRLIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  certificateIssuer: '2.5.29.29',
  // extended key usages
  ekuServerAuth: '1.3.6.1.5.5.7.3.1',
  ekuClientAuth: '1.3.6.1.5.5.7.3.2',
  ekuEmailProtection: '1.3.6.1.5.5.7.3.4',
  ekuDocumentSigning: '1.3.6.1.5.5.7.3.36',
  ekuAny: '2.5.29.37.0',
  ekuAdobeAuthenticDocuments: '1.2.840.113583.1.1.5',
  ekuMicrosoftDocumentSigning: '1.3.6.1.4.1.311.10.3.12',
} as const;

/** extensions this code understands (or may safely ignore) when they are marked critical */
export const KNOWN_CERTIFICATE_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.cRLDistributionPoints,
  OID.freshestCRL,
  // no user-initial-policy-set: any policy is acceptable, so policies need no processing
  OID.certificatePolicies,
  OID.subjectDirectoryAttributes,
  OID.privateKeyUsagePeriod,
  OID.authorityInfoAccess,
  OID.subjectInfoAccess,
  OID.qcStatements,
  OID.ocspNoCheck,
  OID.ctPrecertificateScts,
]);

export type HashName = 'md2' | 'md4' | 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'sha3-256' | 'sha3-384' | 'sha3-512';

const HASH_OIDS: Record<string, HashName> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.840.113549.2.5': 'md5',
};

/** signature algorithm OID → the hash it signs with (RSA PKCS#1 v1.5, ECDSA, DSA) */
const SIGNATURE_HASHES: Record<string, HashName> = {
  '1.2.840.113549.1.1.2': 'md2',
  '1.2.840.113549.1.1.3': 'md4',
  '1.2.840.113549.1.1.4': 'md5',
  '1.2.840.113549.1.1.5': 'sha1',
  '1.3.14.3.2.29': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '2.16.840.1.101.3.4.3.14': 'sha3-256',
  '2.16.840.1.101.3.4.3.15': 'sha3-384',
  '2.16.840.1.101.3.4.3.16': 'sha3-512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10040.4.3': 'sha1',
  '2.16.840.1.101.3.4.3.2': 'sha256',
};
const RSASSA_PSS = '1.2.840.113549.1.1.10';
const EDDSA = new Set(['1.3.101.112', '1.3.101.113']);

export interface SignatureAlgorithm {
  oid: string;
  /** the hash signed over; null for EdDSA (no separate hash) or an algorithm not known here */
  hash: HashName | null;
  /** RSASSA-PSS (RFC 4055) rather than PKCS#1 v1.5 */
  pss: boolean;
}

export function parseAlgorithmIdentifier(node: DerNode): SignatureAlgorithm {
  const [oidNode, params] = derChildren(expectTag(node, TAG.SEQUENCE, 'AlgorithmIdentifier'));
  const oid = decodeOid(expectTag(oidNode, TAG.OID, 'algorithm OID').content);
  if (oid === RSASSA_PSS) {
    // RSASSA-PSS-params: hashAlgorithm [0] DEFAULT sha1
    let hash: HashName | null = 'sha1';
    if (params && params.tag === TAG.SEQUENCE) {
      const hashField = derChildren(params).find((c) => c.tag === contextTag(0, true));
      if (hashField) {
        const [hashAlg] = derChildren(hashField);
        const [hashOid] = derChildren(expectTag(hashAlg, TAG.SEQUENCE, 'hash AlgorithmIdentifier'));
        hash = HASH_OIDS[decodeOid(expectTag(hashOid, TAG.OID, 'hash OID').content)] ?? null;
      }
    }
    return { oid, hash, pss: true };
  }
  return { oid, hash: EDDSA.has(oid) ? null : (SIGNATURE_HASHES[oid] ?? null), pss: false };
}

export function isWeakHash(hash: HashName | null): boolean {
  return hash === 'md2' || hash === 'md4' || hash === 'md5' || hash === 'sha1';
}

export interface Extension {
  oid: string;
  critical: boolean;
  /** the extnValue OCTET STRING's content: the extension's own DER */
  value: Buffer;
}

export function parseExtensions(node: DerNode): Extension[] {
  return derChildren(expectTag(node, TAG.SEQUENCE, 'Extensions')).map((ext) => {
    const parts = derChildren(expectTag(ext, TAG.SEQUENCE, 'Extension'));
    const oid = decodeOid(expectTag(parts[0], TAG.OID, 'extnID').content);
    let critical = false;
    let index = 1;
    if (parts[1]?.tag === TAG.BOOLEAN) {
      critical = parts[1].content[0] !== 0;
      index = 2;
    }
    return { oid, critical, value: expectTag(parts[index], TAG.OCTET_STRING, 'extnValue').content };
  });
}

export interface KeyUsageFlags {
  digitalSignature: boolean;
  nonRepudiation: boolean;
  keyEncipherment: boolean;
  dataEncipherment: boolean;
  keyAgreement: boolean;
  keyCertSign: boolean;
  cRLSign: boolean;
  encipherOnly: boolean;
  decipherOnly: boolean;
}

const KEY_USAGE_BITS: (keyof KeyUsageFlags)[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

function parseKeyUsage(value: Buffer): KeyUsageFlags {
  const bits = expectTag(parseDer(value), TAG.BIT_STRING, 'KeyUsage BIT STRING').content.subarray(1);
  const flags = {} as KeyUsageFlags;
  KEY_USAGE_BITS.forEach((name, i) => {
    const byte = bits[i >> 3] ?? 0;
    flags[name] = (byte & (0x80 >> (i & 7))) !== 0;
  });
  return flags;
}

function parseBasicConstraints(value: Buffer): { ca: boolean; pathLen: number | null } {
  const parts = derChildren(expectTag(parseDer(value), TAG.SEQUENCE, 'BasicConstraints'));
  let ca = false;
  let pathLen: number | null = null;
  for (const part of parts) {
    if (part.tag === TAG.BOOLEAN) ca = part.content[0] !== 0;
    else if (part.tag === TAG.INTEGER) pathLen = smallInteger(part.content);
  }
  return { ca, pathLen };
}

function parseOidSequence(value: Buffer): string[] {
  return derChildren(expectTag(parseDer(value), TAG.SEQUENCE, 'SEQUENCE OF OID')).map((n) => decodeOid(expectTag(n, TAG.OID, 'OID').content));
}

const URI_TAG = contextTag(6, false);

/** the URIs of a GeneralNames */
function generalNameUris(node: DerNode): string[] {
  return derChildren(node)
    .filter((n) => n.tag === URI_TAG)
    .map((n) => n.content.toString('latin1'));
}

/** CRLDistributionPoints (RFC 5280 §4.2.1.13): the fullName URIs of points without a separate cRLIssuer */
function parseCrlDistributionPoints(value: Buffer): string[] {
  const urls: string[] = [];
  for (const point of derChildren(expectTag(parseDer(value), TAG.SEQUENCE, 'CRLDistributionPoints'))) {
    const fields = derChildren(expectTag(point, TAG.SEQUENCE, 'DistributionPoint'));
    // a CRL issued by someone else (indirect CRL) is not something this code can verify
    if (fields.some((f) => f.tag === contextTag(2, true))) continue;
    const name = fields.find((f) => f.tag === contextTag(0, true));
    if (!name) continue;
    const fullName = derChildren(name).find((f) => f.tag === contextTag(0, true));
    if (fullName) urls.push(...generalNameUris(fullName));
  }
  return urls;
}

function parseAuthorityInfoAccess(value: Buffer): { ocsp: string[] } {
  const ocsp: string[] = [];
  for (const description of derChildren(expectTag(parseDer(value), TAG.SEQUENCE, 'AuthorityInfoAccessSyntax'))) {
    const [method, location] = derChildren(expectTag(description, TAG.SEQUENCE, 'AccessDescription'));
    if (decodeOid(expectTag(method, TAG.OID, 'accessMethod').content) === OID.accessOcsp && location?.tag === URI_TAG) {
      ocsp.push(location.content.toString('latin1'));
    }
  }
  return { ocsp };
}

function parseKeyIdentifier(value: Buffer): string | null {
  const node = parseDer(value);
  if (node.tag === TAG.OCTET_STRING) return node.content.toString('hex');
  if (node.tag === TAG.SEQUENCE) {
    const keyId = derChildren(node).find((c) => c.tag === contextTag(0, false));
    return keyId ? keyId.content.toString('hex') : null;
  }
  return null;
}

export interface CertificateDetails {
  version: number;
  serialHex: string;
  /** from the outer signatureAlgorithm (the one the issuer signed with) */
  signatureAlgorithm: SignatureAlgorithm;
  issuerDer: Buffer;
  subjectDer: Buffer;
  extensions: Extension[];
  /** null when the extension is absent */
  basicConstraints: { ca: boolean; pathLen: number | null } | null;
  keyUsage: KeyUsageFlags | null;
  extendedKeyUsage: string[] | null;
  crlDistributionPoints: string[];
  ocspResponders: string[];
  subjectKeyIdentifier: string | null;
  authorityKeyIdentifier: string | null;
  /** subject and issuer are the same name (RFC 5280's "self-issued") */
  selfIssued: boolean;
}

/** Reads a certificate's DER; throws on malformed input or a malformed extension it interprets. */
export function parseCertificateDetails(der: Buffer): CertificateDetails {
  const [tbs, sigAlg] = derChildren(expectTag(parseDer(der), TAG.SEQUENCE, 'Certificate'));
  const fields = derChildren(expectTag(tbs, TAG.SEQUENCE, 'TBSCertificate'));
  let i = 0;
  let version = 1;
  if (fields[0]?.tag === contextTag(0, true)) {
    version = smallInteger(expectTag(derChildren(fields[0])[0], TAG.INTEGER, 'version').content) + 1;
    i = 1;
  }
  const serial = expectTag(fields[i], TAG.INTEGER, 'serialNumber');
  const issuer = expectTag(fields[i + 2], TAG.SEQUENCE, 'issuer');
  const subject = expectTag(fields[i + 4], TAG.SEQUENCE, 'subject');
  const extensionsField = fields.slice(i + 6).find((f) => f.tag === contextTag(3, true));
  const extensions = extensionsField ? parseExtensions(derChildren(extensionsField)[0]!) : [];
  const find = (oid: string) => extensions.find((e) => e.oid === oid);
  const basic = find(OID.basicConstraints);
  const ku = find(OID.keyUsage);
  const eku = find(OID.extKeyUsage);
  const cdp = find(OID.cRLDistributionPoints);
  const aia = find(OID.authorityInfoAccess);
  const ski = find(OID.subjectKeyIdentifier);
  const aki = find(OID.authorityKeyIdentifier);
  return {
    version,
    serialHex: integerHex(serial.content),
    signatureAlgorithm: parseAlgorithmIdentifier(sigAlg!),
    issuerDer: issuer.bytes,
    subjectDer: subject.bytes,
    extensions,
    basicConstraints: basic ? parseBasicConstraints(basic.value) : null,
    keyUsage: ku ? parseKeyUsage(ku.value) : null,
    extendedKeyUsage: eku ? parseOidSequence(eku.value) : null,
    crlDistributionPoints: cdp ? parseCrlDistributionPoints(cdp.value) : [],
    ocspResponders: aia ? parseAuthorityInfoAccess(aia.value).ocsp : [],
    subjectKeyIdentifier: ski ? parseKeyIdentifier(ski.value) : null,
    authorityKeyIdentifier: aki ? parseKeyIdentifier(aki.value) : null,
    selfIssued: issuer.bytes.equals(subject.bytes),
  };
}
