import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SigningBatch } from '../../shared/contract';
import { createDeskServices, type DeskServices } from '../../main/services/create-desk-services';
import { createDeskClient, type DeskClient } from '../../main/services/desk-client';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { makeTempDir } from '../support/temp-dir';
import { makeTestCertificates, TEST_PASSPHRASE, TEST_SIGNER_SERIAL, type TestCertificates } from '../support/test-certificates';
import { execFileSync } from 'node:child_process';
import { pdfsig, qpdfCheck, readQrCode } from '../support/poppler';
import { serverStage } from '../support/server-inspection';
import { readServerDb } from '../support/office-server';
import { buildCadesSignature, buildCadesTemplate, fillCadesTemplate } from '../../main/services/signing/cades-signature';
import { loadSigningIdentity } from '../../main/services/signing/pkcs12-identity';

const temp = makeTempDir('signing');
let certs: TestCertificates;
let server: RunningCentralServer;
let desk: DeskServices;
const signedDir = join(temp.dir, 'signed');

let call: DeskClient['call'];
let callOk: DeskClient['callOk'];
/** The Kepala Dinas's review: each prepared permit on screen, and the hash of what he saw. */
async function reviewedBy(
  ask: DeskClient['callOk'],
  items: Array<{ id: string }>,
): Promise<Record<string, string>> {
  const reviewed: Record<string, string> = {};
  for (const item of items) reviewed[item.id] = (await ask('signing.prepared', { applicationId: item.id })).sha256;
  return reviewed;
}
async function untilFinished(batch: SigningBatch): Promise<SigningBatch> {
  let current = batch;
  expect(current.finishedAt).toBeNull();
  while (!current.finished) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    current = await callOk('signing.progress', { batchId: batch.id });
  }
  // the moment the last item was recorded (or failed), for the panel and bench:batch
  expect(Number.isNaN(Date.parse(current.finishedAt ?? ""))).toBe(false);
  return current;
}

beforeAll(async () => {
  certs = makeTestCertificates(join(temp.dir, 'certs'));
  // the office registers the head's certificate: the server prepares every permit for it
  const signers = [{ username: 'kadis', certificateSha256: [], subjectSerialNumber: TEST_SIGNER_SERIAL, certificatePem: readFileSync(certs.leafPem.valid, 'utf8') }];
  server = await startCentralServer({ dbFile: join(temp.dir, 'server.sqlite'), seedDemoIfEmpty: { applications: 6, allAtStage: 'penandatanganan', trustedRootsPem: [certs.caPem], signers } });
  // the registered certificate with its key in a 3DES (legacy) .p12, as older tools export it
  execFileSync('openssl', ['pkcs12', '-export', '-legacy', '-inkey', 'leaf.key', '-in', 'valid.pem', '-certfile', 'valid-chain.pem', '-out', 'valid-legacy.p12', '-passout', `pass:${TEST_PASSPHRASE}`], { cwd: certs.dir });
  desk = await createDeskServices({ cacheFile: join(temp.dir, 'cache.sqlite'), signedDir, serverUrl: server.url, syncIntervalMs: 0 });
  ({ call, callOk } = createDeskClient(desk));
  await callOk('session.signIn', { username: 'kadis', password: DEMO_PASSWORD });
});
afterAll(async () => {
  await desk.close();
  await server.close();
  temp.remove();
});

describe('certificates that must not sign', () => {
  const cases = [
    ['a wrong passphrase', 'valid', 'salah-sandi', 'P12_WRONG_PASSPHRASE'],
    ['an expired certificate', 'expired', TEST_PASSPHRASE, 'CERT_EXPIRED'],
    ['a certificate not yet valid', 'notYetValid', TEST_PASSPHRASE, 'CERT_NOT_YET_VALID'],
    ['a certificate without digitalSignature', 'noDigitalSignature', TEST_PASSPHRASE, 'CERT_KEY_USAGE'],
    ['a certificate from an untrusted issuer', 'untrusted', TEST_PASSPHRASE, 'CERT_UNTRUSTED'],
    ['an EC key', 'ecKey', TEST_PASSPHRASE, 'CERT_NOT_RSA'],
    ['a corrupt file', 'corrupt', TEST_PASSPHRASE, 'P12_CORRUPT'],
  ] as const;

  for (const [label, file, passphrase, code] of cases) {
    it(`refuses ${label} with its own code, and signs nothing`, async () => {
      const { items } = await callOk('queue.list', {});
      await callOk('signing.setCertificatePath', { path: certs.p12[file] });
      const result = await call('signing.start', { applicationIds: items.map((i) => i.id), passphrase, reviewedSha256: await reviewedBy(callOk, items) });
      expect(result.ok === false && result.error.code).toBe(code);
      expect((await callOk('sync.status', {})).pendingCommands).toBe(0);
      expect(readdirSync(signedDir)).toEqual([]);
      expect((await callOk('queue.list', {})).items.length).toBe(items.length);
    });
  }

  it('signs nothing but the bytes reviewed: a hash other than the prepared permit fails the file, which stays a draft', async () => {
    const { items } = await callOk('queue.list', {});
    await callOk('signing.setCertificatePath', { path: certs.p12.valid });
    const file = items[0]!;
    const prepared = await callOk('signing.prepared', { applicationId: file.id });
    const batch = await untilFinished(await callOk('signing.start', { applicationIds: [file.id], passphrase: TEST_PASSPHRASE, reviewedSha256: { [file.id]: 'f'.repeat(64) } }));
    expect(prepared.sha256).not.toBe('f'.repeat(64));
    expect(batch.items.map((i) => [i.status, i.code])).toEqual([['failed', 'PREPARED_PERMIT_CHANGED']]);
    expect((await callOk('sync.status', {})).pendingCommands).toBe(0);
    expect(readdirSync(signedDir)).toEqual([]);
    const unreviewed = await call('signing.start', { applicationIds: [file.id], passphrase: TEST_PASSPHRASE, reviewedSha256: {} });
    expect(unreviewed.ok === false && unreviewed.error.code).toBe('INVALID_INPUT');
  });

  it('refuses to start without a chosen certificate file that exists', async () => {
    const missing = await call('signing.setCertificatePath', { path: join(temp.dir, 'nowhere.p12') });
    expect(missing.ok === false && missing.error.code).toBe('CERT_FILE_MISSING');
  });
});

describe('a signed permit', () => {
  let file: string;
  let applicationId: string;

  it('is signed in a batch with an AES (OpenSSL 3) and a 3DES (legacy) .p12, and issued on the server', async () => {
    const { items } = await callOk('queue.list', {});
    await callOk('signing.setCertificatePath', { path: certs.p12.valid });
    const first = await untilFinished(await callOk('signing.start', { applicationIds: [items[0]!.id, items[1]!.id], passphrase: TEST_PASSPHRASE, reviewedSha256: await reviewedBy(callOk, [items[0]!, items[1]!]) }));
    await callOk('signing.setCertificatePath', { path: join(certs.dir, 'valid-legacy.p12') });
    const second = await untilFinished(await callOk('signing.start', { applicationIds: [items[2]!.id], passphrase: TEST_PASSPHRASE, reviewedSha256: await reviewedBy(callOk, [items[2]!]) }));
    expect([...first.items, ...second.items].map((i) => [i.status, i.code])).toEqual([
      ['signed', null],
      ['signed', null],
      ['signed', null],
    ]);
    await callOk('sync.now', {});
    for (const item of items.slice(0, 3)) expect(serverStage(join(temp.dir, 'server.sqlite'), item.id)).toBe('terbit');
    expect((await callOk('queue.list', {})).items.length).toBe(items.length - 3);
    applicationId = items[0]!.id;
    file = join(signedDir, `${items[0]!.registrationNumber}.pdf`);
    expect(first.items[0]!.permitNumber).toMatch(/^503\/SI[A-Z]+\/\d{4}\/DPMPTSP\/\d{4}$/);
  });

  it('is valid for pdfsig, trusted with the office CA in NSS, and clean for qpdf', () => {
    const plain = pdfsig(file);
    expect(plain).toContain('Signature is Valid.');
    expect(plain).toContain('ETSI.CAdES.detached');
    expect(pdfsig(file, certs.caPem, temp.dir)).toContain('Certificate is Trusted.');
    // the batch wrote the signing time into the prepared permit's /M slot (PAdES wants /M)
    const signingTime = /Signing Time: (.+)/.exec(plain)![1]!;
    expect(Math.abs(Date.parse(`${signingTime} UTC`) - Date.now())).toBeLessThan(10 * 60_000);
    const qpdf = qpdfCheck(file);
    expect(qpdf.status).toBe(0);
    expect(qpdf.output).toContain('No syntax or stream encoding errors');
  });

  it('carries a QR code whose URL the server answers valid for this very file', async () => {
    const url = readQrCode(file, temp.dir);
    expect(url).toMatch(new RegExp(`^${server.url}/verifikasi/[\\w-]+$`));
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    const api = await (await fetch(url.replace('/verifikasi/', '/api/v1/verify/'))).json();
    expect(api).toMatchObject({ status: 'valid', sha256 });
    const page = await (await fetch(url)).text();
    expect(page).toContain('Dokumen SAH');
    void applicationId;
  });

  it('passes the in-app verification, which says a document with one changed byte was altered', async () => {
    const bytes = readFileSync(file);
    const ok = await callOk('verification.check', { base64: bytes.toString('base64') });
    expect(ok).toMatchObject({ signed: true, intact: true, certificateTrusted: true, registry: 'valid', signerName: expect.stringContaining('Hendra Saputra') });
    const altered = Buffer.from(bytes);
    const at = altered.indexOf('/Producer');
    altered[at + 3] = altered[at + 3]! ^ 0x01;
    writeFileSync(join(temp.dir, 'altered.pdf'), altered);
    const report = await callOk('verification.check', { base64: altered.toString('base64') });
    expect(report).toMatchObject({ signed: true, intact: false, registry: 'unknown' });
    expect(pdfsig(join(temp.dir, 'altered.pdf'))).not.toContain('Signature is Valid.');
  });
});

describe('delivering signed permits in bulk', () => {
  it('sends a batch in bulk requests; a push cut off after the server applied it loses nothing and issues nothing twice', async () => {
    const serverFile = join(temp.dir, 'server.sqlite');
    const requests: string[] = [];
    let cutOnce = true;
    // the first bulk request reaches the server and is applied, but its answer never arrives
    const fetchImpl: typeof fetch = async (input, init) => {
      const url = String(input);
      requests.push(url.replace(server.url, ''));
      const response = await fetch(input, init);
      if (url.endsWith('/permits/issue-batch') && cutOnce) {
        cutOnce = false;
        await response.arrayBuffer();
        throw new TypeError('fetch failed: connection reset');
      }
      return response;
    };
    const bulkDesk = await createDeskServices({ cacheFile: join(temp.dir, 'bulk-cache.sqlite'), signedDir: join(temp.dir, 'bulk-signed'), serverUrl: server.url, syncIntervalMs: 0, fetchImpl });
    const { callOk: bulkCall } = createDeskClient(bulkDesk);
    try {
      await bulkCall('session.signIn', { username: 'kadis', password: DEMO_PASSWORD });
      await bulkCall('signing.setCertificatePath', { path: certs.p12.valid });
      const { items } = await bulkCall('queue.list', {});
      expect(items.length).toBe(3);
      let batch = await bulkCall('signing.start', { applicationIds: items.map((i) => i.id), passphrase: TEST_PASSPHRASE, reviewedSha256: await reviewedBy(bulkCall, items) });
      while (!batch.finished) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        batch = await bulkCall('signing.progress', { batchId: batch.id });
      }
      expect(batch.items.map((i) => i.status)).toEqual(['signed', 'signed', 'signed']);
      // the batch's own push was the one cut off: still pending on the desk, though applied on the server
      await bulkDesk.sync.syncNow().catch(() => undefined);
      const status = await bulkCall('sync.now', {});
      expect(status.pendingCommands).toBe(0);
      expect(requests.filter((r) => r.endsWith('/permits/issue-batch')).length).toBe(2);
      expect(requests.some((r) => r.endsWith('/permits/issue'))).toBe(false);

      readServerDb(serverFile, (office) => {
        for (const item of items) {
          expect(serverStage(serverFile, item.id)).toBe('terbit');
          expect(Number((office.prepare('SELECT COUNT(*) AS n FROM issued_permits WHERE application_id = ?').get(item.id) as { n: number }).n)).toBe(1);
          const signedEvents = office.prepare("SELECT command_id FROM events WHERE application_id = ? AND to_stage = 'terbit'").all(item.id) as Array<{ command_id: string }>;
          expect(signedEvents.length).toBe(1);
          expect(Number((office.prepare('SELECT COUNT(*) AS n FROM commands WHERE id = ?').get(signedEvents[0]!.command_id) as { n: number }).n)).toBe(1);
        }
      });
    } finally {
      await bulkDesk.close();
    }
  });

  it('answers each permit of a bulk request on its own, and a command id sent again with its first answer', async () => {
    const login = await (await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'kadis', password: DEMO_PASSWORD }) })).json();
    const { row, command } = readServerDb(join(temp.dir, 'server.sqlite'), (issued) => {
      const row = issued.prepare('SELECT application_id, pdf, sha256 FROM issued_permits LIMIT 1').get() as { application_id: string; pdf: Buffer; sha256: string };
      const command = issued.prepare("SELECT command_id FROM events WHERE application_id = ? AND to_stage = 'terbit'").get(row.application_id) as { command_id: string };
      return { row, command };
    });
    const post = async (permits: unknown[]) =>
      fetch(`${server.url}/api/v1/permits/issue-batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${login.token}` }, body: JSON.stringify({ permits }) });
    const damaged = { commandId: randomUUID(), applicationId: row.application_id, expectedStage: 'penandatanganan', sha256: '0'.repeat(64), pdfBase64: row.pdf.toString('base64') };
    const response = await post([damaged, { ...damaged, commandId: randomUUID(), applicationId: 'no-such-file', sha256: row.sha256 }]);
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as { results: Array<{ id: string; status: string; code?: string }> };
    expect(results.map((r) => [r.id, r.status, r.code])).toEqual([
      [damaged.commandId, 'rejected', 'SIGNATURE_INVALID'],
      [expect.any(String), 'rejected', 'NOT_FOUND'],
    ]);
    // the same id again: the first answer, applied once
    const again = (await (await post([damaged])).json()) as { results: Array<{ id: string; status: string; code?: string }> };
    expect(again.results).toEqual([results[0]]);
    // outside the protocol: the whole request is refused, nothing applied
    expect((await post([])).status).toBe(400);
    void command;
  });
});

describe('the CMS template', () => {
  it('makes, with a time-stamp token, byte for byte the CMS that node-forge builds', async () => {
    const identity = loadSigningIdentity(readFileSync(certs.p12.valid), TEST_PASSPHRASE);
    const template = await buildCadesTemplate(identity);
    const digest = createHash('sha256').update('permit').digest();
    const signatureValue = randomBytes(template.signatureLength);
    // any DER stands in for the token: the template only wraps it
    const token = identity.certificateDer;
    const built = await buildCadesSignature({ documentDigest: digest, identity, signatureValue, timeStamp: async () => token });
    expect(fillCadesTemplate(template, digest, signatureValue, token).equals(built)).toBe(true);
    expect(fillCadesTemplate(template, digest, signatureValue).equals(await buildCadesSignature({ documentDigest: digest, identity, signatureValue }))).toBe(true);
  });
});
