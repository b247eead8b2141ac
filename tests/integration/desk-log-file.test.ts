import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { createFileLog, LOG_FILE_NAME } from '../../main/services/desk-log-file';
import { openDeskCache } from '../support/desk-cache-file';
import { startOfficeAndDesk } from '../support/desk-under-test';
import { makeTempDir } from '../support/temp-dir';

let office: Awaited<ReturnType<typeof startOfficeAndDesk>>;

beforeAll(async () => {
  office = await startOfficeAndDesk(4);
});

afterAll(async () => {
  await office.close();
});

const logLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, any>);

describe('the desk log file', () => {
  it('keeps an unexpected error (class, stack, method) in <data>/logs, with no personal data or secrets', async () => {
    const penata = await office.openDesk('penata');
    await penata.signIn('penata');
    const target = (await penata.callOk('queue.list', {})).items[0]!;
    const cacheFile = join(dirname(office.serverDb), 'penata.sqlite');
    const logFile = join(dirname(cacheFile), 'logs', LOG_FILE_NAME);

    // a cached line damaged so that reading it fails in a way no service expects: JSON.parse quotes the text it choked on
    const cache = openDeskCache(cacheFile, { readonly: false });
    cache.prepare('UPDATE events SET data = ? WHERE application_id = ?').run(`{"nik":"${target.nik}","actorName":"${target.applicantName}" broken`, target.id);
    cache.close();
    const answer = await penata.call('application.get', { applicationId: target.id });
    expect(answer).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });

    const failure = logLines(logFile).find((l) => l.event === 'handler.failed');
    expect(failure).toMatchObject({ level: 'error', method: 'application.get', err: { class: 'SyntaxError' } });
    expect(failure!.err.stack.length).toBeGreaterThan(0);
    const text = readFileSync(logFile, 'utf8');
    for (const secret of [target.nik, target.nik.slice(4, 12), target.applicantName, DEMO_PASSWORD, 'Siti Rahmawati']) expect(text).not.toContain(secret);
  });

  it('logs what the background sync used to drop, and says INTERNAL in the status', async () => {
    const koordinator = await office.openDesk('koordinator');
    await koordinator.signIn('koordinator');
    const cacheFile = join(dirname(office.serverDb), 'koordinator.sqlite');
    const cache = openDeskCache(cacheFile, { readonly: false });
    // a cache the pull writer cannot write: a bug, not the network
    cache.exec("UPDATE meta SET value = '0' WHERE key = 'cursor'; CREATE TRIGGER no_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'events refused'); END;");
    cache.close();
    const status = await koordinator.callOk('sync.now', {});
    expect(status.lastError).toBe('INTERNAL');
    const logFile = join(dirname(cacheFile), 'logs', LOG_FILE_NAME);
    expect(logLines(logFile).find((l) => l.event === 'sync.failed')).toMatchObject({ level: 'error', err: { class: 'SqliteError' } });
  });
});

describe('rotation', () => {
  it('rotates past the size limit and keeps only the newest files', () => {
    const temp = makeTempDir('desk-log');
    try {
      const log = createFileLog(temp.dir, { maxBytes: 2000, keep: 2 });
      for (let i = 0; i < 200; i += 1) log.error('test.failure', new Error(`failure number ${i}`), { applicationId: `app-${i}` });
      log.close();
      const files = readdirSync(temp.dir).sort();
      expect(files).toEqual([LOG_FILE_NAME, `${LOG_FILE_NAME}.1`, `${LOG_FILE_NAME}.2`]);
      expect(existsSync(join(temp.dir, `${LOG_FILE_NAME}.3`))).toBe(false);
      // the newest lines are in the current file and the one rotated last
      const newest = [...logLines(join(temp.dir, `${LOG_FILE_NAME}.1`)), ...logLines(join(temp.dir, LOG_FILE_NAME))];
      expect(newest.at(-1)).toMatchObject({ event: 'test.failure', applicationId: 'app-199' });
    } finally {
      temp.remove();
    }
  });
});
