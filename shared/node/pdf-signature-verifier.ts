import { X509Certificate, createHash, verify as cryptoVerify } from 'node:crypto';
import { DerError, TAG, asn1Time, bitStringBytes, content, ctx, directoryString, isCtx, isU, need, octets, oidOf, parseDer, raw, u, type Der } from './asn1-reader';
import { CERTIFICATE_REFUSAL_CODES, type CertificateRefusalCode } from '../result';
import { INTEGRITY_PROBLEMS, type IntegrityProblem, type RevocationStatus, type SignatureFacts } from '../signature-facts';
import type { PadesLevel } from '../sync-protocol';
import { validateSigningCertificatePath, type PathValidationInput, type PathValidationResult, type RevocationOutcome, type RevocationSource } from './certificate-path';
import { readTstInfo } from './time-stamp-token';
import { PdfStructureError, isRef, parsePdfDate, readPdfSignatureStructure, type PdfSignatureEntry, type PdfSignatureStructure } from './pdf-structure';
import { SIGNING_TIME_SLOT } from './permit-pdf/signing-time-slot';

export interface VerifyPdfOptions {
  /** the roots the office trusts (PEM); none: nothing is trusted */
  trustedRootsPem: string[];
  /** the moment of checking: trust is judged then unless a valid time-stamp says otherwise */
  now: Date;
  /** CRL/OCSP lookups for the signer's path; absent, the PDF's own DSS is the only source */
  revocation?: RevocationSource;
  /**
   * Roots of the time-stamping authorities the office accepts: a time-stamp counts (as the
   * signing time trust is judged at, and for the B-T and B-LT levels) only if its TSA
   * certificate chains to one of them. None given, none counts: a token anyone can make with
   * a certificate of their own must not move the time a certificate is judged at.
   */
  timeStampRootsPem?: string[];
  /** how the signer's path is validated: rememberedPathValidation() to validate a batch's path once */
  validatePath?: (input: PathValidationInput) => Promise<PathValidationResult>;
}

// ---------------------------------------------------------------------------------------------
// Object identifiers

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  timeStampToken: '1.2.840.113549.1.9.16.2.14',
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
};

const HASHES: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
/** SHA-1 only where the standards still name it (signing-certificate v1, OCSP CertID), never for the document. */
const HASHES_WITH_SHA1: Record<string, string> = { ...HASHES, '1.3.14.3.2.26': 'sha1' };

const SIGNATURE_HASH: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';

/** The hash a signature algorithm uses; rsaEncryption (as CMS writes it) takes the digest algorithm's. */
function signatureHash(algorithm: string, digestHash: string | undefined): string | null {
  if (algorithm === RSA_ENCRYPTION) return digestHash ?? null;
  return SIGNATURE_HASH[algorithm] ?? null;
}

function verifySignature(hash: string, data: Buffer, certificate: X509Certificate, signature: Buffer): boolean {
  try {
    return cryptoVerify(hash, data, certificate.publicKey, signature);
  } catch {
    return false;
  }
}

const hashOf = (algorithm: string, ...parts: Buffer[]): Buffer => {
  const h = createHash(algorithm);
  for (const part of parts) h.update(part);
  return h.digest();
};

// ---------------------------------------------------------------------------------------------
// Certificates

interface Certificate {
  der: Buffer;
  x509: X509Certificate;
  serial: Buffer;
  issuerDer: Buffer;
  subjectDer: Buffer;
  subject: Array<[string, string]>;
  issuer: Array<[string, string]>;
  publicKeyBits: Buffer;
  extensions: Map<string, Buffer>;
}

function nameAttributes(name: Der): Array<[string, string]> {
  if (!isU(name, TAG.SEQUENCE)) throw new DerError('expected a Name');
  const out: Array<[string, string]> = [];
  for (const rdn of name.children) {
    for (const atv of rdn.children) {
      const value = atv.children[1];
      if (value) out.push([oidOf(atv.children[0]), directoryString(value)]);
    }
  }
  return out;
}

const SHORT_NAMES: Record<string, string> = { '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.5': 'serialNumber', '1.2.840.113549.1.9.1': 'emailAddress' };
const formatName = (attributes: Array<[string, string]>): string => attributes.map(([oid, value]) => `${SHORT_NAMES[oid] ?? oid}=${value}`).join(', ');
const attribute = (attributes: Array<[string, string]>, oid: string): string | null => attributes.filter(([o]) => o === oid).map(([, v]) => v).pop() ?? null;

function parseCertificate(der: Buffer): Certificate | null {
  try {
    const cert = parseDer(der, 0, der.length);
    const tbs = need(u(cert.children[0], TAG.SEQUENCE), 'tbsCertificate');
    const f = tbs.children;
    const o = isCtx(f[0], 0) ? 1 : 0;
    const serial = need(u(f[o], TAG.INTEGER), 'serial');
    const issuer = need(f[o + 2], 'issuer');
    const subject = need(f[o + 4], 'subject');
    const spki = need(u(f[o + 5], TAG.SEQUENCE), 'subjectPublicKeyInfo');
    const extensions = new Map<string, Buffer>();
    const extField = f.slice(o + 6).find((x) => isCtx(x, 3));
    for (const ext of extField?.children[0]?.children ?? []) extensions.set(oidOf(ext.children[0]), octets(ext.children[ext.children.length - 1]));
    return {
      der,
      x509: new X509Certificate(der),
      serial: content(serial),
      issuerDer: raw(issuer),
      subjectDer: raw(subject),
      subject: nameAttributes(subject),
      issuer: nameAttributes(issuer),
      publicKeyBits: bitStringBytes(spki.children[1]),
      extensions,
    };
  } catch {
    return null;
  }
}

/** digitalSignature or nonRepudiation; a certificate without the extension may be used for anything (RFC 5280 §4.2.1.3). */
function keyUsageAllowsSigning(cert: Certificate): boolean {
  const ext = cert.extensions.get(OID.keyUsage);
  if (!ext) return true;
  try {
    const bits = bitStringBytes(parseDer(ext, 0, ext.length));
    return ((bits[0] ?? 0) & 0xc0) !== 0;
  } catch {
    return false;
  }
}

function extendedKeyUsages(cert: Certificate): string[] | null {
  const ext = cert.extensions.get(OID.extKeyUsage);
  if (!ext) return null;
  try {
    return parseDer(ext, 0, ext.length).children.map((c) => oidOf(c));
  } catch {
    return [];
  }
}

const validAt = (cert: Certificate, at: Date): boolean => at >= new Date(cert.x509.validFrom) && at <= new Date(cert.x509.validTo);

function issuedBy(child: Certificate, issuer: Certificate): boolean {
  try {
    return child.issuerDer.equals(issuer.subjectDer) && child.x509.checkIssued(issuer.x509) && child.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// CMS SignedData (RFC 5652)

interface SignerInfo {
  sid: { kind: 'issuerSerial'; issuer: Buffer; serial: Buffer } | { kind: 'keyId'; keyId: Buffer };
  digestHash: string | undefined;
  signedAttributesDer: Buffer | null;
  signedAttributes: Map<string, Der[]> | null;
  signatureAlgorithm: string;
  signature: Buffer;
  unsignedAttributes: Map<string, Der[]>;
}

interface SignedData {
  eContentType: string;
  eContent: Buffer | null;
  certificates: Certificate[];
  signerInfos: SignerInfo[];
  /** bytes after the DER value that are not zero padding */
  trailingGarbage: boolean;
}

function attributes(set: Der): Map<string, Der[]> {
  const map = new Map<string, Der[]>();
  for (const attr of set.children) {
    if (!isU(attr, TAG.SEQUENCE)) throw new DerError('an attribute is not a SEQUENCE');
    const type = oidOf(attr.children[0]);
    if (map.has(type)) throw new DerError(`attribute ${type} appears twice`);
    map.set(type, need(u(attr.children[1], TAG.SET), 'attribute values').children);
  }
  return map;
}

function parseSignedData(bytes: Buffer, start = 0, limit = bytes.length): SignedData {
  const info = parseDer(bytes, start, limit);
  let trailingGarbage = false;
  for (let i = info.end; i < limit; i += 1) if (bytes[i] !== 0) trailingGarbage = true;
  if (!isU(info, TAG.SEQUENCE) || info.children.length !== 2 || oidOf(info.children[0]) !== OID.signedData) throw new DerError('not a CMS SignedData');
  const sd = need(ctx(info.children[1], 0)?.children[0], 'SignedData');
  if (!isU(sd, TAG.SEQUENCE)) throw new DerError('SignedData is not a SEQUENCE');
  const f = sd.children;
  const encap = need(u(f[2], TAG.SEQUENCE), 'encapContentInfo');
  const eContentField = encap.children[1];
  const eContent = eContentField && isCtx(eContentField, 0) ? octets(eContentField.children[0]) : null;
  const certificates: Certificate[] = [];
  let i = 3;
  if (isCtx(f[i], 0)) {
    for (const c of f[i]!.children.slice(0, 64)) {
      if (!isU(c, TAG.SEQUENCE)) continue; // other certificate formats: not ours
      const parsed = parseCertificate(Buffer.from(raw(c)));
      if (parsed) certificates.push(parsed);
    }
    i += 1;
  }
  if (isCtx(f[i], 1)) i += 1;
  const infos = need(u(f[i], TAG.SET), 'signerInfos');
  const signerInfos = infos.children.map((si): SignerInfo => {
    if (!isU(si, TAG.SEQUENCE)) throw new DerError('SignerInfo is not a SEQUENCE');
    const g = si.children;
    const sidNode = need(g[1], 'sid');
    const sid: SignerInfo['sid'] = isU(sidNode, TAG.SEQUENCE)
      ? { kind: 'issuerSerial', issuer: raw(need(sidNode.children[0], 'issuer')), serial: content(need(u(sidNode.children[1], TAG.INTEGER), 'serial')) }
      : isCtx(sidNode, 0)
        ? { kind: 'keyId', keyId: content(sidNode) }
        : (() => {
            throw new DerError('bad SignerIdentifier');
          })();
    const digestHash = HASHES[oidOf(need(u(g[2], TAG.SEQUENCE), 'digestAlgorithm').children[0])];
    let j = 3;
    let signedAttributesDer: Buffer | null = null;
    let signedAttributes: Map<string, Der[]> | null = null;
    if (isCtx(g[j], 0)) {
      // what was signed is the DER of the SET OF attributes: the same bytes with the SET tag
      signedAttributesDer = Buffer.from(raw(g[j]!));
      signedAttributesDer[0] = 0x31;
      signedAttributes = attributes(g[j]!);
      j += 1;
    }
    const signatureAlgorithm = oidOf(need(u(g[j], TAG.SEQUENCE), 'signatureAlgorithm').children[0]);
    const signature = octets(g[j + 1]);
    const unsignedAttributes = isCtx(g[j + 2], 1) ? attributes(g[j + 2]!) : new Map<string, Der[]>();
    if (g.length > j + (isCtx(g[j + 2], 1) ? 3 : 2)) throw new DerError('unexpected fields in a SignerInfo');
    return { sid, digestHash, signedAttributesDer, signedAttributes, signatureAlgorithm, signature, unsignedAttributes };
  });
  return { eContentType: oidOf(encap.children[0]), eContent, certificates, signerInfos, trailingGarbage };
}

function signerCertificate(sid: SignerInfo['sid'], certificates: Certificate[]): Certificate | null {
  return (
    certificates.find((c) => {
      if (sid.kind === 'issuerSerial') return c.issuerDer.equals(sid.issuer) && c.serial.equals(sid.serial);
      const ski = c.extensions.get(OID.subjectKeyIdentifier);
      try {
        return ski !== undefined && octets(parseDer(ski, 0, ski.length)).equals(sid.keyId);
      } catch {
        return false;
      }
    }) ?? null
  );
}

/** The one messageDigest value of a signer's signed attributes. */
function messageDigestOf(signer: SignerInfo): Buffer | null {
  const values = signer.signedAttributes?.get(OID.messageDigest);
  if (!values || values.length !== 1) return null;
  try {
    return octets(values[0]);
  } catch {
    return null;
  }
}

/** Verifies the signer's signature over its signed attributes (or, without them, over `content`). */
function signatureVerifies(signer: SignerInfo, certificate: Certificate, content: Buffer[]): boolean {
  const hash = signatureHash(signer.signatureAlgorithm, signer.digestHash);
  if (!hash) return false;
  const data = signer.signedAttributesDer ?? Buffer.concat(content);
  return verifySignature(hash, data, certificate.x509, signer.signature);
}

/**
 * ESS signing-certificate(-v2) (RFC 5035): when present, its first hash must be the signer
 * certificate's, and its issuerSerial (when given) the signer's serial. Returns whether v2 was present.
 */
function checkSigningCertificateAttribute(signer: SignerInfo, certificate: Certificate): { ok: boolean; v2: boolean } {
  const v2 = signer.signedAttributes?.get(OID.signingCertificateV2);
  const v1 = signer.signedAttributes?.get(OID.signingCertificate);
  try {
    for (const [values, isV2] of [
      [v2, true],
      [v1, false],
    ] as const) {
      if (!values) continue;
      const first = need(values[0]?.children[0]?.children[0], 'ESSCertID');
      let k = 0;
      let hash = 'sha1';
      if (isV2) {
        hash = 'sha256';
        const algorithm = u(first.children[0], TAG.SEQUENCE);
        if (algorithm) {
          const named = HASHES[oidOf(algorithm.children[0])];
          if (!named) return { ok: false, v2: Boolean(v2) };
          hash = named;
          k = 1;
        }
      }
      if (!octets(first.children[k]).equals(hashOf(hash, certificate.der))) return { ok: false, v2: Boolean(v2) };
      const issuerSerial = first.children[k + 1];
      if (issuerSerial && !content(need(u(issuerSerial.children[1], TAG.INTEGER), 'serial')).equals(certificate.serial)) {
        return { ok: false, v2: Boolean(v2) };
      }
    }
    return { ok: true, v2: Boolean(v2) };
  } catch {
    return { ok: false, v2: Boolean(v2) };
  }
}

/** A simple issuer walk for TSA and OCSP-responder certificates (not signing certificates: those go through certificate-path). */
function chainsTo(leaf: Certificate, pool: Certificate[], rootsPem: string[], at: Date): boolean {
  const roots = rootsPem.map((pem) => parseCertificate(Buffer.from(pemBody(pem), 'base64'))).filter((c): c is Certificate => c !== null);
  let current = leaf;
  for (let depth = 0; depth < 8; depth += 1) {
    if (!validAt(current, at)) return false;
    if (roots.some((r) => r.der.equals(current.der))) return true;
    const root = roots.find((r) => issuedBy(current, r));
    if (root) return validAt(root, at);
    const next = pool.find((c) => c !== current && issuedBy(current, c));
    if (!next) return false;
    current = next;
  }
  return false;
}

/** a time-stamp from later than the moment of checking (beyond clock skew) is not evidence of anything */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

const pemBody = (pem: string): string => pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');

/**
 * A signature time-stamp token (RFC 3161, PAdES B-T) judged: its genTime when its imprint is the
 * hash of this signature value, its own CMS signature verifies with the TSA certificate it
 * carries (one for time-stamping, valid at genTime) and that TSA is one the caller accepts;
 * 'invalid' only when it demonstrably does not hold (it stamps another value, or its TSA's
 * signature fails under an algorithm this verifier checks); 'untrusted' for anything else: a TSA
 * not accepted, a time ahead, a token this verifier cannot check (no certificate inside, an
 * algorithm it does not know, an odd encoding).
 */
function verifyTimeStamp(token: Der, signatureValue: Buffer, rootsPem: string[] | undefined, now: Date): Date | 'untrusted' | 'invalid' {
  try {
    const sd = parseSignedData(token.buf, token.start, token.end);
    if (sd.eContentType !== OID.tstInfo || !sd.eContent || sd.signerInfos.length !== 1) return 'untrusted';
    const { imprintAlgorithm, imprint, genTime } = readTstInfo(sd.eContent);
    const imprintHash = HASHES[imprintAlgorithm];
    if (!imprintHash) return 'untrusted';
    if (!imprint.equals(hashOf(imprintHash, signatureValue))) return 'invalid';
    const signer = sd.signerInfos[0]!;
    const contentType = signer.signedAttributes?.get(OID.contentType);
    if (!signer.digestHash || !contentType || contentType.length !== 1 || oidOf(contentType[0]) !== OID.tstInfo) return 'untrusted';
    const digest = messageDigestOf(signer);
    if (!digest) return 'untrusted';
    if (!digest.equals(hashOf(signer.digestHash, sd.eContent))) return 'invalid';
    const tsa = signerCertificate(signer.sid, sd.certificates);
    if (!tsa || !signatureHash(signer.signatureAlgorithm, signer.digestHash)) return 'untrusted';
    if (!signatureVerifies(signer, tsa, [])) return 'invalid';
    if (!checkSigningCertificateAttribute(signer, tsa).ok) return 'untrusted';
    if (genTime.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) return 'untrusted';
    if (!validAt(tsa, genTime) || !(extendedKeyUsages(tsa) ?? []).includes(OID.timeStamping)) return 'untrusted';
    if (!chainsTo(tsa, sd.certificates, rootsPem ?? [], genTime)) return 'untrusted';
    return genTime;
  } catch {
    return 'untrusted';
  }
}

// ---------------------------------------------------------------------------------------------
// Revocation data in the PDF's DSS (PAdES B-LT): CRLs (RFC 5280 §5) and OCSP responses (RFC 6960)

interface EmbeddedRevocation {
  status: Exclude<RevocationStatus, 'not_checked'>;
}

function crlStatus(crlDer: Buffer, leaf: Certificate, issuer: Certificate, at: Date): EmbeddedRevocation | null {
  try {
    const crl = parseDer(crlDer, 0, crlDer.length);
    const tbs = need(u(crl.children[0], TAG.SEQUENCE), 'tbsCertList');
    const hash = SIGNATURE_HASH[oidOf(crl.children[1]?.children[0])];
    if (!hash || !verifySignature(hash, raw(tbs), issuer.x509, bitStringBytes(crl.children[2]))) return null;
    const f = tbs.children;
    const o = isU(f[0], TAG.INTEGER) ? 1 : 0;
    if (!raw(need(f[o + 1], 'issuer')).equals(leaf.issuerDer)) return null;
    const thisUpdate = asn1Time(f[o + 2]);
    if (thisUpdate > at) return null;
    // a CRL answers for the time it is current, thisUpdate to nextUpdate: one already past its
    // nextUpdate at the validation time cannot show a revocation made after it was issued
    // (RFC 5280 §5.1.2.5, §6.3.3), so it says nothing, good or bad; nor does one without nextUpdate
    const next = f[o + 3];
    if (!isU(next, TAG.UTC_TIME) && !isU(next, TAG.GENERALIZED_TIME)) return null;
    if (asn1Time(next) < at) return null;
    const revoked = f.slice(o + 3).find((x) => isU(x, TAG.SEQUENCE) && x.children.every((e) => isU(e, TAG.SEQUENCE)));
    for (const entry of revoked?.children ?? []) {
      if (content(need(entry.children[0], 'serial')).equals(leaf.serial) && asn1Time(entry.children[1]) <= at) return { status: 'revoked' };
    }
    return { status: 'good' };
  } catch {
    return null;
  }
}

function ocspStatus(responseDer: Buffer, leaf: Certificate, issuer: Certificate, at: Date): EmbeddedRevocation | null {
  try {
    const response = parseDer(responseDer, 0, responseDer.length);
    const responseStatus = u(response.children[0], TAG.ENUMERATED);
    if (!responseStatus || content(responseStatus)[0] !== 0) return null;
    const bytes = need(ctx(response.children[1], 0)?.children[0], 'responseBytes');
    if (oidOf(bytes.children[0]) !== OID.ocspBasic) return null;
    const basicDer = octets(bytes.children[1]);
    const basic = parseDer(basicDer, 0, basicDer.length);
    const tbs = need(u(basic.children[0], TAG.SEQUENCE), 'tbsResponseData');
    const hash = SIGNATURE_HASH[oidOf(basic.children[1]?.children[0])];
    const signature = bitStringBytes(basic.children[2]);
    const responders = (ctx(basic.children[3], 0)?.children[0]?.children ?? []).map((c) => parseCertificate(Buffer.from(raw(c)))).filter((c): c is Certificate => c !== null);
    // signed by the issuer itself, or by a responder the issuer delegated (id-kp-OCSPSigning)
    const signer = [issuer, ...responders.filter((r) => issuedBy(r, issuer) && (extendedKeyUsages(r) ?? []).includes(OID.ocspSigning) && validAt(r, at))].find(
      (c) => hash !== undefined && verifySignature(hash, raw(tbs), c.x509, signature),
    );
    if (!signer) return null;
    const t = tbs.children;
    const o = isCtx(t[0], 0) ? 1 : 0;
    for (const single of need(t[o + 2], 'responses').children) {
      const certId = need(single.children[0], 'certID');
      const idHash = HASHES_WITH_SHA1[oidOf(certId.children[0]?.children[0])];
      if (!idHash) continue;
      const matches =
        octets(certId.children[1]).equals(hashOf(idHash, leaf.issuerDer)) &&
        octets(certId.children[2]).equals(hashOf(idHash, issuer.publicKeyBits)) &&
        content(need(certId.children[3], 'serial')).equals(leaf.serial);
      if (!matches) continue;
      if (asn1Time(single.children[2]) > at) continue;
      // past its nextUpdate (when it has one) the answer is stale at the validation time, as a CRL is
      const nextUpdate = single.children.slice(3).find((c) => isCtx(c, 0));
      if (nextUpdate && asn1Time(nextUpdate.children[0]) < at) continue;
      const status = single.children[1];
      if (ctx(status, 0)) return { status: 'good' };
      const revokedInfo = ctx(status, 1);
      if (revokedInfo) return asn1Time(revokedInfo.children[0]) <= at ? { status: 'revoked' } : { status: 'good' };
      return { status: 'unknown' };
    }
    return null;
  } catch {
    return null;
  }
}

function embeddedRevocation(dss: PdfSignatureStructure['dss'], leaf: Certificate, issuer: Certificate | null, at: Date): RevocationStatus | null {
  if (!dss || !issuer) return null;
  const answers = [...dss.crls.map((c) => crlStatus(c, leaf, issuer, at)), ...dss.ocsps.map((o) => ocspStatus(o, leaf, issuer, at))].filter((a): a is EmbeddedRevocation => a !== null);
  if (answers.length === 0) return null;
  if (answers.some((a) => a.status === 'revoked')) return 'revoked';
  return answers.some((a) => a.status === 'good') ? 'good' : 'unknown';
}

function pathRevocation(outcomes: RevocationOutcome[]): RevocationStatus {
  if (outcomes.length === 0) return 'not_checked';
  if (outcomes.some((o) => o.status === 'revoked')) return 'revoked';
  if (outcomes.every((o) => o.status === 'good')) return 'good';
  return outcomes.some((o) => o.status === 'unknown') ? 'unknown' : 'not_checked';
}

// ---------------------------------------------------------------------------------------------
// The verifier

function emptyFacts(pdf: Buffer, now: Date): SignatureFacts {
  return {
    sha256: createHash('sha256').update(pdf).digest('hex'),
    signed: false,
    intact: false,
    problems: [],
    bytesOutsideSignedRanges: 0,
    updatesAfterSigning: 0,
    certificateTrusted: null,
    certificateProblem: null,
    certificateExpired: null,
    revocation: 'not_checked',
    keyUsageOk: null,
    signerName: null,
    signerSerialNumber: null,
    certificateSha256: null,
    certificateIssuer: null,
    certificateValidFrom: null,
    certificateValidTo: null,
    claimedSigningTime: null,
    timeStampedAt: null,
    validationTime: now.toISOString(),
    padesLevel: null,
    docMdpPermissions: null,
  };
}

function finish(facts: SignatureFacts, problems: Set<IntegrityProblem>): SignatureFacts {
  const ordered = INTEGRITY_PROBLEMS.filter((p) => problems.has(p));
  return { ...facts, problems: ordered, intact: facts.signed && ordered.length === 0 };
}

/** Bytes of [0, length) covered by none of `spans`. */
function uncovered(length: number, spans: Array<[number, number]>): number {
  const clipped = spans
    .map(([s, e]): [number, number] => [Math.max(0, Math.min(s, length)), Math.max(0, Math.min(e, length))])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let reach = 0;
  for (const [s, e] of clipped) {
    if (e <= reach) continue;
    covered += e - Math.max(s, reach);
    reach = e;
  }
  return length - covered;
}

/**
 * The signature that counts: when a file carries several, the one whose signed revision is the
 * latest (the greatest ByteRange end, ISO 32000-1 §12.8.1), and updates are counted after it.
 * Document time-stamps (/Type /DocTimeStamp) are not signatures of the permit.
 */
function lastSignature(signatures: PdfSignatureEntry[]): PdfSignatureEntry | null {
  const candidates = signatures.filter((s) => s.type !== 'DocTimeStamp' && s.subFilter !== 'ETSI.RFC3161');
  let best: PdfSignatureEntry | null = null;
  let bestEnd = -Infinity;
  for (const s of candidates) {
    const r = s.byteRange;
    const end = r && r.length === 4 ? r[2]! + r[3]! : -1;
    if (best === null || end > bestEnd) {
      best = s;
      bestEnd = end;
    }
  }
  return best;
}

/**
 * Verifies a signed PDF as a validator must, integrity, trust and time each on its own:
 * - the signature dictionary is read through the file's structure (startxref, xref sections,
 *   /Root, AcroForm fields), never by searching its text;
 * - /ByteRange is [0 b c d] with c+d the end of a revision, and /Contents is exactly the hex
 *   string that fills the hole [b, c); every other byte, and every revision written after the
 *   signed one, is reported (such a file is not intact even if its signature verifies);
 * - the CMS's messageDigest is the hash of the ranges, and its signature over the signed
 *   attributes verifies with the certificate its SignerInfo names (issuer and serial);
 * - trust is judged at a valid time-stamp's genTime, else at `now`; /M is only reported.
 * Never throws: any input gives facts with its problems.
 */
export async function verifyPdfSignature(pdf: Buffer, options: VerifyPdfOptions): Promise<SignatureFacts> {
  const facts = emptyFacts(pdf, options.now);
  const problems = new Set<IntegrityProblem>();
  try {
    return await verifyInto(pdf, options, facts, problems);
  } catch {
    // every known failure is a problem already; this net only keeps an unforeseen one from throwing
    problems.add(facts.signed ? 'CMS_UNREADABLE' : 'SIGNATURE_DICTIONARY_UNREADABLE');
    return finish(facts, problems);
  }
}

async function verifyInto(pdf: Buffer, options: VerifyPdfOptions, facts: SignatureFacts, problems: Set<IntegrityProblem>): Promise<SignatureFacts> {
  let structure: PdfSignatureStructure;
  try {
    structure = readPdfSignatureStructure(pdf);
  } catch (error) {
    const problem = error instanceof PdfStructureError ? error.problem : 'MALFORMED';
    problems.add(problem === 'NOT_A_PDF' ? 'NOT_A_PDF' : problem === 'TRUNCATED' ? 'TRUNCATED' : 'SIGNATURE_DICTIONARY_UNREADABLE');
    return finish(facts, problems);
  }
  const signature = lastSignature(structure.signatures);
  if (!signature) {
    problems.add('NO_SIGNATURE');
    return finish(facts, problems);
  }
  facts.signed = true;
  // a prepared permit's /M slot left unfilled (a desk that predates it) claims no time at all
  facts.claimedSigningTime = signature.signingTime === SIGNING_TIME_SLOT ? null : parsePdfDate(signature.signingTime);

  // ---- the bytes: ranges, hole, revisions
  const range = signature.byteRange;
  const contents = signature.contents;
  // a second /ByteRange or /Contents, or either of them indirect, makes the dictionary ambiguous
  const entries = signature.dictionary.entries;
  if (signature.dictionary.duplicateKeys.length > 0 || !contents || isRef(entries.get('Contents')) || isRef(entries.get('ByteRange'))) problems.add('SIGNATURE_DICTIONARY_UNREADABLE');
  const spans: Array<[number, number]> = [];
  if (range && range.length % 2 === 0 && range.every((n) => n >= 0)) for (let i = 0; i < range.length; i += 2) spans.push([range[i]!, range[i]! + range[i + 1]!]);
  else problems.add('BYTE_RANGE_MALFORMED');
  const revisionEnds = new Set(structure.file.revisions.flatMap((r) => [r.eofAt, r.end]).filter((n): n is number => n !== null));
  let hole: [number, number] | null = null;
  if (range && range.length === 4) {
    const [a, b, c, d] = range as [number, number, number, number];
    if (a !== 0 || b <= 0 || c <= b || d < 0 || c + d > pdf.length || !revisionEnds.has(c + d)) problems.add('BYTE_RANGE_MALFORMED');
    hole = [b, c];
    // revisions whose cross-reference section lies after the signed ranges, or inside the hole
    facts.updatesAfterSigning = structure.file.revisions.filter((r) => r.xrefOffset >= c + d || (r.xrefOffset >= b && r.xrefOffset < c)).length;
    if (facts.updatesAfterSigning > 0) problems.add('UPDATE_AFTER_SIGNING');
  } else problems.add('BYTE_RANGE_MALFORMED');
  const span = contents?.span ?? null;
  if (!contents || !contents.hex || !contents.strictHex || !span || !hole || span.start !== hole[0] || span.end !== hole[1]) problems.add('CONTENTS_NOT_EXACT_HOLE');
  facts.bytesOutsideSignedRanges = uncovered(pdf.length, span ? [...spans, [span.start, span.end]] : spans);
  if (facts.bytesOutsideSignedRanges > 0) problems.add('BYTES_OUTSIDE_SIGNED_RANGES');

  // ---- the CMS
  let cms: SignedData;
  try {
    if (!contents) throw new DerError('no /Contents');
    cms = parseSignedData(contents.bytes);
    if (cms.signerInfos.length !== 1) throw new DerError(`${cms.signerInfos.length} SignerInfos`);
  } catch {
    problems.add('CMS_UNREADABLE');
    return finish(facts, problems);
  }
  if (cms.trailingGarbage) problems.add('CMS_UNREADABLE');
  const signer = cms.signerInfos[0]!;
  const rangesData = spans.map(([s, e]) => pdf.subarray(Math.min(s, pdf.length), Math.min(e, pdf.length)));
  let cryptoOk = true;
  if (!signer.digestHash || cms.eContent !== null) {
    problems.add('DIGEST_MISMATCH');
    cryptoOk = false;
  } else if (signer.signedAttributes) {
    const digest = messageDigestOf(signer);
    if (!digest || !digest.equals(hashOf(signer.digestHash, ...rangesData))) {
      problems.add('DIGEST_MISMATCH');
      cryptoOk = false;
    }
  }
  const certificate = signerCertificate(signer.sid, cms.certificates);
  const signingCertificateAttribute = certificate ? checkSigningCertificateAttribute(signer, certificate) : { ok: false, v2: false };
  if (!certificate || !signatureVerifies(signer, certificate, rangesData) || !signingCertificateAttribute.ok) {
    problems.add('SIGNATURE_MISMATCH');
    cryptoOk = false;
  }

  // ---- time
  const tokens = signer.unsignedAttributes.get(OID.timeStampToken) ?? [];
  let timeStamp: Date | null = null;
  for (const token of tokens.slice(0, 4)) {
    const judged = verifyTimeStamp(token, signer.signature, options.timeStampRootsPem, options.now);
    // a damaged token is reported, not dropped in silence: the file claims a time it cannot show
    if (judged === 'invalid') problems.add('TIME_STAMP_INVALID');
    else if (judged instanceof Date && !timeStamp) timeStamp = judged;
  }
  facts.timeStampedAt = timeStamp?.toISOString() ?? null;
  const validationTime = timeStamp ?? options.now;
  facts.validationTime = validationTime.toISOString();

  // ---- DocMDP: only when a catalog's /Perms /DocMDP is this very signature
  const ref = signature.signatureRef;
  const certifying = ref !== null && structure.docMdpSignatures.some((r) => r.num === ref.num && r.gen === ref.gen);
  if (certifying && signature.docMdpP !== null && signature.docMdpP >= 1 && signature.docMdpP <= 3) facts.docMdpPermissions = signature.docMdpP;

  if (!certificate) return finish(facts, problems);

  // ---- the certificate
  facts.signerName = attribute(certificate.subject, OID.commonName) ?? formatName(certificate.subject);
  facts.signerSerialNumber = attribute(certificate.subject, OID.serialNumber);
  facts.certificateSha256 = hashOf('sha256', certificate.der).toString('hex');
  facts.certificateIssuer = attribute(certificate.issuer, OID.commonName) ?? formatName(certificate.issuer);
  facts.certificateValidFrom = new Date(certificate.x509.validFrom).toISOString();
  facts.certificateValidTo = new Date(certificate.x509.validTo).toISOString();
  facts.certificateExpired = validationTime > new Date(certificate.x509.validTo);
  facts.keyUsageOk = keyUsageAllowsSigning(certificate);

  const dssCertificates = (structure.dss?.certs ?? []).slice(0, 64).map((der) => parseCertificate(Buffer.from(der))).filter((c): c is Certificate => c !== null);
  const others = [...cms.certificates, ...dssCertificates].filter((c) => !c.der.equals(certificate.der));
  let path: PathValidationResult | null;
  try {
    path = await (options.validatePath ?? validateSigningCertificatePath)({
      leaf: certificate.x509,
      intermediates: others.map((c) => c.x509),
      trustedRootsPem: options.trustedRootsPem,
      at: validationTime,
      revocation: options.revocation,
    });
  } catch {
    path = null;
  }
  const roots = options.trustedRootsPem.map((pem) => parseCertificate(Buffer.from(pemBody(pem), 'base64'))).filter((c): c is Certificate => c !== null);
  const issuer = [...others, ...roots].find((c) => issuedBy(certificate, c)) ?? null;
  let revocation = path ? pathRevocation(path.revocation) : 'not_checked';
  const embedded = embeddedRevocation(structure.dss, certificate, issuer, validationTime);
  if ((revocation === 'not_checked' || revocation === 'unknown') && embedded) revocation = embedded;
  if (path && !path.ok && path.code === 'CERT_REVOKED') revocation = 'revoked';
  facts.revocation = revocation;

  const refusals = new Set<CertificateRefusalCode>();
  if (!path) refusals.add('CERT_UNTRUSTED');
  else if (!path.ok) refusals.add(path.code);
  if (validationTime < new Date(certificate.x509.validFrom)) refusals.add('CERT_NOT_YET_VALID');
  if (facts.certificateExpired) refusals.add('CERT_EXPIRED');
  if (!facts.keyUsageOk) refusals.add('CERT_KEY_USAGE');
  if (revocation === 'revoked') refusals.add('CERT_REVOKED');
  facts.certificateProblem = CERTIFICATE_REFUSAL_CODES.find((code) => refusals.has(code)) ?? null;
  facts.certificateTrusted = facts.certificateProblem === null;

  // ---- PAdES baseline level (ETSI EN 319 142-1 §6): of a signature that verifies, read from an
  // unambiguous dictionary (an update after it does not change what the signature itself is)
  const malformations: IntegrityProblem[] = ['SIGNATURE_DICTIONARY_UNREADABLE', 'BYTE_RANGE_MALFORMED', 'CONTENTS_NOT_EXACT_HOLE', 'CMS_UNREADABLE'];
  const wellFormed = !malformations.some((p) => problems.has(p));
  let level: PadesLevel | null = null;
  if (cryptoOk && wellFormed && signature.subFilter === 'ETSI.CAdES.detached' && signingCertificateAttribute.v2) {
    level = 'B-B';
    if (timeStamp) {
      level = 'B-T';
      const chain = (path?.path ?? [certificate.x509]).filter((c) => !roots.some((r) => r.x509.fingerprint256 === c.fingerprint256));
      const dssHolds = (c: X509Certificate) => dssCertificates.some((d) => d.x509.fingerprint256 === c.fingerprint256);
      if (structure.dss && chain.every(dssHolds) && embedded !== null) level = 'B-LT';
    }
  }
  facts.padesLevel = level;
  return finish(facts, problems);
}
