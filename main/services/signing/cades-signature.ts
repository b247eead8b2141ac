import { createHash, randomBytes, sign as rsaSign } from 'node:crypto';
import forge from 'node-forge';
import { CMS_OID, attribute, der, fromDer, int, nullValue, octets, oid, seq, set, type Asn1 } from '../../../shared/node/cms-asn1';
import type { SigningIdentity } from './pkcs12-identity';

const { asn1 } = forge;
const C = asn1.Class;
const OID = CMS_OID;

/** DER's SET OF wants its elements in ascending order of their encodings. */
function derSetOf(items: Asn1[]): Asn1 {
  const sorted = items.map((item) => ({ item, bytes: der(item) })).sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  return set(sorted.map((s) => s.item));
}

/** The issuer Name and serial number, copied from the certificate's own encoding. */
function issuerAndSerial(certificateDer: Buffer): { issuer: Asn1; serial: Asn1 } {
  const cert = fromDer(certificateDer);
  const tbs = (cert.value as Asn1[])[0]!;
  const fields = tbs.value as Asn1[];
  const offset = fields[0]!.tagClass === C.CONTEXT_SPECIFIC ? 1 : 0;
  return { serial: fields[offset]!, issuer: fields[offset + 2]! };
}

interface SignerStructures {
  issuer: Asn1;
  serial: Asn1;
  essCertIdV2: Asn1;
  certificates: Asn1[];
}

// Parsed once per identity, not per document: a batch signs tens of permits with one certificate.
const structuresOf = new WeakMap<CadesSigner, SignerStructures>();

function signerStructures(identity: CadesSigner): SignerStructures {
  let cached = structuresOf.get(identity);
  if (!cached) {
    const { issuer, serial } = issuerAndSerial(identity.certificateDer);
    const certHash = createHash('sha256').update(identity.certificateDer).digest();
    cached = {
      issuer,
      serial,
      essCertIdV2: seq([octets(certHash), seq([seq([asn1.create(C.CONTEXT_SPECIFIC, 4, true, [issuer])]), serial])]),
      certificates: [identity.certificateDer, ...identity.chain.map((c) => c.raw)].map((bytes) => asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')))),
    };
    structuresOf.set(identity, cached);
  }
  return cached;
}

/** What the CMS needs of the signer: the key, its certificate and the chain (a SigningIdentity has them). */
export type CadesSigner = Pick<SigningIdentity, 'privateKey' | 'certificateDer'> & { chain: ReadonlyArray<{ raw: Buffer }> };

export interface CadesInput {
  /** SHA-256 of the PDF's signed byte ranges */
  documentDigest: Buffer;
  identity: CadesSigner;
  /** the RSA signature over the signed attributes, when it was made elsewhere (a signing worker) */
  signatureValue?: Buffer;
  /** an RFC 3161 time-stamp over the signature value, for PAdES B-T */
  timeStamp?: (signatureValue: Buffer) => Promise<Buffer>;
}

/**
 * A detached CMS SignedData as PAdES B-B asks for (ETSI EN 319 142-1): signed attributes
 * content-type, message-digest and signing-certificate-v2, no signing-time (the time is the
 * signature dictionary's /M), and the certificate chain. node-forge builds the ASN.1; Node's
 * crypto does the hashing and the RSA operation, tens of times faster than forge's own.
 */
export async function buildCadesSignature({ documentDigest, identity, timeStamp, signatureValue: given }: CadesInput): Promise<Buffer> {
  const { issuer, serial, essCertIdV2, certificates } = signerStructures(identity);
  const signedAttributes = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octets(documentDigest)),
    attribute(OID.signingCertificateV2, seq([seq([essCertIdV2])])),
  ];
  const signedAttrsSet = derSetOf(signedAttributes);
  const signatureValue = given ?? rsaSign('sha256', der(signedAttrsSet), identity.privateKey);
  const signedAttrsImplicit = asn1.create(C.CONTEXT_SPECIFIC, 0, true, signedAttrsSet.value as Asn1[]);

  const signerInfoFields: Asn1[] = [
    int(1),
    seq([issuer, serial]),
    seq([oid(OID.sha256)]),
    signedAttrsImplicit,
    seq([oid(OID.rsaEncryption), nullValue()]),
    octets(signatureValue),
  ];
  if (timeStamp) {
    const token = asn1.fromDer(forge.util.createBuffer((await timeStamp(signatureValue)).toString('binary')));
    signerInfoFields.push(asn1.create(C.CONTEXT_SPECIFIC, 1, true, [attribute(OID.timeStampToken, token)]));
  }

  const signedData = seq([
    int(1),
    set([seq([oid(OID.sha256)])]),
    seq([oid(OID.data)]),
    asn1.create(C.CONTEXT_SPECIFIC, 0, true, certificates),
    set([seq(signerInfoFields)]),
  ]);
  return der(seq([oid(OID.signedData), asn1.create(C.CONTEXT_SPECIFIC, 0, true, [signedData])]));
}

/**
 * The CMS of one signer as a template: every byte is fixed once the certificate is, except the
 * document digest (inside the signed attributes) and the RSA signature value (always the
 * modulus's length under PKCS#1 v1.5). A batch builds it once with node-forge and then fills in
 * 32 + 256 bytes per permit, with no ASN.1 work per document. A time-stamp token goes into the
 * signer's unsigned attributes, which changes the lengths of the five enclosing structures:
 * `fillCadesTemplate` re-wraps them from the template's parts (`layout`), still without forge.
 */
export interface CadesTemplate {
  /** DER of the signed attributes as signed (a SET), digest zeroed */
  signedAttributes: Buffer;
  signedAttributesDigestAt: number;
  /** the whole ContentInfo, digest and signature zeroed */
  cms: Buffer;
  cmsDigestAt: number;
  cmsSignatureAt: number;
  signatureLength: number;
  layout: CadesLayout;
}

/** Where the parts that enclose the SignerInfo lie in the template's `cms`: [start, end) offsets. */
interface CadesLayout {
  /** ContentInfo's contentType OID, whole TLV */
  contentType: [number, number];
  /** SignedData's fields before the SET of SignerInfos, whole TLVs */
  signedDataFields: [number, number];
  /** the one SignerInfo's content (its fields, no header) */
  signerInfoContent: [number, number];
}

interface DerElement {
  start: number;
  contentAt: number;
  end: number;
}

/** One DER TLV's extent (definite lengths only, as DER has). */
function derElementAt(bytes: Buffer, start: number): DerElement {
  let at = start + 1;
  const first = bytes[at++]!;
  let length = first;
  if (first & 0x80) {
    length = 0;
    for (let n = first & 0x7f; n > 0; n -= 1) length = length * 256 + bytes[at++]!;
  }
  return { start, contentAt: at, end: at + length };
}

function derChildren(bytes: Buffer, parent: DerElement): DerElement[] {
  const children: DerElement[] = [];
  for (let at = parent.contentAt; at < parent.end; ) {
    const child = derElementAt(bytes, at);
    children.push(child);
    at = child.end;
  }
  return children;
}

/** A DER TLV around `content`. */
function derWrap(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), content]);
}

function layoutOf(cms: Buffer): CadesLayout {
  const [contentType, explicit] = derChildren(cms, derElementAt(cms, 0));
  const signedData = derChildren(cms, explicit!)[0]!;
  const fields = derChildren(cms, signedData);
  const signerInfos = fields.at(-1)!;
  const signerInfo = derChildren(cms, signerInfos)[0]!;
  return {
    contentType: [contentType!.start, contentType!.end],
    signedDataFields: [fields[0]!.start, signerInfos.start],
    signerInfoContent: [signerInfo.contentAt, signerInfo.end],
  };
}

const TIME_STAMP_ATTRIBUTE_TYPE = der(oid(OID.timeStampToken));

/**
 * The CMS for one permit from the batch's template: the digest and the RSA signature value put
 * in place and, for PAdES B-T, the time-stamp token (DER) added as the signer's unsigned
 * attribute; byte for byte what buildCadesSignature makes from the same values.
 */
export function fillCadesTemplate(template: CadesTemplate, digest: Buffer, signatureValue: Buffer, timeStampToken?: Buffer): Buffer {
  if (digest.length !== 32 || signatureValue.length !== template.signatureLength) throw new Error('digest or signature value of unexpected length');
  const cms = Buffer.from(template.cms);
  digest.copy(cms, template.cmsDigestAt);
  signatureValue.copy(cms, template.cmsSignatureAt);
  if (!timeStampToken) return cms;
  const { contentType, signedDataFields, signerInfoContent } = template.layout;
  const unsigned = derWrap(0xa1, derWrap(0x30, Buffer.concat([TIME_STAMP_ATTRIBUTE_TYPE, derWrap(0x31, timeStampToken)])));
  const signerInfo = derWrap(0x30, Buffer.concat([cms.subarray(...signerInfoContent), unsigned]));
  const signedData = derWrap(0x30, Buffer.concat([cms.subarray(...signedDataFields), derWrap(0x31, signerInfo)]));
  return derWrap(0x30, Buffer.concat([cms.subarray(...contentType), derWrap(0xa0, signedData)]));
}

function onlyIndexOf(haystack: Buffer, needle: Buffer): number {
  const at = haystack.indexOf(needle);
  if (at < 0 || haystack.indexOf(needle, at + 1) >= 0) throw new Error('CMS template marker not unique');
  return at;
}

export async function buildCadesTemplate(identity: CadesSigner): Promise<CadesTemplate> {
  const digestMarker = randomBytes(32);
  const keyBytes = Math.ceil((identity.privateKey.asymmetricKeyDetails?.modulusLength ?? 2048) / 8);
  const signatureMarker = randomBytes(keyBytes);
  const cms = await buildCadesSignature({ documentDigest: digestMarker, identity, signatureValue: signatureMarker });
  const { essCertIdV2 } = signerStructures(identity);
  const signedAttributes = der(
    derSetOf([
      attribute(OID.contentType, oid(OID.data)),
      attribute(OID.messageDigest, octets(digestMarker)),
      attribute(OID.signingCertificateV2, seq([seq([essCertIdV2])])),
    ]),
  );
  const template: CadesTemplate = {
    signedAttributes,
    signedAttributesDigestAt: onlyIndexOf(signedAttributes, digestMarker),
    cms,
    cmsDigestAt: onlyIndexOf(cms, digestMarker),
    cmsSignatureAt: onlyIndexOf(cms, signatureMarker),
    signatureLength: keyBytes,
    layout: layoutOf(cms),
  };
  template.signedAttributes.fill(0, template.signedAttributesDigestAt, template.signedAttributesDigestAt + 32);
  template.cms.fill(0, template.cmsDigestAt, template.cmsDigestAt + 32);
  template.cms.fill(0, template.cmsSignatureAt, template.cmsSignatureAt + keyBytes);
  return template;
}
