import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SigningBatch } from '../../shared/contract';
import { createDeskServices } from '../../main/services/create-desk-services';
import { dispatchCall } from '../../main/services/dispatch-call';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { makeTempDir } from '../support/temp-dir';
import { makeTestCertificates, TEST_PASSPHRASE, type TestCertificates } from '../support/test-certificates';
import { pdfsig } from '../support/poppler';

const BATCH = 50;
const KILL_AFTER_SIGNED = 12;
const temp = makeTempDir('signing-crash');
const serverDb = join(temp.dir, 'server.sqlite');
const cacheFile = join(temp.dir, 'cache.sqlite');
const signedDir = join(temp.dir, 'signed');
let certs: TestCertificates;
let server: RunningCentralServer;

beforeAll(async () => {
  certs = makeTestCertificates(join(temp.dir, 'certs'));
  server = await startCentralServer({ dbFile: serverDb, seedDemoIfEmpty: { applications: BATCH, allAtStage: 'penandatanganan', trustedRootsPem: [certs.caPem] } });
});
afterAll(async () => {
  await server.close();
  temp.remove();
});

function runBatchUntilKilled(): Promise<{ signedWhenKilled: number; output: string }> {
  // `--import tsx`, not the tsx CLI: the CLI runs the script in a grandchild that SIGKILL would miss.
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/signing-batch-child.ts', cacheFile, signedDir, server.url, certs.p12.valid, TEST_PASSPHRASE], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let signedWhenKilled = 0;
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const counts = [...output.matchAll(/signed (\d+)/g)].map((m) => Number(m[1]));
      const signed = counts.at(-1) ?? 0;
      if (signed >= KILL_AFTER_SIGNED && !child.killed) {
        signedWhenKilled = signed;
        child.kill('SIGKILL');
      }
    });
    // Only once the process is gone: it may commit one more permit between kill() and its death.
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ signedWhenKilled, output });
      else reject(new Error(`batch ended by itself (${code}) before it could be killed:\n${output}`));
    });
  });
}

describe('a 50-permit batch killed mid-way', () => {
  it('leaves every permit either issued with a valid signature or still a draft, and no number twice', async () => {
    const { signedWhenKilled, output } = await runBatchUntilKilled();
    expect(signedWhenKilled, output).toBeGreaterThanOrEqual(KILL_AFTER_SIGNED);
    expect(signedWhenKilled).toBeLessThan(BATCH);

    // Restart: the same cache file, a new process's services.
    const desk = await createDeskServices({ cacheFile, signedDir, serverUrl: server.url, syncIntervalMs: 0 });
    const call = async (method: string, input: unknown) => {
      const result = await dispatchCall(desk.handlers, method, input);
      if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
      return result.value as any;
    };
    await call('session.signIn', { username: 'kadis', password: DEMO_PASSWORD });

    const local = new Database(cacheFile, { readonly: true });
    const recorded = local.prepare('SELECT application_id, file_path, permit_number FROM signed_permits').all() as Array<{ application_id: string; file_path: string; permit_number: string }>;
    local.close();
    expect(recorded.length).toBeGreaterThanOrEqual(signedWhenKilled);
    for (const row of recorded) expect(existsSync(row.file_path)).toBe(true);

    const afterCrash = new Database(serverDb, { readonly: true });
    const stages = afterCrash.prepare('SELECT stage, COUNT(*) AS n FROM applications GROUP BY stage').all() as Array<{ stage: string; n: number }>;
    afterCrash.close();
    const byStage = Object.fromEntries(stages.map((s) => [s.stage, s.n]));
    expect((byStage.terbit ?? 0) + (byStage.penandatanganan ?? 0)).toBe(BATCH);
    expect(byStage.terbit).toBe(recorded.length);

    // The rest are still drafts in the queue; one more batch finishes them.
    const { items } = await call('queue.list', {});
    expect(items.length).toBe(BATCH - recorded.length);
    let batch: SigningBatch = await call('signing.start', { applicationIds: items.map((i: { id: string }) => i.id), passphrase: TEST_PASSPHRASE });
    while (!batch.finished) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      batch = await call('signing.progress', { batchId: batch.id });
    }
    expect(batch.items.every((i) => i.status === 'signed')).toBe(true);
    await call('sync.now', {});
    await desk.close();

    const office = new Database(serverDb, { readonly: true });
    const issued = office.prepare('SELECT permit_number, pdf FROM issued_permits').all() as Array<{ permit_number: string; pdf: Buffer }>;
    const numbers = office.prepare('SELECT permit_number FROM permit_numbers').all() as Array<{ permit_number: string }>;
    const stillDraft = (office.prepare("SELECT COUNT(*) AS n FROM applications WHERE stage != 'terbit'").get() as { n: number }).n;
    office.close();
    expect(stillDraft).toBe(0);
    expect(issued.length).toBe(BATCH);
    expect(new Set(issued.map((i) => i.permit_number)).size).toBe(BATCH);
    expect(new Set(numbers.map((n) => n.permit_number)).size).toBe(numbers.length);
    for (const [index, permit] of issued.entries()) {
      const file = join(temp.dir, `issued-${index}.pdf`);
      writeFileSync(file, permit.pdf);
      expect(pdfsig(file)).toContain('Signature is Valid.');
    }
  });
});
