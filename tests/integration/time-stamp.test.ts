import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeskServices, type DeskServices } from '../../main/services/create-desk-services';
import { createDeskClient } from '../../main/services/desk-client';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { makeTempDir } from '../support/temp-dir';
import { makeTestCertificates, TEST_PASSPHRASE, TEST_SIGNER_SERIAL, type TestCertificates } from '../support/test-certificates';
import { pdfsig } from '../support/poppler';

const temp = makeTempDir('tsa');
let certs: TestCertificates;
let server: RunningCentralServer;
let desk: DeskServices;

beforeAll(async () => {
  certs = makeTestCertificates(join(temp.dir, 'certs'));
  server = await startCentralServer({
    dbFile: join(temp.dir, 'server.sqlite'),
    port: 0,
    seedDemoIfEmpty: {
      applications: 3,
      allAtStage: 'penandatanganan',
      trustedRootsPem: [certs.caPem],
      timeStampUrl: 'self',
      // the office registers the head's certificate: the server prepares the permits for it
      signers: [{ username: 'kadis', certificateSha256: [], subjectSerialNumber: TEST_SIGNER_SERIAL, certificatePem: readFileSync(certs.leafPem.valid, 'utf8') }],
    },
  });
});
afterAll(async () => {
  await desk?.close();
  await server.close();
  temp.remove();
});

describe('the reference server as an RFC 3161 time-stamping authority', () => {
  it('answers an openssl ts query with a reply that openssl ts -verify accepts', async () => {
    const data = join(temp.dir, 'data.txt');
    writeFileSync(data, 'Surat Izin Refraksionis Optisien');
    execFileSync('openssl', ['ts', '-query', '-data', data, '-sha256', '-cert', '-out', join(temp.dir, 'req.tsq')]);
    const response = await fetch(`${server.url}/api/v1/tsa`, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: readFileSync(join(temp.dir, 'req.tsq')) });
    expect(response.headers.get('content-type')).toBe('application/timestamp-reply');
    writeFileSync(join(temp.dir, 'reply.tsr'), Buffer.from(await response.arrayBuffer()));
    writeFileSync(join(temp.dir, 'tsa-root.pem'), await (await fetch(`${server.url}/api/v1/tsa/root.pem`)).text());
    const text = execFileSync('openssl', ['ts', '-reply', '-in', join(temp.dir, 'reply.tsr'), '-text'], { encoding: 'utf8' });
    expect(text).toContain('Status: Granted.');
    const verify = spawnSync('openssl', ['ts', '-verify', '-data', data, '-in', join(temp.dir, 'reply.tsr'), '-CAfile', join(temp.dir, 'tsa-root.pem')], { encoding: 'utf8' });
    expect(`${verify.stdout}${verify.stderr}`).toContain('Verification: OK');
  });

  it('refuses garbage with 400', async () => {
    const response = await fetch(`${server.url}/api/v1/tsa`, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: Buffer.from('not der') });
    expect(response.status).toBe(400);
  });

  it('gives permits a PAdES B-T signature when the office configures a TSA', async () => {
    const signedDir = join(temp.dir, 'signed');
    desk = await createDeskServices({ cacheFile: join(temp.dir, 'cache.sqlite'), signedDir, serverUrl: server.url, syncIntervalMs: 0 });
    const call = createDeskClient(desk).callOk;
    await call('session.signIn', { username: 'kadis', password: DEMO_PASSWORD });
    await call('signing.setCertificatePath', { path: certs.p12.valid });
    const { items } = await call('queue.list', {});
    const first = items[0]!;
    const reviewed = { [first.id]: (await call('signing.prepared', { applicationId: first.id })).sha256 };
    let batch = await call('signing.start', { applicationIds: [first.id], passphrase: TEST_PASSPHRASE, reviewedSha256: reviewed });
    while (!batch.finished) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      batch = await call('signing.progress', { batchId: batch.id });
    }
    expect(batch.items[0]!.status).toBe('signed');
    const file = join(signedDir, `${first.registrationNumber}.pdf`);
    expect(pdfsig(file)).toContain('Signature is Valid.');
    const report = await call('verification.check', { base64: readFileSync(file).toString('base64') });
    expect(report.intact).toBe(true);
    expect(Math.abs(Date.parse(report.timeStampedAt!) - Date.now())).toBeLessThan(60_000);
  });
});
