import { constants, createHash, verify as verifySignature, type X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { certificateDetails, type RevocationOutcome, type RevocationSource } from './certificate-path';
import {
  contextTag,
  decodeTime,
  derChildren,
  integerHex,
  OID,
  parseAlgorithmIdentifier,
  parseDer,
  parseExtensions,
  TAG,
  type DerNode,
  type Extension,
  type SignatureAlgorithm,
} from './x509-extensions';

/** RFC 5280 §5.3.1 CRLReason */
const CRL_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'unused',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
] as const;

export interface RevokedEntry {
  revocationDate: Date;
  reason: string | null;
}

export interface ParsedCrl {
  /** the exact DER, as it goes into a PDF's DSS */
  der: Buffer;
  /** the signed TBSCertList bytes */
  tbs: Buffer;
  signatureAlgorithm: SignatureAlgorithm;
  /** the outer and inner signature algorithms are the same (RFC 5280 §5.1.1.2) */
  algorithmsAgree: boolean;
  signature: Buffer;
  issuerDer: Buffer;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** by serial number, lower-case hex without leading zeros */
  revoked: Map<string, RevokedEntry>;
  extensions: Extension[];
  /** why this CRL cannot answer for the certificates it seems to cover, if it cannot */
  unsupported: string | null;
}

const KNOWN_CRL_EXTENSIONS = new Set<string>([OID.cRLNumber, OID.authorityKeyIdentifier, OID.issuingDistributionPoint, OID.freshestCRL, OID.issuerAltName]);
const KNOWN_ENTRY_EXTENSIONS = new Set<string>([OID.reasonCode, OID.invalidityDate]);

function parseEntry(node: DerNode): { serial: string; entry: RevokedEntry; unsupported: string | null } {
  const [serial, date, extensions] = derChildren(node);
  if (!serial || serial.tag !== TAG.INTEGER || !date) throw new Error('malformed revoked certificate entry');
  let reason: string | null = null;
  let unsupported: string | null = null;
  for (const ext of extensions ? parseExtensions(extensions) : []) {
    if (ext.oid === OID.reasonCode) reason = CRL_REASONS[parseDer(ext.value).content[0] ?? 0] ?? 'unspecified';
    else if (ext.critical && !KNOWN_ENTRY_EXTENSIONS.has(ext.oid)) unsupported = `critical CRL entry extension ${ext.oid} (indirect CRL?)`;
  }
  return { serial: integerHex(serial.content), entry: { revocationDate: decodeTime(date), reason }, unsupported };
}

/** Reads a DER (or PEM) X.509 CRL (RFC 5280 §5); throws when it is malformed. */
export function parseCrl(input: Buffer): ParsedCrl {
  const text = input.subarray(0, 64).toString('latin1');
  const der = text.includes('-----BEGIN X509 CRL-----')
    ? Buffer.from(input.toString('latin1').replace(/-----(BEGIN|END) X509 CRL-----|\s+/g, ''), 'base64')
    : input;
  const [tbs, outerAlgorithm, signature] = derChildren(parseDer(der));
  if (!tbs || tbs.tag !== TAG.SEQUENCE || !outerAlgorithm || signature?.tag !== TAG.BIT_STRING) throw new Error('not a CertificateList');
  const fields = derChildren(tbs);
  let i = 0;
  if (fields[i]?.tag === TAG.INTEGER) i += 1;
  const innerAlgorithm = fields[i++];
  const issuer = fields[i++];
  const thisUpdate = fields[i++];
  if (!innerAlgorithm || !issuer || issuer.tag !== TAG.SEQUENCE || !thisUpdate) throw new Error('malformed TBSCertList');
  let nextUpdate: Date | null = null;
  if (fields[i]?.tag === TAG.UTC_TIME || fields[i]?.tag === TAG.GENERALIZED_TIME) nextUpdate = decodeTime(fields[i++]!);
  const revoked = new Map<string, RevokedEntry>();
  let unsupported: string | null = null;
  if (fields[i]?.tag === TAG.SEQUENCE) {
    for (const node of derChildren(fields[i++]!)) {
      const parsed = parseEntry(node);
      revoked.set(parsed.serial, parsed.entry);
      unsupported ??= parsed.unsupported;
    }
  }
  const extensionsField = fields[i]?.tag === contextTag(0, true) ? derChildren(fields[i]!)[0] : undefined;
  const extensions = extensionsField ? parseExtensions(extensionsField) : [];
  for (const ext of extensions) {
    if (ext.oid === OID.deltaCRLIndicator) unsupported ??= 'a delta CRL cannot answer on its own';
    else if (ext.critical && !KNOWN_CRL_EXTENSIONS.has(ext.oid)) unsupported ??= `unknown critical CRL extension ${ext.oid}`;
  }
  return {
    der,
    tbs: tbs.bytes,
    signatureAlgorithm: parseAlgorithmIdentifier(outerAlgorithm),
    algorithmsAgree: innerAlgorithm.bytes.equals(outerAlgorithm.bytes),
    // BIT STRING: the first content octet counts the unused bits (0 for signatures)
    signature: signature.content.subarray(1),
    issuerDer: issuer.bytes,
    thisUpdate: decodeTime(thisUpdate),
    nextUpdate,
    revoked,
    extensions,
    unsupported,
  };
}

/**
 * IssuingDistributionPoint (RFC 5280 §5.2.5): whether a CRL with this scope can answer for
 * `certificate` (a CA certificate or not); null when it can.
 */
function scopeProblem(crl: ParsedCrl, isCa: boolean): string | null {
  const idp = crl.extensions.find((e) => e.oid === OID.issuingDistributionPoint);
  if (!idp) return null;
  const flags = new Map<number, boolean>();
  for (const field of derChildren(parseDer(idp.value))) {
    const number = field.tag & 0x1f;
    // [3] onlySomeReasons is a BIT STRING: present means partial coverage
    flags.set(number, number === 3 ? true : field.content[0] !== 0);
  }
  if (flags.get(1) && isCa) return 'the CRL covers end-entity certificates only';
  if (flags.get(2) && !isCa) return 'the CRL covers CA certificates only';
  if (flags.get(3)) return 'the CRL covers only some revocation reasons';
  if (flags.get(4)) return 'indirect CRLs are not supported';
  if (flags.get(5)) return 'the CRL covers attribute certificates only';
  return null;
}

const WEAK_CRL_HASHES = new Set(['md2', 'md4', 'md5']);

/**
 * Why `crl` cannot answer for certificates of `issuer` (not issued by it, bad signature, an
 * unsupported kind of CRL), or null when it is a complete CRL `issuer` signed.
 */
export function crlProblem(crl: ParsedCrl, issuer: X509Certificate, certificateIsCa = false): string | null {
  const issuerDetails = certificateDetails(issuer);
  if (!issuerDetails) return 'the issuer certificate cannot be read';
  if (!crl.issuerDer.equals(issuerDetails.subjectDer)) return `the CRL is issued by someone other than ${issuer.subject.replace(/\n/g, ', ')}`;
  if (issuerDetails.keyUsage && !issuerDetails.keyUsage.cRLSign) return 'the issuer may not sign CRLs (keyUsage without cRLSign)';
  if (!crl.algorithmsAgree) return 'the CRL names two different signature algorithms';
  const { hash, pss } = crl.signatureAlgorithm;
  if (hash && WEAK_CRL_HASHES.has(hash)) return `the CRL is signed with ${hash.toUpperCase()}`;
  let valid: boolean;
  try {
    const key = pss ? { key: issuer.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO } : issuer.publicKey;
    valid = verifySignature(hash, crl.tbs, key, crl.signature);
  } catch (error) {
    return `the CRL signature cannot be checked (${crl.signatureAlgorithm.oid}): ${(error as Error).message}`;
  }
  if (!valid) return "the CRL's signature does not verify with the issuer's key";
  return crl.unsupported ?? scopeProblem(crl, certificateIsCa);
}

/** What the revocation source fetches with: `fetch` or a stand-in (tests). */
export type CrlFetch = (url: string, init: { signal: AbortSignal }) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;

export interface CrlRevocationSourceOptions {
  fetch?: CrlFetch;
  /** per download; default 5 s */
  timeoutMs?: number;
  /** the clock deciding whether a cached CRL is still current; default the system clock */
  now?: () => Date;
  /** also keep downloaded CRLs here, for the next start (optional) */
  cacheDir?: string;
  /** after a failed download, do not retry the same URL for this long; default 60 s */
  retryAfterMs?: number;
  /** largest CRL accepted; default 10 MiB */
  maxBytes?: number;
}

interface CachedCrl {
  crl: ParsedCrl;
  /** until when it may be reused without downloading again */
  until: number;
}

class CrlUnavailable extends Error {}

const NO_NEXT_UPDATE_REUSE_MS = 3_600_000;

/**
 * Answers revocation from the CRL distribution points of a certificate (RFC 5280 §4.2.1.13):
 * downloads each CRL over http(s) with a short timeout, keeps it until its nextUpdate, checks
 * it was signed by the certificate's issuer, and looks the serial number up. Offline or an
 * unreadable CRL gives `unknown` with the reason; it never throws.
 */
export class CrlRevocationSource implements RevocationSource {
  private readonly fetch: CrlFetch;
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  private readonly cacheDir: string | null;
  private readonly retryAfterMs: number;
  private readonly maxBytes: number;
  private readonly cache = new Map<string, CachedCrl>();
  private readonly inFlight = new Map<string, Promise<CachedCrl>>();
  private readonly failures = new Map<string, { until: number; detail: string }>();

  constructor(options: CrlRevocationSourceOptions = {}) {
    this.fetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.now = options.now ?? (() => new Date());
    this.cacheDir = options.cacheDir ?? null;
    this.retryAfterMs = options.retryAfterMs ?? 60_000;
    this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  }

  async check(certificate: X509Certificate, issuer: X509Certificate, at: Date): Promise<RevocationOutcome> {
    try {
      return await this.checkOrThrow(certificate, issuer, at);
    } catch (error) {
      return { status: 'unknown', detail: `error: ${(error as Error)?.message ?? String(error)}`, crls: [], ocspResponses: [] };
    }
  }

  /** forget every cached CRL and download failure */
  clear(): void {
    this.cache.clear();
    this.failures.clear();
  }

  private async checkOrThrow(certificate: X509Certificate, issuer: X509Certificate, at: Date): Promise<RevocationOutcome> {
    const details = certificateDetails(certificate);
    if (!details) return { status: 'unknown', detail: 'the certificate cannot be read', crls: [], ocspResponses: [] };
    const urls = details.crlDistributionPoints.filter((u) => /^https?:\/\//i.test(u));
    if (urls.length === 0) {
      const detail = details.crlDistributionPoints.length > 0 ? `no http(s) CRL distribution point (${details.crlDistributionPoints.join(', ')})` : 'no CRL distribution point';
      return { status: details.crlDistributionPoints.length > 0 ? 'unknown' : 'not_checked', detail, crls: [], ocspResponses: [] };
    }
    const isCa = details.basicConstraints?.ca === true;
    const problems: string[] = [];
    for (const url of urls) {
      let cached: CachedCrl;
      try {
        cached = await this.crlFor(url);
      } catch (error) {
        problems.push((error as Error).message);
        continue;
      }
      const { crl } = cached;
      const problem = crlProblem(crl, issuer, isCa);
      if (problem) {
        problems.push(`unreadable: CRL from ${url}: ${problem}`);
        continue;
      }
      const used = { crls: [crl.der], ocspResponses: [] };
      const entry = crl.revoked.get(details.serialHex);
      const issued = `CRL ${url} of ${crl.thisUpdate.toISOString()}`;
      if (entry && entry.reason !== 'removeFromCRL') {
        const when = `${entry.revocationDate.toISOString()}${entry.reason ? ` (${entry.reason})` : ''}`;
        if (entry.revocationDate.getTime() <= at.getTime()) return { status: 'revoked', detail: `${issued}: revoked on ${when}`, ...used };
        return { status: 'good', detail: `${issued}: revoked only on ${when}, after ${at.toISOString()}`, ...used };
      }
      const now = this.now().getTime();
      if (crl.nextUpdate && crl.nextUpdate.getTime() < now) {
        return { status: 'unknown', detail: `${issued}: not listed, but the CRL expired on ${crl.nextUpdate.toISOString()}`, ...used };
      }
      if (Date.parse(certificate.validTo) < crl.thisUpdate.getTime()) {
        // RFC 5280 §3.3: a CRL may drop certificates once they have expired
        return { status: 'unknown', detail: `${issued}: not listed, but the certificate expired before this CRL and may have been dropped from it`, ...used };
      }
      return { status: 'good', detail: `${issued}: not revoked`, ...used };
    }
    return { status: 'unknown', detail: problems.join('; '), crls: [], ocspResponses: [] };
  }

  private async crlFor(url: string): Promise<CachedCrl> {
    const now = this.now().getTime();
    const cached = this.cache.get(url);
    if (cached && cached.until > now) return cached;
    const failure = this.failures.get(url);
    if (failure && failure.until > now) throw new CrlUnavailable(failure.detail);
    let pending = this.inFlight.get(url);
    if (!pending) {
      pending = this.load(url).finally(() => this.inFlight.delete(url));
      this.inFlight.set(url, pending);
    }
    return pending;
  }

  private reuseUntil(crl: ParsedCrl): number {
    return crl.nextUpdate ? crl.nextUpdate.getTime() : this.now().getTime() + NO_NEXT_UPDATE_REUSE_MS;
  }

  private cacheFile(url: string): string | null {
    return this.cacheDir ? join(this.cacheDir, `${createHash('sha256').update(url).digest('hex').slice(0, 40)}.crl`) : null;
  }

  private async load(url: string): Promise<CachedCrl> {
    const file = this.cacheFile(url);
    if (file) {
      const fromDisk = await readFile(file).then(
        (bytes) => {
          try {
            return parseCrl(bytes);
          } catch {
            return null;
          }
        },
        () => null,
      );
      if (fromDisk && this.reuseUntil(fromDisk) > this.now().getTime()) {
        const entry = { crl: fromDisk, until: this.reuseUntil(fromDisk) };
        this.cache.set(url, entry);
        return entry;
      }
    }
    let bytes: Buffer;
    try {
      const response = await this.fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!response.ok) throw new CrlUnavailable(`unreadable: ${url} answered HTTP ${response.status}`);
      bytes = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      const detail =
        error instanceof CrlUnavailable
          ? error.message
          : `offline: cannot fetch ${url}: ${describeFetchError(error)}`;
      this.failures.set(url, { until: this.now().getTime() + this.retryAfterMs, detail });
      throw new CrlUnavailable(detail);
    }
    let crl: ParsedCrl;
    try {
      if (bytes.length > this.maxBytes) throw new Error(`larger than ${this.maxBytes} bytes`);
      crl = parseCrl(bytes);
    } catch (error) {
      const detail = `unreadable: CRL from ${url}: ${(error as Error).message}`;
      this.failures.set(url, { until: this.now().getTime() + this.retryAfterMs, detail });
      throw new CrlUnavailable(detail);
    }
    this.failures.delete(url);
    const entry = { crl, until: this.reuseUntil(crl) };
    this.cache.set(url, entry);
    if (file && this.cacheDir) {
      await mkdir(this.cacheDir, { recursive: true })
        .then(() => writeFile(file, crl.der))
        .catch(() => undefined);
    }
    return entry;
  }
}

function describeFetchError(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message} (${cause})` : (e?.message ?? String(error));
}

let shared: CrlRevocationSource | null = null;

/** The process's one revocation source, so the signer and the verifier share its cache. */
export function sharedRevocationSource(): CrlRevocationSource {
  shared ??= new CrlRevocationSource();
  return shared;
}

