import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SigningBatch } from '../../shared/contract';
import { createDeskServices } from '../../main/services/create-desk-services';
import { createDeskClient } from '../../main/services/desk-client';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { makeTempDir } from '../support/temp-dir';
import { makeTestCertificates, TEST_PASSPHRASE, TEST_SIGNER_SERIAL, type TestCertificates } from '../support/test-certificates';
import { pdfsig } from '../support/poppler';
import { openDeskCache } from '../support/desk-cache-file';

const BATCH = 200;
const KILLS = 20;
const temp = makeTempDir('signing-crash');
const serverDb = join(temp.dir, 'server.sqlite');
const cacheFile = join(temp.dir, 'cache.sqlite');
const signedDir = join(temp.dir, 'signed');
let certs: TestCertificates;
let server: RunningCentralServer;

beforeAll(async () => {
  certs = makeTestCertificates(join(temp.dir, 'certs'));
  // the office registers the head's certificate: the server prepares the permits for it
  const signers = [{ username: 'kadis', certificateSha256: [], subjectSerialNumber: TEST_SIGNER_SERIAL, certificatePem: readFileSync(certs.leafPem.valid, 'utf8') }];
  server = await startCentralServer({ dbFile: serverDb, seedDemoIfEmpty: { applications: BATCH, allAtStage: 'penandatanganan', trustedRootsPem: [certs.caPem], signers } });
});
afterAll(async () => {
  await server.close();
  temp.remove();
});

// A seeded random, so a failing run can be replayed.
let seed = 20261124;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

/** One batch in a child process, SIGKILLed a random few milliseconds after it started. */
function runBatchUntilKilled(killAfterMs: number): Promise<{ killed: boolean; acknowledged: string[]; output: string }> {
  // `--import tsx`, not the tsx CLI: the CLI runs the script in a grandchild that SIGKILL would miss.
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/signing-batch-child.ts', cacheFile, signedDir, server.url, certs.p12.valid, TEST_PASSPHRASE], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let timer: NodeJS.Timeout | undefined;
  return new Promise((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!timer && output.includes('started')) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    // Only once the process is gone: it may commit more between kill() and its death; what it
    // printed before is what the user was told.
    child.once('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', acknowledged: [...output.matchAll(/^signed (\S+)$/gm)].map((m) => m[1]!), output });
    });
  });
}

function recordedLocally(): Array<{ application_id: string; file_path: string; permit_number: string }> {
  const local = openDeskCache(cacheFile);
  try {
    return local.prepare('SELECT application_id, file_path, permit_number FROM signed_permits').all() as Array<{ application_id: string; file_path: string; permit_number: string }>;
  } finally {
    local.close();
  }
}

describe(`a ${BATCH}-permit batch killed at ${KILLS} random points`, () => {
  it('leaves every permit either issued with a valid signature or still a draft, no number twice, nothing acknowledged lost', async () => {
    const acknowledged = new Set<string>();
    let kills = 0;
    for (let run = 0; run < KILLS * 2 && kills < KILLS; run += 1) {
      const { killed, acknowledged: told, output } = await runBatchUntilKilled(Math.floor(random() * 120));
      if (killed) kills += 1;
      else expect(output, output).toContain('done');
      for (const id of told) acknowledged.add(id);
      // after each crash: every permit the user was told is signed is recorded with its whole file
      const recorded = recordedLocally();
      const recordedIds = new Set(recorded.map((r) => r.application_id));
      for (const id of acknowledged) expect(recordedIds.has(id), `acknowledged ${id} lost after kill ${kills}`).toBe(true);
      for (const row of recorded) expect(existsSync(row.file_path)).toBe(true);
      expect(new Set(recorded.map((r) => r.permit_number)).size).toBe(recorded.length);
      if (recorded.length === BATCH) break;
    }
    expect(kills).toBeGreaterThanOrEqual(Math.min(KILLS, 10));

    // Restart: the same cache file, a new process's services.
    const desk = await createDeskServices({ cacheFile, signedDir, serverUrl: server.url, syncIntervalMs: 0 });
    const { callOk: call } = createDeskClient(desk);
    await call('session.signIn', { username: 'kadis', password: DEMO_PASSWORD });
    const recorded = recordedLocally();

    const afterCrash = new Database(serverDb, { readonly: true });
    const stages = afterCrash.prepare('SELECT stage, COUNT(*) AS n FROM applications GROUP BY stage').all() as Array<{ stage: string; n: number }>;
    afterCrash.close();
    const byStage = Object.fromEntries(stages.map((s) => [s.stage, s.n]));
    expect((byStage.terbit ?? 0) + (byStage.penandatanganan ?? 0)).toBe(BATCH);
    expect(byStage.terbit ?? 0).toBe(recorded.length);

    // The rest are still drafts in the queue; one more batch finishes them.
    const { items } = await call('queue.list', { limit: 500 });
    expect(items.length).toBe(BATCH - recorded.length);
    if (items.length > 0) {
      const reviewedSha256: Record<string, string> = {};
      for (const i of items) reviewedSha256[i.id] = (await call('signing.prepared', { applicationId: i.id })).sha256;
      let batch: SigningBatch = await call('signing.start', { applicationIds: items.map((i) => i.id), passphrase: TEST_PASSPHRASE, reviewedSha256 });
      while (!batch.finished) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        batch = await call('signing.progress', { batchId: batch.id });
      }
      expect(batch.items.every((i) => i.status === 'signed')).toBe(true);
    }
    await call('sync.now', {});
    await desk.close();

    const office = new Database(serverDb, { readonly: true });
    const issued = office.prepare('SELECT application_id, permit_number, pdf FROM issued_permits').all() as Array<{ application_id: string; permit_number: string; pdf: Buffer }>;
    const numbers = office.prepare('SELECT permit_number FROM permit_numbers').all() as Array<{ permit_number: string }>;
    const stillDraft = (office.prepare("SELECT COUNT(*) AS n FROM applications WHERE stage != 'terbit'").get() as { n: number }).n;
    office.close();
    expect(stillDraft).toBe(0);
    expect(issued.length).toBe(BATCH);
    expect(new Set(issued.map((i) => i.permit_number)).size).toBe(BATCH);
    expect(new Set(numbers.map((n) => n.permit_number)).size).toBe(numbers.length);
    const issuedIds = new Set(issued.map((i) => i.application_id));
    for (const id of acknowledged) expect(issuedIds.has(id)).toBe(true);
    // the server verified every signature before issuing; pdfsig checks a sample of them again
    for (const [index, permit] of issued.entries()) {
      if (index % 10 !== 0) continue;
      const file = join(temp.dir, `issued-${index}.pdf`);
      writeFileSync(file, permit.pdf);
      expect(pdfsig(file)).toContain('Signature is Valid.');
    }
    // 20 child processes, each opening the cache and its key and signing in: minutes on a busy machine
  }, 300_000);
});
