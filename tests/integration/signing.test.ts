import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Handlers, MethodInput, MethodName, MethodOutput, SigningBatch } from '../../shared/contract';
import type { Result } from '../../shared/result';
import { createDeskServices, type DeskServices } from '../../main/services/create-desk-services';
import { dispatchCall } from '../../main/services/dispatch-call';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { makeTempDir } from '../support/temp-dir';
import { makeTestCertificates, TEST_PASSPHRASE, type TestCertificates } from '../support/test-certificates';
import { pdfsig, qpdfCheck, readQrCode } from '../support/poppler';
import { serverStage } from '../support/server-inspection';

const temp = makeTempDir('signing');
let certs: TestCertificates;
let server: RunningCentralServer;
let desk: DeskServices;
const signedDir = join(temp.dir, 'signed');

function call<M extends MethodName>(method: M, input: MethodInput<M>) {
  return dispatchCall(desk.handlers as Handlers, method, input) as Promise<Result<MethodOutput<M>>>;
}
async function callOk<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  const r = await call(method, input);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value;
}
async function untilFinished(batch: SigningBatch): Promise<SigningBatch> {
  let current = batch;
  while (!current.finished) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    current = await callOk('signing.progress', { batchId: batch.id });
  }
  return current;
}

beforeAll(async () => {
  certs = makeTestCertificates(join(temp.dir, 'certs'));
  server = await startCentralServer({ dbFile: join(temp.dir, 'server.sqlite'), seedDemoIfEmpty: { applications: 6, allAtStage: 'penandatanganan', trustedRootsPem: [certs.caPem] } });
  desk = await createDeskServices({ cacheFile: join(temp.dir, 'cache.sqlite'), signedDir, serverUrl: server.url, syncIntervalMs: 0 });
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
      const result = await call('signing.start', { applicationIds: items.map((i) => i.id), passphrase });
      expect(result.ok === false && result.error.code).toBe(code);
      expect((await callOk('sync.status', {})).pendingCommands).toBe(0);
      expect(readdirSync(signedDir)).toEqual([]);
      expect((await callOk('queue.list', {})).items.length).toBe(items.length);
    });
  }

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
    const first = await untilFinished(await callOk('signing.start', { applicationIds: [items[0]!.id, items[1]!.id], passphrase: TEST_PASSPHRASE }));
    await callOk('signing.setCertificatePath', { path: certs.p12.legacy3des });
    const second = await untilFinished(await callOk('signing.start', { applicationIds: [items[2]!.id], passphrase: TEST_PASSPHRASE }));
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
