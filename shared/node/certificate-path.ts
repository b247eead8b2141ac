import { X509Certificate } from 'node:crypto';
import type { CertificateRefusalCode } from '../result';
import type { RevocationStatus } from '../signature-facts';
import { isWeakHash, KNOWN_CERTIFICATE_EXTENSIONS, OID, parseCertificateDetails, type CertificateDetails } from './x509-extensions';

/**
 * Where revocation data comes from (CRL distribution points, OCSP responders); the verifier
 * and the signer share one, cached. Absent: revocation is `not_checked`.
 */
export interface RevocationSource {
  /** status of `certificate` as issued by `issuer`, at `at`; never throws (offline: `unknown`) */
  check(certificate: X509Certificate, issuer: X509Certificate, at: Date): Promise<RevocationOutcome>;
}

export interface RevocationOutcome {
  status: RevocationStatus;
  /** what was consulted, for the record: e.g. `crl http://…` or `offline: …` */
  detail: string;
  /** DER of the CRLs / OCSP responses that answered, for a PDF's DSS (PAdES B-LT) */
  crls: Buffer[];
  ocspResponses: Buffer[];
}

export interface PathValidationInput {
  leaf: X509Certificate;
  /** certificates that may serve as intermediates (from the .p12 or the CMS), in any order */
  intermediates: X509Certificate[];
  trustedRootsPem: string[];
  /** the moment the whole path must be valid at */
  at: Date;
  revocation?: RevocationSource;
}

/**
 * `path` runs from the leaf to the trust anchor (the anchor included). `revocation` holds one
 * outcome per certificate below the anchor that names a CRL distribution point or an OCSP
 * responder, in path order (leaf first); empty without a `revocation` source.
 */
export type PathValidationResult =
  | { ok: true; path: X509Certificate[]; revocation: RevocationOutcome[] }
  | { ok: false; code: CertificateRefusalCode; message: string; path: X509Certificate[]; revocation: RevocationOutcome[] };

/** certificates in a path, the leaf and the trust anchor included */
export const MAX_PATH_LENGTH = 8;
const MAX_CANDIDATE_PATHS = 16;

/**
 * Extended key usages that allow signing documents (RFC 9336 id-kp-documentSigning, S/MIME,
 * any, Adobe Authentic Documents Trust, Microsoft Document Signing). serverAuth or clientAuth
 * alone are TLS certificates, not signing certificates.
 */
export const DOCUMENT_SIGNING_EKUS: ReadonlySet<string> = new Set([
  OID.ekuDocumentSigning,
  OID.ekuEmailProtection,
  OID.ekuAny,
  OID.ekuAdobeAuthenticDocuments,
  OID.ekuMicrosoftDocumentSigning,
]);

/**
 * Critical extensions accepted in a CA certificate of the path besides the common ones: the
 * policy extensions are not processed (any policy is acceptable to the office). Name
 * constraints are NOT accepted: they are not enforced here, so a path that carries them
 * critically is refused rather than trusted blindly.
 */
const KNOWN_CA_EXTENSIONS: ReadonlySet<string> = new Set([...KNOWN_CERTIFICATE_EXTENSIONS, OID.policyMappings, OID.policyConstraints, OID.inhibitAnyPolicy]);

interface Refusal {
  code: CertificateRefusalCode;
  message: string;
}

const detailsCache = new WeakMap<X509Certificate, CertificateDetails | null>();

/** the certificate's extensions and algorithms, or null when its DER cannot be read here */
export function certificateDetails(certificate: X509Certificate): CertificateDetails | null {
  if (!detailsCache.has(certificate)) {
    let details: CertificateDetails | null;
    try {
      details = parseCertificateDetails(certificate.raw);
    } catch {
      details = null;
    }
    detailsCache.set(certificate, details);
  }
  return detailsCache.get(certificate) ?? null;
}

function describe(certificate: X509Certificate): string {
  return certificate.subject.replace(/\n/g, ', ');
}

function namesMatch(child: X509Certificate, issuer: X509Certificate): boolean {
  const c = certificateDetails(child);
  const i = certificateDetails(issuer);
  if (c && i && c.issuerDer.equals(i.subjectDer)) return true;
  // Node's text form folds string-type differences (PrintableString vs UTF8String) RFC 5280 §7.1 ignores
  return child.issuer === issuer.subject;
}

/** `issuer` issued `child`: its subject is the child's issuer name and its key verifies the child's signature */
export function isIssuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  if (!namesMatch(child, issuer)) return false;
  try {
    return child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function validAt(certificate: X509Certificate, at: Date): boolean {
  return at.getTime() >= Date.parse(certificate.validFrom) && at.getTime() <= Date.parse(certificate.validTo);
}

/**
 * Every chain leaf → intermediates → a trusted root, by name and signature (a root may be
 * self-signed or any certificate the office chose to trust), best candidates first: roots
 * before intermediates, certificates valid at `at` before the others. The root may be the leaf.
 */
export function findCertificatePaths(leaf: X509Certificate, intermediates: X509Certificate[], roots: X509Certificate[], at: Date): X509Certificate[][] {
  const paths: X509Certificate[][] = [];
  const rootPrints = new Set(roots.map((r) => r.fingerprint256));
  const candidates = intermediates.filter((c) => !rootPrints.has(c.fingerprint256));
  const byPreference = (list: X509Certificate[]) => [...list].sort((a, b) => Number(validAt(b, at)) - Number(validAt(a, at)));
  const extend = (path: X509Certificate[]) => {
    if (paths.length >= MAX_CANDIDATE_PATHS) return;
    const current = path[path.length - 1]!;
    if (rootPrints.has(current.fingerprint256)) {
      paths.push(path);
      return;
    }
    const inPath = new Set(path.map((c) => c.fingerprint256));
    if (path.length >= MAX_PATH_LENGTH) return;
    for (const root of byPreference(roots)) {
      if (!inPath.has(root.fingerprint256) && isIssuedBy(current, root)) paths.push([...path, root]);
    }
    for (const issuer of byPreference(candidates)) {
      if (!inPath.has(issuer.fingerprint256) && isIssuedBy(current, issuer)) extend([...path, issuer]);
    }
  };
  extend([leaf]);
  return paths;
}

function keyWeakness(certificate: X509Certificate): string | null {
  let type: string | undefined;
  let details: { modulusLength?: number; namedCurve?: string } | undefined;
  try {
    type = certificate.publicKey.asymmetricKeyType;
    details = certificate.publicKey.asymmetricKeyDetails;
  } catch {
    return null;
  }
  if (type === 'rsa' || type === 'rsa-pss' || type === 'dsa') {
    const bits = details?.modulusLength ?? 0;
    return bits < 2048 ? `a ${bits}-bit ${type.toUpperCase()} key` : null;
  }
  if (type === 'ec') {
    const size = Number(/(\d{3})/.exec(details?.namedCurve ?? '')?.[1] ?? 0);
    return size < 256 ? `an EC key on ${details?.namedCurve ?? 'an unknown curve'}` : null;
  }
  return null;
}

function unknownCritical(details: CertificateDetails, known: ReadonlySet<string>): string[] {
  return details.extensions.filter((e) => e.critical && !known.has(e.oid)).map((e) => e.oid);
}

/**
 * The first rule `path` breaks, in the order of CERTIFICATE_REFUSAL_CODES; `path` null when
 * no path reaches a trusted root (the leaf's own rules are still judged first).
 */
function judge(leaf: X509Certificate, path: X509Certificate[] | null, at: Date): Refusal | null {
  const leafDetails = certificateDetails(leaf);
  if (!leafDetails) return { code: 'CERT_UNTRUSTED', message: `the certificate of ${describe(leaf)} cannot be read` };
  const chain = path ?? [leaf];
  const issuers = chain.slice(1);
  // the trust anchor's own signature is not judged: the office trusts it as given
  const signedBelowAnchor = path ? path.slice(0, -1) : [leaf];
  const details = (c: X509Certificate) => certificateDetails(c);

  if (leaf.publicKey.asymmetricKeyType !== 'rsa') return { code: 'CERT_NOT_RSA', message: 'the certificate does not carry an RSA key' };
  for (const certificate of chain) {
    const weakness = keyWeakness(certificate);
    if (weakness) return { code: 'CERT_WEAK_KEY', message: `${describe(certificate)} has ${weakness}; at least RSA-2048 is required` };
  }
  for (const certificate of signedBelowAnchor) {
    const algorithm = details(certificate)?.signatureAlgorithm;
    if (algorithm && isWeakHash(algorithm.hash)) {
      return { code: 'CERT_WEAK_HASH', message: `${describe(certificate)} is signed with ${algorithm.hash!.toUpperCase()}` };
    }
  }
  if (at.getTime() < Date.parse(leaf.validFrom)) return { code: 'CERT_NOT_YET_VALID', message: `certificate valid only from ${leaf.validFrom}` };
  if (at.getTime() > Date.parse(leaf.validTo)) return { code: 'CERT_EXPIRED', message: `certificate expired on ${leaf.validTo}` };
  const keyUsage = leafDetails.keyUsage;
  if (!keyUsage || !(keyUsage.digitalSignature || keyUsage.nonRepudiation)) {
    return { code: 'CERT_KEY_USAGE', message: 'the certificate is not for digital signatures (key usage)' };
  }
  // RFC 5280 §4.2: a critical extension we cannot process refuses the certificate. It says what
  // the key may be used for in a way we cannot read, so it is reported as a key-usage refusal.
  const leafUnknown = unknownCritical(leafDetails, KNOWN_CERTIFICATE_EXTENSIONS);
  if (leafUnknown.length > 0) return { code: 'CERT_KEY_USAGE', message: `the certificate has unknown critical extensions ${leafUnknown.join(', ')}` };
  const eku = leafDetails.extendedKeyUsage;
  if (eku && !eku.some((oid) => DOCUMENT_SIGNING_EKUS.has(oid))) {
    return { code: 'CERT_EKU', message: `the certificate's extended key usage (${eku.join(', ') || 'empty'}) does not allow signing documents` };
  }
  if (!path) return { code: 'CERT_UNTRUSTED', message: `the certificate of ${describe(leaf)} is not issued under a root this office trusts` };
  for (const certificate of path.slice(1, -1)) {
    const caDetails = details(certificate);
    const unknown = caDetails ? unknownCritical(caDetails, KNOWN_CA_EXTENSIONS) : ['(unreadable)'];
    if (unknown.length > 0) return { code: 'CERT_UNTRUSTED', message: `the issuer ${describe(certificate)} has unsupported critical extensions ${unknown.join(', ')}` };
  }
  for (const issuer of issuers) {
    const d = details(issuer);
    if (!d?.basicConstraints?.ca) return { code: 'CERT_ISSUER_NOT_CA', message: `the issuer ${describe(issuer)} is not a certification authority (basicConstraints)` };
    if (d.keyUsage && !d.keyUsage.keyCertSign) return { code: 'CERT_ISSUER_NOT_CA', message: `the issuer ${describe(issuer)} may not sign certificates (keyUsage without keyCertSign)` };
  }
  // pathLenConstraint: how many non-self-issued intermediates may follow a CA (RFC 5280 §4.2.1.9);
  // path[0] is the leaf, which never counts, so below path[i] are the intermediates path[1..i-1]
  for (let i = 1; i < path.length; i += 1) {
    const pathLen = details(path[i]!)?.basicConstraints?.pathLen;
    if (pathLen === null || pathLen === undefined) continue;
    const following = path.slice(1, i).filter((c) => !details(c)?.selfIssued).length;
    if (following > pathLen) {
      return { code: 'CERT_PATH_TOO_LONG', message: `${describe(path[i]!)} allows ${pathLen} intermediate certificate(s) below it, the path has ${following}` };
    }
  }
  for (const issuer of issuers) {
    if (!validAt(issuer, at)) {
      return { code: 'CERT_CHAIN_EXPIRED', message: `the issuer ${describe(issuer)} is valid only from ${issuer.validFrom} to ${issuer.validTo}` };
    }
  }
  return null;
}

function parseRoots(pems: string[]): X509Certificate[] {
  const roots: X509Certificate[] = [];
  for (const text of pems) {
    // one entry may hold several PEM blocks (a bundle)
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [text];
    for (const block of blocks) {
      try {
        roots.push(new X509Certificate(block));
      } catch {
        // an unreadable configured root trusts nothing
      }
    }
  }
  return roots;
}

/**
 * The path checks without revocation, synchronously: the best path to one of `trustedRootsPem`
 * and the first rule it breaks.
 */
export function judgeSigningCertificatePath(input: Omit<PathValidationInput, 'revocation'>): PathValidationResult {
  const roots = parseRoots(input.trustedRootsPem);
  const paths = findCertificatePaths(input.leaf, input.intermediates, roots, input.at);
  if (paths.length === 0) {
    const refusal = judge(input.leaf, null, input.at)!;
    return { ok: false, ...refusal, path: [input.leaf], revocation: [] };
  }
  let first: { path: X509Certificate[]; refusal: Refusal } | null = null;
  for (const path of paths) {
    const refusal = judge(input.leaf, path, input.at);
    if (!refusal) return { ok: true, path, revocation: [] };
    first ??= { path, refusal };
  }
  return { ok: false, ...first!.refusal, path: first!.path, revocation: [] };
}

const UNKNOWN_ERROR: Omit<RevocationOutcome, 'detail'> = { status: 'unknown', crls: [], ocspResponses: [] };

/**
 * Validates a signing certificate's path to one of the office's roots at `at` (RFC 5280 §6, the
 * parts that matter for document signing), then, with a `revocation` source, the revocation
 * status of every certificate below the root that says where to ask. `revoked` refuses;
 * `unknown` (offline, unreadable) is accepted and returned for the record.
 */
export async function validateSigningCertificatePath(input: PathValidationInput): Promise<PathValidationResult> {
  const judged = judgeSigningCertificatePath(input);
  if (!judged.ok || !input.revocation) return judged;
  const source = input.revocation;
  const path = judged.path;
  const checks: Promise<RevocationOutcome>[] = [];
  const checked: X509Certificate[] = [];
  for (let i = 0; i < path.length - 1; i += 1) {
    const details = certificateDetails(path[i]!);
    if (!details || (details.crlDistributionPoints.length === 0 && details.ocspResponders.length === 0)) continue;
    checked.push(path[i]!);
    checks.push(
      source.check(path[i]!, path[i + 1]!, input.at).catch((error: unknown) => ({ ...UNKNOWN_ERROR, detail: `error: ${(error as Error)?.message ?? String(error)}` })),
    );
  }
  const revocation = await Promise.all(checks);
  const revokedAt = revocation.findIndex((r) => r.status === 'revoked');
  if (revokedAt >= 0) {
    const certificate = checked[revokedAt]!;
    return { ok: false, code: 'CERT_REVOKED', message: `${describe(certificate)} is revoked: ${revocation[revokedAt]!.detail}`, path, revocation };
  }
  return { ok: true, path, revocation };
}

/** How long a validated path is reused for other signatures by the same certificates. */
const PATH_REUSE_WINDOW_MS = 60_000;

/**
 * validateSigningCertificatePath, remembered for one batch of signatures (the permits of one
 * bulk push are signed by the same certificate within seconds): a path is validated once per
 * distinct set of certificates, roots and minute, not once per permit. A remembered answer is
 * used only while every certificate of its path is valid at the new moment too; revocation
 * answers come from CRLs cached until their nextUpdate in any case, so within the minute they
 * would not differ.
 */
export function rememberedPathValidation(): (input: PathValidationInput) => Promise<PathValidationResult> {
  const remembered = new Map<string, Promise<PathValidationResult>>();
  return async (input) => {
    const key = [
      input.leaf.fingerprint256,
      ...input.intermediates.map((c) => c.fingerprint256).sort(),
      '|',
      ...input.trustedRootsPem,
      '|',
      Math.floor(input.at.getTime() / PATH_REUSE_WINDOW_MS),
      input.revocation ? 'revocation' : 'none',
    ].join(',');
    const earlier = remembered.get(key);
    if (earlier) {
      const result = await earlier;
      const at = input.at.getTime();
      if (result.path.every((c) => Date.parse(c.validFrom) <= at && at <= Date.parse(c.validTo))) return result;
      return validateSigningCertificatePath(input);
    }
    const validation = validateSigningCertificatePath(input);
    remembered.set(key, validation);
    return validation;
  };
}
