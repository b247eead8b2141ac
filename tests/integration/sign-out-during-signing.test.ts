import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SigningBatch } from '../../shared/contract';
import { createDeskServices, type DeskServices } from '../../main/services/create-desk-services';
import { createDeskClient, type DeskClient } from '../../main/services/desk-client';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { makeTempDir } from '../support/temp-dir';
import { makeTestCertificates, TEST_PASSPHRASE, TEST_SIGNER_SERIAL } from '../support/test-certificates';

const temp = makeTempDir('sign-out-signing');
let server: RunningCentralServer;
let desk: DeskServices;
let call: DeskClient['call'];
let callOk: DeskClient['callOk'];
let p12: string;

beforeAll(async () => {
  const certs = makeTestCertificates(join(temp.dir, 'certs'));
  p12 = certs.p12.valid;
  const signers = [{ username: 'kadis', certificateSha256: [], subjectSerialNumber: TEST_SIGNER_SERIAL, certificatePem: readFileSync(certs.leafPem.valid, 'utf8') }];
  server = await startCentralServer({ dbFile: join(temp.dir, 'server.sqlite'), seedDemoIfEmpty: { applications: 6, allAtStage: 'penandatanganan', trustedRootsPem: [certs.caPem], signers } });
  desk = await createDeskServices({ cacheFile: join(temp.dir, 'cache.sqlite'), signedDir: join(temp.dir, 'signed'), serverUrl: server.url, syncIntervalMs: 0 });
  ({ call, callOk } = createDeskClient(desk));
});
afterAll(async () => {
  await desk.close();
  await server.close();
  temp.remove();
});

describe('"Keluar" while the Kepala Dinas signs a batch', () => {
  it('is refused while the batch runs (the official stays signed in), and works once it has finished', async () => {
    await callOk('session.signIn', { username: 'kadis', password: DEMO_PASSWORD });
    await callOk('signing.setCertificatePath', { path: p12 });
    const { items } = await callOk('queue.list', {});
    expect(items.length).toBe(6);
    const reviewedSha256: Record<string, string> = {};
    for (const item of items) reviewedSha256[item.id] = (await callOk('signing.prepared', { applicationId: item.id })).sha256;

    const started = await callOk('signing.start', { applicationIds: items.map((i) => i.id), passphrase: TEST_PASSPHRASE, reviewedSha256 });
    const refused = await call('session.signOut', {});
    expect(refused.ok === false && refused.error.code).toBe('SIGN_OUT_WHILE_SIGNING');
    expect((await callOk('session.current', {})).user?.username).toBe('kadis');

    let batch: SigningBatch = started;
    while (!batch.finished) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      batch = await callOk('signing.progress', { batchId: started.id });
    }
    expect(batch.items.map((i) => i.status)).toEqual(items.map(() => 'signed'));

    await callOk('session.signOut', {});
    expect((await callOk('session.current', {})).user).toBeNull();
  });
});
