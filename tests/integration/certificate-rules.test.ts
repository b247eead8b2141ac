import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFailure, type ErrorCode } from '../../shared/result';
import { rememberedPathValidation, validateSigningCertificatePath, type PathValidationResult, type RevocationSource } from '../../shared/node/certificate-path';
import { CrlRevocationSource, parseCrl, type CrlFetch } from '../../shared/node/revocation';
import { checkSigningCertificate } from '../../main/services/signing/certificate-checks';
import { loadSigningIdentity, type SigningIdentity } from '../../main/services/signing/pkcs12-identity';
import { makeDemoSigningCertificates } from '../../server/seed/demo-certificates';
import { makeTempDir } from '../support/temp-dir';
import {
  makeTestCertificates,
  NON_ASCII_PASSPHRASE,
  TEST_PASSPHRASE,
  TEST_SIGNER_SERIAL,
  testCrlDir,
  type TestCertificateCase,
  type TestCertificates,
} from '../support/test-certificates';

const DAY = 86_400_000;
const temp = makeTempDir('certificate-rules');
const certsDir = join(temp.dir, 'certs');
/** files the CRL server answers besides the corpus' CRLs (the demo CA's) */
const extraFiles = new Map<string, Buffer>();
const requests: string[] = [];
let crlServer: Server;
let serverUrl: string;
let certs: TestCertificates;

/** A loopback HTTP server for the CRLs, started before the certificates so they can name its URL. */
async function startCrlServer(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    const extra = extraFiles.get(url);
    let body: Buffer | null = extra ?? null;
    if (!body && url.startsWith('/crl/')) {
      try {
        body = readFileSync(join(testCrlDir(certsDir), basename(url)));
      } catch {
        body = null;
      }
    }
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function identity(which: TestCertificateCase, passphrase = which === 'nonAsciiPassphrase' ? NON_ASCII_PASSPHRASE : TEST_PASSPHRASE): SigningIdentity {
  return loadSigningIdentity(readFileSync(certs.p12[which]), passphrase);
}

function validate(which: TestCertificateCase, options: { at?: Date; revocation?: RevocationSource; roots?: string[] } = {}): Promise<PathValidationResult> {
  const id = identity(which);
  return validateSigningCertificatePath({
    leaf: id.certificate,
    intermediates: id.chain,
    trustedRootsPem: options.roots ?? [certs.caPem],
    at: options.at ?? new Date(),
    ...(options.revocation ? { revocation: options.revocation } : {}),
  });
}

/** the code `checkSigningCertificate` (the desk's entry point) refuses with, or null when it accepts */
async function refusal(which: TestCertificateCase, revocation: RevocationSource | null, passphrase?: string): Promise<ErrorCode | null> {
  try {
    await checkSigningCertificate(identity(which, passphrase), [certs.caPem], new Date(), revocation);
    return null;
  } catch (error) {
    if (error instanceof AppFailure) return error.code;
    throw error;
  }
}

function crlFile(name: string): Buffer {
  return readFileSync(join(certs.crlDir, `${name}.crl`));
}

beforeAll(async () => {
  crlServer = await startCrlServer();
  serverUrl = `http://127.0.0.1:${(crlServer.address() as AddressInfo).port}`;
  certs = makeTestCertificates(certsDir, { crlBaseUrl: `${serverUrl}/crl` });
});
afterAll(async () => {
  if (crlServer.listening) await new Promise((resolve) => crlServer.close(resolve));
  temp.remove();
});

describe('certificates refused, each with its own code', () => {
  const cases: [string, TestCertificateCase, ErrorCode][] = [
    ['a leaf issued by a certificate with basicConstraints CA:FALSE', 'issuerNotCa', 'CERT_ISSUER_NOT_CA'],
    ['a path longer than a CA’s pathLenConstraint allows', 'pathLenExceeded', 'CERT_PATH_TOO_LONG'],
    ['a valid leaf under an expired intermediate', 'expiredIntermediate', 'CERT_CHAIN_EXPIRED'],
    ['a leaf whose extended key usage is serverAuth only', 'ekuServerAuthOnly', 'CERT_EKU'],
    ['an RSA-1024 key', 'rsa1024', 'CERT_WEAK_KEY'],
    ['a leaf signed with SHA-1', 'sha1Leaf', 'CERT_WEAK_HASH'],
    ['a leaf revoked in its CA’s CRL', 'revoked', 'CERT_REVOKED'],
    ['a leaf with an unknown critical extension (reported as key usage)', 'unknownCriticalExtension', 'CERT_KEY_USAGE'],
    ['an expired leaf', 'expired', 'CERT_EXPIRED'],
    ['a leaf not yet valid', 'notYetValid', 'CERT_NOT_YET_VALID'],
    ['a leaf without digitalSignature or nonRepudiation', 'noDigitalSignature', 'CERT_KEY_USAGE'],
    ['a leaf from a CA the office does not trust', 'untrusted', 'CERT_UNTRUSTED'],
  ];
  for (const [label, which, code] of cases) {
    it(`refuses ${label}: ${code}`, async () => {
      const source = new CrlRevocationSource();
      expect(await refusal(which, source)).toBe(code);
      const direct = await validate(which, { revocation: source });
      expect(direct).toMatchObject({ ok: false, code });
      expect(direct.ok === false && direct.message).toMatch(/\w/);
    });
  }

  it('refuses an EC key: CERT_NOT_RSA, when opening the .p12 and in the path rules', async () => {
    expect(() => identity('ecKey')).toThrow(expect.objectContaining({ code: 'CERT_NOT_RSA' }));
    const leaf = new X509Certificate(readFileSync(certs.leafPem.ecKey));
    expect(await validateSigningCertificatePath({ leaf, intermediates: [], trustedRootsPem: [certs.caPem], at: new Date() })).toMatchObject({ ok: false, code: 'CERT_NOT_RSA' });
  });

  it('names the revoked certificate, the CRL and the revocation in the refusal, and returns the CRL for the record', async () => {
    const result = await validate('revoked', { revocation: new CrlRevocationSource() });
    expect(result).toMatchObject({ ok: false, code: 'CERT_REVOKED', message: expect.stringContaining('Hendra Saputra revoked') });
    expect(result.revocation).toHaveLength(1);
    expect(result.revocation[0]).toMatchObject({ status: 'revoked', detail: expect.stringMatching(/office\.crl.*revoked on .*keyCompromise/) });
    expect(result.revocation[0]!.crls[0]!.equals(crlFile('office'))).toBe(true);
  });

  it('refuses the SHA-1 leaf, but not a path whose root’s own self-signature is SHA-1 (the trust anchor is not judged by it)', async () => {
    expect(await validate('underSha1Root', { roots: [certs.sha1RootPem] })).toMatchObject({ ok: true });
    expect(await validate('sha1Leaf')).toMatchObject({ ok: false, code: 'CERT_WEAK_HASH' });
  });
});

describe('certificates accepted', () => {
  it('accepts the valid leaf, with revocation good from the office CRL', async () => {
    const result = await validate('valid', { revocation: new CrlRevocationSource() });
    expect(result.ok).toBe(true);
    expect(result.path.map((c) => c.subject.split('\n').find((l) => l.startsWith('CN=')))).toEqual(['CN=Drs. Hendra Saputra valid', 'CN=BSrE Uji Root CA']);
    expect(result.revocation.map((r) => r.status)).toEqual(['good']);
    expect(result.revocation[0]!.detail).toContain(`${serverUrl}/crl/office.crl`);
    expect(result.revocation[0]!.crls[0]!.equals(crlFile('office'))).toBe(true);
  });

  it('accepts a leaf whose path goes through an intermediate, revocation good for the leaf and for the intermediate', async () => {
    const source = new CrlRevocationSource();
    const result = await checkSigningCertificate(identity('validViaIntermediate'), [certs.caPem], new Date(), source);
    expect(result.path).toHaveLength(3);
    expect(result.path[1]!.subject).toContain('CN=BSrE Uji Sub CA');
    expect(result.revocation.map((r) => r.status)).toEqual(['good', 'good']);
    expect(result.revocation[0]!.crls[0]!.equals(crlFile('sub-ca'))).toBe(true);
    expect(result.revocation[1]!.crls[0]!.equals(crlFile('office'))).toBe(true);
  });

  it('carries the signer’s serialNumber (NIP) in every leaf subject', () => {
    for (const which of ['valid', 'validViaIntermediate', 'revoked', 'nonAsciiPassphrase'] as const) {
      expect(identity(which).certificate.subject).toContain(`serialNumber=${TEST_SIGNER_SERIAL}`);
    }
  });

  it('judges validity at the time given: a leaf valid in the past is accepted then, refused now', async () => {
    expect(await validate('expired', { at: new Date(Date.now() - 100 * DAY) })).toMatchObject({ ok: true });
    expect(await validate('expired')).toMatchObject({ ok: false, code: 'CERT_EXPIRED' });
    expect(await validate('notYetValid', { at: new Date(Date.now() + 60 * DAY) })).toMatchObject({ ok: true });
  });

  it('judges the revocation date against the time given: revoked later than `at` is good', async () => {
    const result = await validate('revoked', { at: new Date(Date.now() - DAY), revocation: new CrlRevocationSource() });
    expect(result.ok).toBe(true);
    expect(result.revocation[0]).toMatchObject({ status: 'good', detail: expect.stringContaining('after') });
  });
});

describe('PKCS#12 passphrases', () => {
  it('opens an OpenSSL 3 AES/PBKDF2 .p12 whose passphrase is not ASCII, as openssl does', () => {
    const out = execFileSync('openssl', ['pkcs12', '-in', certs.p12.nonAsciiPassphrase, '-info', '-nokeys', '-passin', `pass:${NON_ASCII_PASSPHRASE}`], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    expect(out).toContain('Hendra Saputra valid');
    const id = identity('nonAsciiPassphrase');
    expect(id.certificate.subject).toContain('CN=Drs. Hendra Saputra valid');
    expect(id.chain).toHaveLength(1);
  });

  it('still opens the legacy 3DES form, and refuses a wrong passphrase with P12_WRONG_PASSPHRASE', () => {
    expect(identity('legacy3des').certificate.subject).toContain('Hendra Saputra legacy');
    for (const [which, passphrase] of [
      ['valid', 'salah-sandi'],
      ['legacy3des', 'salah-sandi'],
      ['nonAsciiPassphrase', TEST_PASSPHRASE],
      ['nonAsciiPassphrase', NON_ASCII_PASSPHRASE.replace('ü', 'u')],
      ['valid', NON_ASCII_PASSPHRASE],
    ] as const) {
      expect(() => identity(which, passphrase)).toThrow(expect.objectContaining({ code: 'P12_WRONG_PASSPHRASE' }));
    }
  });
});

describe('a bulk push validates each distinct signing path once', () => {
  it('answers the same certificates within the minute from the first validation, and validates again for another certificate, minute or expiry', async () => {
    let checks = 0;
    const counting: RevocationSource = { check: async () => ((checks += 1), { status: 'good', detail: 'counted', crls: [], ocspResponses: [] }) };
    const validatePath = rememberedPathValidation();
    const valid = identity('valid');
    const at = new Date();
    const input = (which: SigningIdentity, when: Date) => ({ leaf: which.certificate, intermediates: which.chain, trustedRootsPem: [certs.caPem], at: when, revocation: counting });
    const first = await validatePath(input(valid, at));
    expect(first.ok).toBe(true);
    const perPath = checks;
    expect(perPath).toBeGreaterThan(0);
    for (let i = 1; i <= 5; i += 1) expect((await validatePath(input(valid, new Date(at.getTime() + i)))).ok).toBe(true);
    expect(checks).toBe(perPath);
    await validatePath(input(valid, new Date(at.getTime() + 120_000)));
    expect(checks).toBe(2 * perPath);
    expect((await validatePath(input(identity('expired'), at))).ok).toBe(false);
  });
});

describe('the CRL revocation source', () => {
  it('downloads each CRL once and keeps it until its nextUpdate', async () => {
    const source = new CrlRevocationSource();
    const before = requests.filter((r) => r === '/crl/office.crl').length;
    await validate('valid', { revocation: source });
    await validate('valid', { revocation: source });
    expect(requests.filter((r) => r === '/crl/office.crl').length).toBe(before + 1);
    const later = new CrlRevocationSource({ now: () => new Date(Date.now() + 31 * DAY) });
    const leaf = identity('valid');
    const stale = await later.check(leaf.certificate, leaf.chain[0]!, new Date());
    // the served CRL is past its nextUpdate on that clock: it cannot vouch for the certificate
    expect(stale).toMatchObject({ status: 'unknown', detail: expect.stringContaining('expired') });
  });

  it('answers unknown, never throws, when the CRL is not the issuer’s, altered, or the download times out', async () => {
    const leaf = identity('valid');
    const issuer = leaf.chain[0]!;
    const serving = (bytes: Buffer): CrlFetch => async () => ({ ok: true, status: 200, arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer });
    const foreign = await new CrlRevocationSource({ fetch: serving(crlFile('stranger')) }).check(leaf.certificate, issuer, new Date());
    expect(foreign).toMatchObject({ status: 'unknown', detail: expect.stringContaining('someone other than') });
    const altered = Buffer.from(crlFile('office'));
    altered[altered.length - 5]! ^= 0xff;
    const tampered = await new CrlRevocationSource({ fetch: serving(altered) }).check(leaf.certificate, issuer, new Date());
    expect(tampered).toMatchObject({ status: 'unknown', detail: expect.stringContaining('does not verify') });
    const garbage = await new CrlRevocationSource({ fetch: serving(Buffer.from('not a CRL')) }).check(leaf.certificate, issuer, new Date());
    expect(garbage).toMatchObject({ status: 'unknown', detail: expect.stringContaining('unreadable') });
    const hanging: CrlFetch = (_url, init) => new Promise((_resolve, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
    const slow = await new CrlRevocationSource({ fetch: hanging, timeoutMs: 100 }).check(leaf.certificate, issuer, new Date());
    expect(slow).toMatchObject({ status: 'unknown', detail: expect.stringMatching(/^offline: .*timed out/), crls: [] });
  });

  it('keeps downloaded CRLs in its cache folder, so a later start can answer without the network', async () => {
    const cacheDir = join(temp.dir, 'crl-cache');
    const leaf = identity('valid');
    const first = await new CrlRevocationSource({ cacheDir }).check(leaf.certificate, leaf.chain[0]!, new Date());
    expect(first.status).toBe('good');
    expect(readdirSync(cacheDir)).toHaveLength(1);
    const offline: CrlFetch = async () => {
      throw new Error('no network');
    };
    const next = await new CrlRevocationSource({ cacheDir, fetch: offline }).check(leaf.certificate, leaf.chain[0]!, new Date());
    expect(next).toMatchObject({ status: 'good' });
    expect(next.crls[0]!.equals(crlFile('office'))).toBe(true);
    const noCache = await new CrlRevocationSource({ fetch: offline }).check(leaf.certificate, leaf.chain[0]!, new Date());
    expect(noCache).toMatchObject({ status: 'unknown', detail: expect.stringContaining('offline: cannot fetch') });
  });

  it('parses the corpus CRL: the revoked leaf listed by serial with its reason', () => {
    const crl = parseCrl(crlFile('office'));
    const revokedSerial = identity('revoked').certificate.serialNumber.toLowerCase().replace(/^0+/, '');
    expect(crl.revoked.get(revokedSerial)).toMatchObject({ reason: 'keyCompromise' });
    expect(crl.nextUpdate!.getTime() - crl.thisUpdate.getTime()).toBe(30 * DAY);
  });
});

describe('the demo certification authority', () => {
  it('publishes a signed, empty v2 CRL that openssl verifies, and its .p12 validates with revocation good when the CRL is served', async () => {
    const demo = makeDemoSigningCertificates('Drs. Demo Kepala Dinas', undefined, { crlUrl: `${serverUrl}/demo/ca.crl`, subjectSerialNumber: 'NIP-196801011990031001' });
    const caFile = join(temp.dir, 'demo-ca.pem');
    const crlPath = join(temp.dir, 'demo.crl');
    writeFileSync(caFile, demo.caPem);
    writeFileSync(crlPath, demo.crlDer);
    const verify = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', crlPath, '-CAfile', caFile, '-noout'], { encoding: 'utf8' });
    expect(verify.status).toBe(0);
    expect(`${verify.stdout}${verify.stderr}`).toContain('verify OK');
    const crl = parseCrl(demo.crlDer);
    expect(crl.revoked.size).toBe(0);
    expect(Math.round((crl.nextUpdate!.getTime() - crl.thisUpdate.getTime()) / DAY)).toBe(30);

    extraFiles.set('/demo/ca.crl', demo.crlDer);
    const id = loadSigningIdentity(demo.p12, demo.passphrase);
    expect(id.certificate.subject).toContain('serialNumber=NIP-196801011990031001');
    const result = await checkSigningCertificate(id, [demo.caPem], new Date(), new CrlRevocationSource());
    expect(result.revocation).toEqual([expect.objectContaining({ status: 'good' })]);
    expect(result.revocation[0]!.crls[0]!.equals(demo.crlDer)).toBe(true);
  });

  it('keeps the old call form: no CRL distribution point, so nothing to ask', async () => {
    const demo = makeDemoSigningCertificates('Drs. Demo Kepala Dinas');
    const result = await checkSigningCertificate(loadSigningIdentity(demo.p12, 'kadis-demo'), [demo.caPem], new Date(), new CrlRevocationSource());
    expect(result.revocation).toEqual([]);
    expect(demo.crlDer.length).toBeGreaterThan(0);
  });
});

// last: it stops the CRL server
describe('revocation while the CRL server is offline', () => {
  it('accepts the revoked leaf with revocation unknown, saying it was offline', async () => {
    await new Promise((resolve) => crlServer.close(resolve));
    const result = await validate('revoked', { revocation: new CrlRevocationSource() });
    expect(result.ok).toBe(true);
    expect(result.revocation).toEqual([expect.objectContaining({ status: 'unknown', crls: [], detail: expect.stringMatching(/^offline: cannot fetch http:\/\/127\.0\.0\.1:\d+\/crl\/office\.crl/) })]);
    expect(await refusal('revoked', new CrlRevocationSource())).toBeNull();
  });
});
