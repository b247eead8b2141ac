import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignatureFacts } from '../../shared/signature-facts';
import { verifyPdfSignature } from '../../shared/node/pdf-signature-verifier';
import { PdfFile, isArray, isInteger, isRef, isStream, type PdfRef } from '../../shared/node/pdf-structure';
import { loadSigningIdentity } from '../../main/services/signing/pkcs12-identity';
import { requestTimeStamp } from '../../main/services/signing/time-stamp-client';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { API_PREFIX } from '../../shared/sync-protocol';
import { createDeskServices } from '../../main/services/create-desk-services';
import { createDeskClient } from '../../main/services/desk-client';
import { makeSignedPermit, type SignedPermit } from '../support/make-signed-permit';
import { makeTempDir } from '../support/temp-dir';
import { TEST_PASSPHRASE, makeTestCertificates, type TestCertificates } from '../support/test-certificates';
import { pdfsig } from '../support/poppler';

const temp = makeTempDir('tampered');
const repoRoot = join(__dirname, '..', '..');
let certs: TestCertificates;
let server: RunningCentralServer;
let genuine: SignedPermit;
const files: Record<string, string> = {};

/** the reference server's TSA root: time-stamps count only from TSAs the verifier is given */
let tsaRootPem: string;
const verify = (pdf: Buffer, roots: string[] = [certs.caPem], now = new Date()) => verifyPdfSignature(pdf, { trustedRootsPem: roots, now, timeStampRootsPem: [tsaRootPem] });

function save(name: string, bytes: Buffer): string {
  const file = join(temp.dir, `${name}.pdf`);
  writeFileSync(file, bytes);
  files[name] = file;
  return file;
}

/** The signed permit's /ByteRange [0 b c d], read through the file's structure. */
function byteRangeOf(pdf: Buffer): [number, number, number, number] {
  const view = PdfFile.open(pdf).view(0);
  const acroForm = view.dict(view.catalog().entries.get('AcroForm'))!;
  const field = view.dict((view.resolve(acroForm.entries.get('Fields')) as { items: PdfRef[] }).items[0])!;
  const signature = view.dict(field.entries.get('V'))!;
  const range = view.resolve(signature.entries.get('ByteRange'));
  if (!isArray(range) || range.items.length !== 4 || !range.items.every(isInteger)) throw new Error('no ByteRange');
  return range.items as [number, number, number, number];
}

/** Page 1's content stream object that shows `showing` (else its first), and the trailer values an update needs. */
function layoutOf(pdf: Buffer, showing?: string) {
  const file = PdfFile.open(pdf);
  const view = file.view(0);
  const pages = view.dict(view.catalog().entries.get('Pages'))!;
  const pageRef = (view.resolve(pages.entries.get('Kids')) as { items: PdfRef[] }).items[0]!;
  const page = view.dict(pageRef)!;
  const contents = view.resolve(page.entries.get('Contents'));
  const streams = (isArray(contents) ? contents.items : [page.entries.get('Contents')]).map((ref) => {
    const stream = view.resolve(ref);
    if (!isRef(ref) || !isStream(stream)) throw new Error('no content stream');
    return { contentRef: ref, content: file.streamData(stream) };
  });
  const { contentRef, content } = streams.find((s) => showing !== undefined && s.content.toString('latin1').includes(showing)) ?? streams[0]!;
  const size = view.trailer.entries.get('Size') as number;
  return { file, view, pageRef, contentRef, content, size, lastXref: file.revisions[0]!.xrefOffset };
}

/**
 * An incremental update written by hand (ISO 32000-1 §7.5.6): new bodies for some objects, a
 * cross-reference section for just those, and a trailer whose /Prev is the previous section.
 */
function appendUpdate(pdf: Buffer, objects: Array<{ num: number; body: Buffer }>, offsets: Array<{ num: number; offset: number }> = []): Buffer {
  const { size, lastXref, view } = layoutOf(pdf);
  const parts: Buffer[] = [pdf, Buffer.from('\n')];
  let at = pdf.length + 1;
  const entries = [...offsets];
  for (const { num, body } of objects) {
    const bytes = Buffer.concat([Buffer.from(`${num} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    entries.push({ num, offset: at });
    parts.push(bytes);
    at += bytes.length;
  }
  entries.sort((a, b) => a.num - b.num);
  const xref = ['xref', '0 1', '0000000000 65535 f ', ...entries.flatMap((e) => [`${e.num} 1`, `${String(e.offset).padStart(10, '0')} 00000 n `])].join('\n');
  const newSize = Math.max(size, ...entries.map((e) => e.num + 1));
  const root = view.trailer.entries.get('Root') as PdfRef;
  const info = view.trailer.entries.get('Info') as PdfRef | undefined;
  parts.push(
    Buffer.from(`${xref}\ntrailer\n<< /Size ${newSize} /Root ${root.num} ${root.gen} R${info ? ` /Info ${info.num} ${info.gen} R` : ''} /Prev ${lastXref} >>\nstartxref\n${at}\n%%EOF\n`),
  );
  return Buffer.concat(parts);
}

const hexOf = (text: string): string => Buffer.from(text, 'latin1').toString('hex').toUpperCase();

function pdftotext(file: string): string {
  return spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' }).stdout;
}

interface CliRun {
  status: number | null;
  lines: Array<SignatureFacts & { file: string }>;
  stderr: string;
}
function runCli(args: string[]): CliRun {
  const result = spawnSync('npx', ['tsx', 'scripts/verify-pdf.ts', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  const lines = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as SignatureFacts & { file: string });
  return { status: result.status, lines, stderr: result.stderr };
}

beforeAll(async () => {
  certs = makeTestCertificates(join(temp.dir, 'certs'));
  writeFileSync(join(temp.dir, 'ca.pem'), certs.caPem);
  server = await startCentralServer({ dbFile: join(temp.dir, 'server.sqlite'), port: 0 });
  tsaRootPem = await (await fetch(`${server.url}/api/v1/tsa/root.pem`)).text();
  writeFileSync(join(temp.dir, 'tsa-root.pem'), tsaRootPem);
  genuine = await makeSignedPermit({ p12: certs.p12.valid });
  save('genuine', genuine.pdf);
});
afterAll(async () => {
  await server?.close();
  temp.remove();
});

describe('a genuine permit, signed by the app', () => {
  it('is intact and trusted, PAdES B-B, certified with DocMDP P=1, and pdfsig agrees', async () => {
    const facts = await verify(genuine.pdf);
    expect(facts).toMatchObject({
      signed: true,
      intact: true,
      problems: [],
      bytesOutsideSignedRanges: 0,
      updatesAfterSigning: 0,
      certificateTrusted: true,
      certificateProblem: null,
      certificateExpired: false,
      keyUsageOk: true,
      revocation: 'not_checked',
      signerName: 'Drs. Hendra Saputra valid',
      certificateIssuer: 'BSrE Uji Root CA',
      padesLevel: 'B-B',
      docMdpPermissions: 1,
      timeStampedAt: null,
    });
    expect(facts.certificateSha256).toBe(genuine.identity.certificate.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(Math.abs(Date.parse(facts.claimedSigningTime!) - Date.now())).toBeLessThan(120_000);
    const report = pdfsig(files.genuine!, certs.caPem, temp.dir);
    expect(report).toContain('Signature is Valid.');
    expect(report).toContain('Total document signed');
    expect(report).toContain('Certificate is Trusted.');
  });

  it('with the chain and the CA\'s CRL in its /DSS and a time-stamp is PAdES B-LT, revocation read from the DSS', async () => {
    const caDer = new X509Certificate(certs.caPem).raw;
    const crl = readFileSync(join(certs.crlDir, 'office.crl'));
    const timeStamp = (value: Buffer) => requestTimeStamp(`${server.url}/api/v1/tsa`, value);
    const identity = loadSigningIdentity(readFileSync(certs.p12.valid), TEST_PASSPHRASE);
    const lt = await makeSignedPermit({ p12: certs.p12.valid, serial: 5, timeStamp, validationData: { certificates: [identity.certificateDer, caDer], crls: [crl], ocspResponses: [] } });
    save('b-lt', lt.pdf);
    expect(await verify(lt.pdf)).toMatchObject({ intact: true, certificateTrusted: true, revocation: 'good', padesLevel: 'B-LT' });
    // the same store without a time-stamp stays B-B: B-LT builds on B-T
    const noTsa = await makeSignedPermit({ p12: certs.p12.valid, serial: 6, validationData: { certificates: [identity.certificateDer, caDer], crls: [crl], ocspResponses: [] } });
    expect(await verify(noTsa.pdf)).toMatchObject({ intact: true, revocation: 'good', padesLevel: 'B-B' });
  });

  it('signed by a revoked certificate whose CRL is in the /DSS: CERT_REVOKED, not trusted', async () => {
    const revokedIdentity = loadSigningIdentity(readFileSync(certs.p12.revoked), TEST_PASSPHRASE);
    const crl = readFileSync(join(certs.crlDir, 'office.crl'));
    const revoked = await makeSignedPermit({ p12: certs.p12.revoked, serial: 7, validationData: { certificates: [revokedIdentity.certificateDer], crls: [crl], ocspResponses: [] } });
    save('revoked', revoked.pdf);
    expect(await verify(revoked.pdf)).toMatchObject({ intact: true, revocation: 'revoked', certificateTrusted: false, certificateProblem: 'CERT_REVOKED' });
  });

  it('signed by a revoked certificate with only a stale CRL of before the revocation in the /DSS: that CRL says nothing, never "good"', async () => {
    const revokedIdentity = loadSigningIdentity(readFileSync(certs.p12.revoked), TEST_PASSPHRASE);
    const stale = readFileSync(join(certs.crlDir, 'office-stale.crl'));
    const current = readFileSync(join(certs.crlDir, 'office.crl'));
    const withStale = await makeSignedPermit({ p12: certs.p12.revoked, serial: 8, validationData: { certificates: [revokedIdentity.certificateDer], crls: [stale], ocspResponses: [] } });
    save('revoked-stale-crl', withStale.pdf);
    const facts = await verify(withStale.pdf);
    expect(facts.revocation).not.toBe('good');
    expect(facts.padesLevel).toBe('B-B');
    // beside the current CRL the stale one changes nothing: revoked
    const withBoth = await makeSignedPermit({ p12: certs.p12.revoked, serial: 9, validationData: { certificates: [revokedIdentity.certificateDer], crls: [stale, current], ocspResponses: [] } });
    expect(await verify(withBoth.pdf)).toMatchObject({ revocation: 'revoked', certificateProblem: 'CERT_REVOKED' });
    // and the valid certificate with only the stale CRL: not "good" either
    const validStale = await makeSignedPermit({ p12: certs.p12.valid, serial: 10, validationData: { certificates: [], crls: [stale], ocspResponses: [] } });
    expect((await verify(validStale.pdf)).revocation).not.toBe('good');
  });

  it('is trusted by no one without roots', async () => {
    const facts = await verify(genuine.pdf, []);
    expect(facts).toMatchObject({ intact: true, certificateTrusted: false, certificateProblem: 'CERT_UNTRUSTED' });
  });

  it('with a time-stamp from the reference server TSA is PAdES B-T, and trust is judged at the TSA time', async () => {
    const stamped = await makeSignedPermit({ p12: certs.p12.valid, serial: 2, timeStamp: (value) => requestTimeStamp(`${server.url}/api/v1/tsa`, value) });
    save('timestamped', stamped.pdf);
    const facts = await verify(stamped.pdf, [certs.caPem], new Date(Date.now() + 3_600_000));
    expect(facts).toMatchObject({ intact: true, certificateTrusted: true, padesLevel: 'B-T' });
    expect(Math.abs(Date.parse(facts.timeStampedAt!) - Date.now())).toBeLessThan(60_000);
    expect(facts.validationTime).toBe(facts.timeStampedAt);
    // a TSA the caller does not accept, or none named: the token does not count, trust is judged now
    const tsaRoot = tsaRootPem;
    const unnamed = await verifyPdfSignature(stamped.pdf, { trustedRootsPem: [certs.caPem], now: new Date() });
    expect(unnamed).toMatchObject({ timeStampedAt: null, padesLevel: 'B-B', intact: true });
    const strict = await verifyPdfSignature(stamped.pdf, { trustedRootsPem: [certs.caPem], now: new Date(), timeStampRootsPem: [certs.caPem] });
    expect(strict).toMatchObject({ timeStampedAt: null, padesLevel: 'B-B', intact: true });
    const accepted = await verifyPdfSignature(stamped.pdf, { trustedRootsPem: [certs.caPem], now: new Date(), timeStampRootsPem: [tsaRoot] });
    expect(accepted.padesLevel).toBe('B-T');
    // a damaged token (one hex digit of the TSA's own signature flipped, inside /Contents, where
    // the signer's signature does not reach): reported, not dropped in silence
    const [, b, c] = byteRangeOf(stamped.pdf);
    const hex = stamped.pdf.toString('latin1', b + 1, c - 1);
    const cmsEnd = hex.replace(/0+$/, '').length;
    const damaged = Buffer.from(stamped.pdf);
    const at = b + 1 + cmsEnd - 100;
    // another nibble for sure ('a' and 'A' are the same one)
    damaged[at] = damaged[at] === 0x30 ? 0x31 : 0x30;
    const facts2 = await verify(damaged);
    expect(facts2).toMatchObject({ intact: false, problems: ['TIME_STAMP_INVALID'], timeStampedAt: null });
  });
});

describe('a tampered permit is never intact, and the verifier never throws', () => {
  it('one byte flipped inside a signed range: DIGEST_MISMATCH', async () => {
    const [, b] = byteRangeOf(genuine.pdf);
    const altered = Buffer.from(genuine.pdf);
    const at = altered.indexOf('stream\n') + 200; // inside page 1's compressed content
    expect(at).toBeLessThan(b);
    altered[at] = altered[at]! ^ 0x01;
    save('flipped', altered);
    const facts = await verify(altered);
    expect(facts).toMatchObject({ signed: true, intact: false, problems: ['DIGEST_MISMATCH'], certificateTrusted: true, padesLevel: null });
    expect(pdfsig(files.flipped!)).not.toContain('Signature is Valid.');
  });

  it('an incremental update that changes the visible text: UPDATE_AFTER_SIGNING, though the signature itself verifies', async () => {
    const name = genuine.application.applicant.fullName;
    const original = hexOf(`: ${name}`);
    const { content, contentRef } = layoutOf(genuine.pdf, original);
    expect(content.toString('latin1')).toContain(original);
    const forged = Buffer.from(content.toString('latin1').replace(original, hexOf(': BUDI PALSU')), 'latin1');
    const compressed = deflateSync(forged);
    const body = Buffer.concat([Buffer.from(`<< /Length ${compressed.length} /Filter /FlateDecode >>\nstream\n`), compressed, Buffer.from('\nendstream')]);
    const updated = appendUpdate(genuine.pdf, [{ num: contentRef.num, body }]);
    const file = save('incremental', updated);
    expect(pdftotext(file)).toContain('BUDI PALSU');
    expect(pdftotext(file)).not.toContain(name);

    const facts = await verify(updated);
    expect(facts).toMatchObject({
      signed: true,
      intact: false,
      problems: ['BYTES_OUTSIDE_SIGNED_RANGES', 'UPDATE_AFTER_SIGNING'],
      updatesAfterSigning: 1,
      bytesOutsideSignedRanges: updated.length - genuine.pdf.length,
      certificateTrusted: true,
      padesLevel: 'B-B',
    });
    const report = pdfsig(file);
    expect(report).toContain('Signature is Valid.');
    expect(report).toContain('Not total document signed');
  });

  it('an update that removes the signature field from the form: the signature is still found, and the update reported', async () => {
    const { view } = layoutOf(genuine.pdf);
    const root = view.trailer.entries.get('Root') as PdfRef;
    const catalog = `<< /Type /Catalog /Pages 1 0 R >>`;
    expect(view.dict(view.catalog().entries.get('Pages'))).not.toBeNull();
    const updated = appendUpdate(genuine.pdf, [{ num: root.num, body: Buffer.from(catalog) }]);
    save('field-removed', updated);
    const facts = await verify(updated);
    expect(facts).toMatchObject({ signed: true, intact: false, updatesAfterSigning: 1 });
    expect(facts.problems).toContain('UPDATE_AFTER_SIGNING');
  });

  /**
   * Signature wrapping: both signed ranges stay byte-identical to the genuine permit; the /Contents
   * hole keeps the real CMS but, in its zero padding, ends the hex string early and carries a
   * second /ByteRange and a forged page (the old verifier's text search took that /ByteRange and
   * called the file intact). Variant 2 also appends an xref that points page 1 at the forgery.
   */
  function wrapped(withXref: boolean): Buffer {
    const pdf = Buffer.from(genuine.pdf);
    const [, b, c, d] = byteRangeOf(pdf);
    const hex = pdf.toString('latin1', b + 1, c - 1);
    const cmsHex = hex.replace(/(00)+$/, '');
    const { pageRef } = layoutOf(pdf);
    const forgedContent = 'BT /F1 28 Tf 72 640 Td (IZIN PALSU - DOKUMEN DIPALSUKAN) Tj ET';
    const smuggledStart = b + 1 + cmsHex.length + 1;
    const parts = [`> /ByteRange [0 ${b} ${c} ${d}] >>\nendobj\n`];
    const pageAt = smuggledStart + parts[0]!.length;
    parts.push(`${pageRef.num} 0 obj\n<< /Type /Page /Parent 1 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 5 0 R >> >> /Contents 40 0 R >>\nendobj\n`);
    const contentAt = smuggledStart + parts.join('').length;
    parts.push(`40 0 obj\n<< /Length ${forgedContent.length} >>\nstream\n${forgedContent}\nendstream\nendobj\n`);
    const smuggled = parts.join('');
    expect(smuggledStart + smuggled.length).toBeLessThan(c - 1);
    pdf.write(`${cmsHex}${smuggled}`.padEnd(c - 1 - (b + 1), ' '), b + 1, 'latin1');
    // the signed ranges are untouched
    expect(pdf.subarray(0, b).equals(genuine.pdf.subarray(0, b))).toBe(true);
    expect(pdf.subarray(c).equals(genuine.pdf.subarray(c))).toBe(true);
    if (!withXref) return pdf;
    return appendUpdate(pdf, [], [
      { num: pageRef.num, offset: pageAt },
      { num: 40, offset: contentAt },
    ]);
  }

  it('signature wrapping inside the /Contents hole: CONTENTS_NOT_EXACT_HOLE and bytes outside, though the CMS still verifies', async () => {
    const attack = wrapped(false);
    save('wrapped', attack);
    const facts = await verify(attack);
    expect(facts.intact).toBe(false);
    expect(facts.problems).toEqual(expect.arrayContaining(['CONTENTS_NOT_EXACT_HOLE', 'BYTES_OUTSIDE_SIGNED_RANGES', 'SIGNATURE_DICTIONARY_UNREADABLE']));
    expect(facts.problems).not.toContain('DIGEST_MISMATCH');
    expect(facts.problems).not.toContain('SIGNATURE_MISMATCH');
    expect(facts.bytesOutsideSignedRanges).toBeGreaterThan(100);
    expect(facts.padesLevel).toBeNull();
  });

  it('signature wrapping with a later xref that shows the forged page: also UPDATE_AFTER_SIGNING', async () => {
    const attack = wrapped(true);
    const file = save('wrapped-xref', attack);
    expect(pdftotext(file)).toContain('IZIN PALSU');
    const facts = await verify(attack);
    expect(facts.intact).toBe(false);
    expect(facts.problems).toEqual(expect.arrayContaining(['CONTENTS_NOT_EXACT_HOLE', 'BYTES_OUTSIDE_SIGNED_RANGES', 'UPDATE_AFTER_SIGNING']));
    expect(facts.updatesAfterSigning).toBe(1);
    expect(pdfsig(file)).not.toContain('Total document signed');
  });

  it('a truncated file: TRUNCATED', async () => {
    for (const cut of [genuine.pdf.length - 3, Math.floor(genuine.pdf.length * 0.6), 2000]) {
      const truncated = genuine.pdf.subarray(0, cut);
      const facts = await verify(truncated);
      expect(facts).toMatchObject({ intact: false, problems: ['TRUNCATED'], signed: false });
    }
    save('truncated', genuine.pdf.subarray(0, Math.floor(genuine.pdf.length * 0.6)));
  });

  it('random garbage, a non-PDF, an empty file and a PDF header over garbage: clear problems, no throw', async () => {
    save('garbage', randomBytes(64 * 1024));
    save('not-a-pdf', Buffer.from('PK\u0003\u0004 this is a zip, not a permit'));
    expect((await verify(readFileSync(files.garbage!))).problems).toEqual(['NOT_A_PDF']);
    expect((await verify(readFileSync(files['not-a-pdf']!))).problems).toEqual(['NOT_A_PDF']);
    expect((await verify(Buffer.alloc(0))).problems).toEqual(['NOT_A_PDF']);
    for (let i = 0; i < 20; i += 1) {
      const noisy = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(4096), Buffer.from(i % 2 ? `\nstartxref\n${i * 97}\n%%EOF` : '')]);
      const facts = await verify(noisy);
      expect(facts.intact).toBe(false);
      expect(facts.problems.length).toBeGreaterThan(0);
    }
    // the genuine permit with random bytes overwritten in its structure
    for (let i = 0; i < 40; i += 1) {
      const damaged = Buffer.from(genuine.pdf);
      const at = damaged.length - 1 - Math.floor(Math.random() * 1200);
      damaged[at] = Math.floor(Math.random() * 256);
      const facts = await verify(damaged);
      expect(typeof facts.intact).toBe('boolean');
    }
  });

  it('updates whose few-kilobyte cross-reference streams declare millions of entries: unreadable at once, not a process out of memory', async () => {
    // each stream inflates to 18 MB of two-byte entries, nine million objects a section
    const declared = 9_000_000;
    const compressed = deflateSync(Buffer.alloc(declared * 2, Buffer.from([1, 0])), { level: 9 });
    const root = /\/Root (\d+ \d+ R)/.exec(genuine.pdf.toString('latin1', genuine.pdf.lastIndexOf('trailer')))![1]!;
    let prev = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(genuine.pdf.toString('latin1'))![1]);
    const parts: Buffer[] = [genuine.pdf];
    let length = genuine.pdf.length;
    for (let k = 0; k < 14; k += 1) {
      const head = Buffer.from(`${100 + k} 0 obj\n<< /Type /XRef /Size ${declared} /W [1 1 0] /Index [0 ${declared}] /Root ${root} /Prev ${prev} /Filter /FlateDecode /Length ${compressed.length} >>\nstream\n`, 'latin1');
      const tail = Buffer.from(`\nendstream\nendobj\nstartxref\n${length}\n%%EOF\n`, 'latin1');
      parts.push(head, compressed, tail);
      prev = length;
      length += head.length + compressed.length + tail.length;
    }
    const bomb = Buffer.concat(parts);
    expect(bomb.length).toBeLessThan(genuine.pdf.length + 14 * 40_000);
    const heapBefore = process.memoryUsage().heapUsed;
    const facts = await verify(bomb);
    expect(facts).toMatchObject({ intact: false, problems: ['SIGNATURE_DICTIONARY_UNREADABLE'] });
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
    save('xref-entry-bomb', bomb);
  });

  it('reads cross-reference streams and object streams (qpdf rewrites the signed file with them): found, but not intact', async () => {
    const rewritten = join(temp.dir, 'object-streams.pdf');
    execFileSync('qpdf', ['--object-streams=generate', files.genuine!, rewritten]);
    const bytes = readFileSync(rewritten);
    expect(bytes.toString('latin1')).toContain('/XRef');
    const facts = await verify(bytes);
    expect(facts).toMatchObject({ signed: true, intact: false, signerName: 'Drs. Hendra Saputra valid' });
    expect(facts.problems).toContain('CONTENTS_NOT_EXACT_HOLE');
  });
});

describe('certificates and time', () => {
  it('an expired signer (the CMS built directly, bypassing the batch): CERT_EXPIRED, not trusted', async () => {
    const expired = await makeSignedPermit({ p12: certs.p12.expired, serial: 3 });
    save('expired', expired.pdf);
    const facts = await verify(expired.pdf);
    expect(facts).toMatchObject({ signed: true, intact: true, certificateTrusted: false, certificateProblem: 'CERT_EXPIRED', certificateExpired: true });
  });

  it('a back-dated /M: trust judged now (trusted), the claimed 2019 time only reported', async () => {
    const claimed = new Date('2019-06-03T02:15:00Z');
    const backdated = await makeSignedPermit({ p12: certs.p12.valid, serial: 4, signedAt: claimed });
    save('backdated', backdated.pdf);
    const before = Date.now();
    const facts = await verify(backdated.pdf);
    expect(facts).toMatchObject({ intact: true, certificateTrusted: true, certificateExpired: false, claimedSigningTime: claimed.toISOString(), timeStampedAt: null });
    expect(Date.parse(facts.validationTime)).toBeGreaterThanOrEqual(before - 1000);
    expect(new Date(facts.certificateValidFrom!).getTime()).toBeGreaterThan(claimed.getTime());
  });
});

describe('npm run verify (scripts/verify-pdf.ts)', () => {
  it('prints one JSON line per file, with the same verdicts, and exits 1 when any file fails', () => {
    const names = ['genuine', 'flipped', 'incremental', 'wrapped', 'wrapped-xref', 'truncated', 'garbage', 'not-a-pdf', 'expired', 'backdated'];
    const run = runCli([...names.map((n) => files[n]!), '--roots', join(temp.dir, 'ca.pem')]);
    expect(run.status).toBe(1);
    expect(run.lines.map((l) => l.file)).toEqual(names.map((n) => files[n]));
    const byName = Object.fromEntries(names.map((n, i) => [n, run.lines[i]!]));
    expect(byName.genuine).toMatchObject({ intact: true, certificateTrusted: true, padesLevel: 'B-B' });
    expect(byName.flipped!.problems).toEqual(['DIGEST_MISMATCH']);
    expect(byName.incremental!.problems).toContain('UPDATE_AFTER_SIGNING');
    expect(byName.wrapped!.problems).toContain('CONTENTS_NOT_EXACT_HOLE');
    expect(byName['wrapped-xref']!.problems).toEqual(expect.arrayContaining(['CONTENTS_NOT_EXACT_HOLE', 'UPDATE_AFTER_SIGNING']));
    expect(byName.truncated!.problems).toEqual(['TRUNCATED']);
    expect(byName.garbage!.problems).toEqual(['NOT_A_PDF']);
    expect(byName['not-a-pdf']!.problems).toEqual(['NOT_A_PDF']);
    expect(byName.expired).toMatchObject({ intact: true, certificateProblem: 'CERT_EXPIRED' });
    expect(byName.backdated).toMatchObject({ intact: true, certificateTrusted: true, claimedSigningTime: '2019-06-03T02:15:00.000Z' });
    for (const line of run.lines) console.log(JSON.stringify(line));
  });

  it('exits 0 for a genuine file under the office root, 1 without roots (CERT_UNTRUSTED), 2 on a usage error', () => {
    expect(runCli([files.genuine!, '--roots', join(temp.dir, 'ca.pem')]).status).toBe(0);
    // a time-stamp counts only from a TSA under --tsa-roots
    expect(runCli([files.timestamped!, '--roots', join(temp.dir, 'ca.pem')]).lines[0]).toMatchObject({ timeStampedAt: null, padesLevel: 'B-B' });
    expect(runCli([files.timestamped!, '--roots', join(temp.dir, 'ca.pem'), '--tsa-roots', join(temp.dir, 'tsa-root.pem')]).lines[0]).toMatchObject({ padesLevel: 'B-T' });
    const noRoots = runCli([files.genuine!]);
    expect(noRoots.status).toBe(1);
    expect(noRoots.lines[0]).toMatchObject({ intact: true, certificateTrusted: false, certificateProblem: 'CERT_UNTRUSTED' });
    expect(runCli([]).status).toBe(2);
    expect(runCli([files.genuine!, '--roots']).status).toBe(2);
    expect(runCli([join(temp.dir, 'missing.pdf')]).status).toBe(2);
  });
});

describe("the desk's Verifikasi dokumen and the server's issue check agree with npm run verify", () => {
  it('gives every tampered permit the same verdict, and the server issues none of them', async () => {
    const office = await startCentralServer({
      dbFile: join(temp.dir, 'office.sqlite'),
      seedDemoIfEmpty: { applications: 2, allAtStage: 'penandatanganan', trustedRootsPem: [certs.caPem], timeStampUrl: null, documents: false },
    });
    const desk = await createDeskServices({ cacheFile: join(temp.dir, 'desk.sqlite'), serverUrl: office.url, syncIntervalMs: 0 });
    try {
      const { call } = createDeskClient(desk);
      const signIn = await call('session.signIn', { username: 'kadis', password: DEMO_PASSWORD });
      expect(signIn.ok).toBe(true);
      const login = await fetch(`${office.url}${API_PREFIX}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'kadis', password: DEMO_PASSWORD }) });
      const { token } = (await login.json()) as { token: string };
      const pulled = await fetch(`${office.url}${API_PREFIX}/sync/pull?since=0`, { headers: { authorization: `Bearer ${token}` } });
      const target = ((await pulled.json()) as { applications: Array<{ application: { id: string } }> }).applications[0]!.application;

      const names = ['flipped', 'incremental', 'field-removed', 'wrapped', 'wrapped-xref', 'truncated', 'expired', 'backdated', 'genuine'];
      const cli = runCli([...names.map((n) => files[n]!), '--roots', join(temp.dir, 'ca.pem')]);
      for (const [i, name] of names.entries()) {
        const bytes = readFileSync(files[name]!);
        const report = await call('verification.check', { base64: bytes.toString('base64') });
        if (!report.ok) throw new Error(`${name}: ${report.error.code}`);
        const expected = cli.lines[i]!;
        expect({ name, intact: report.value.intact, problems: report.value.problems, trusted: report.value.certificateTrusted, problem: report.value.certificateProblem }).toEqual({
          name,
          intact: expected.intact,
          problems: expected.problems,
          trusted: expected.certificateTrusted,
          problem: expected.certificateProblem,
        });
        const issued = await fetch(`${office.url}${API_PREFIX}/permits/issue`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ commandId: randomUUID(), applicationId: target.id, expectedStage: 'penandatanganan', sha256: createHash('sha256').update(bytes).digest('hex'), pdfBase64: bytes.toString('base64') }),
        });
        const answer = (await issued.json()) as { status: string; code: string };
        // tampered, expired or back-dated: refused for what it is; the genuine one is another file's permit
        expect({ name, status: answer.status }).toEqual({ name, status: 'rejected' });
        const expectedCode = name === 'expired' ? 'CERT_EXPIRED' : 'SIGNATURE_INVALID';
        expect({ name, code: answer.code }).toEqual({ name, code: expectedCode });
      }
    } finally {
      await desk.close();
      await office.close();
    }
  });
});
