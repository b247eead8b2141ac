import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { listBackups } from '../../db/cache-backups';
import { CacheKeyMissingError, fileKeyStore, loadOrCreateCacheKey } from '../../db/cache-key';
import { openCacheDb, type CacheDb } from '../../db/open-cache-db';
import { checkIntegrity, openEncrypted } from '../../db/sqlite-cipher';
import { createDeskServices } from '../../main/services/create-desk-services';
import { makeTempDir } from '../support/temp-dir';

const temp = makeTempDir('cache-backup-journal');
afterAll(() => temp.remove());

function clock(start = new Date('2026-11-24T01:00:00Z')) {
  let at = start.getTime();
  return { now: () => new Date(at), advance: (minutes: number) => (at += minutes * 60_000) };
}

async function addOutboxRow(cache: CacheDb, applicationId = 'a1'): Promise<string> {
  const id = randomUUID();
  await cache.db
    .insertInto('outbox')
    .values({ id, application_id: applicationId, command: JSON.stringify({ id, type: 'transition', applicationId }), status: 'pending', attempts: 0, next_attempt_at: '2026-11-24T01:00:00Z', created_at: '2026-11-24T01:00:00Z', result_code: null, result_message: null })
    .execute();
  return id;
}

describe('the rolling backup', () => {
  it('keeps the three newest verified, encrypted copies, and restores from the newest good one when a newer one is damaged too', async () => {
    const file = join(temp.dir, 'rolling.sqlite');
    const key = randomBytes(32);
    const time = clock();
    const cache = await openCacheDb(file, { key, now: time.now });
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      ids.push(await addOutboxRow(cache));
      await cache.backups.runNow();
      time.advance(60);
    }
    const backups = listBackups(file);
    expect(backups.map((b) => b.at.toISOString())).toEqual(['2026-11-24T04:00:00.000Z', '2026-11-24T03:00:00.000Z', '2026-11-24T02:00:00.000Z']);
    for (const backup of backups) {
      expect(statSync(backup.file).mode & 0o777).toBe(0o600);
      expect(() => new Database(backup.file, { readonly: true }).prepare('SELECT 1 FROM outbox').get()).toThrow(/not a database/);
      const copy = openEncrypted(backup.file, key, { readonly: true });
      expect(checkIntegrity(copy, 'integrity_check')).toBe('ok');
      copy.close();
    }
    // a decision after the last backup, then the cache and the newest backup are both damaged
    const late = await addOutboxRow(cache);
    await cache.close();
    for (const damaged of [file, backups[0]!.file]) {
      const fd = openSync(damaged, 'r+');
      writeSync(fd, randomBytes(4096), 0, 4096, 0);
      closeSync(fd);
    }

    const reopened = await openCacheDb(file, { key, now: time.now });
    expect(reopened.notice).toMatchObject({ kind: 'restored_from_backup', backupAt: '2026-11-24T03:00:00.000Z', replayedCommands: 2 });
    expect((await reopened.db.selectFrom('outbox').select('id').orderBy('id').execute()).map((r) => r.id).sort()).toEqual([...ids, late].sort());
    await reopened.close();
  });

  it('drops journal lines every kept backup already holds', async () => {
    const file = join(temp.dir, 'journal-horizon.sqlite');
    const key = randomBytes(32);
    const time = clock();
    const cache = await openCacheDb(file, { key, now: time.now });
    const early = await addOutboxRow(cache);
    // within the margin of the oldest backup (a transaction may have been open while it was taken)
    time.advance(5);
    await cache.backups.runNow();
    time.advance(60);
    await cache.backups.runNow();
    expect(cache.journal.read().entries.map((e) => e.row.id)).toEqual([early]);
    for (let i = 0; i < 2; i += 1) {
      time.advance(60);
      await cache.backups.runNow();
    }
    // the backup of 01:05 has rotated out; every kept one is an hour or more after the line
    expect(listBackups(file)).toHaveLength(3);
    expect(cache.journal.read().entries).toEqual([]);
    await cache.close();
  });
});

describe('the outbox journal', () => {
  it('forgets a command whose transaction rolled back, and skips a torn line', async () => {
    const file = join(temp.dir, 'rollback.sqlite');
    const key = randomBytes(32);
    const cache = await openCacheDb(file, { key });
    const kept = await addOutboxRow(cache);
    await expect(
      cache.db.transaction().execute(async (trx) => {
        await trx.insertInto('outbox').values({ id: 'rolled-back', application_id: 'a1', command: '{}', status: 'pending', attempts: 0, next_attempt_at: 'x', created_at: 'x', result_code: null, result_message: null }).execute();
        throw new Error('the decision failed after its outbox row');
      }),
    ).rejects.toThrow(/failed after/);
    expect(cache.journal.read().entries.map((e) => e.row.id)).toEqual([kept, 'rolled-back']);
    await cache.close();
    appendFileSync(`${file}.outbox-journal`, 'dG9ybiBsaW5l');
    expect(statSync(`${file}.outbox-journal`).mode & 0o777).toBe(0o600);

    const reopened = await openCacheDb(file, { key });
    expect(reopened.journal.read()).toMatchObject({ entries: [{ row: { id: kept } }], unreadable: 0 });
    await reopened.close();

    // a cache that is gone gets its commands back from the journal, and nothing else
    appendFileSync(`${file}.outbox-journal`, 'dG9ybiBsaW5l\n');
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    const fresh = await openCacheDb(file, { key });
    expect((await fresh.db.selectFrom('outbox').select(['id', 'status']).execute())).toEqual([{ id: kept, status: 'pending' }]);
    await fresh.close();
  });
});

describe('the cache key', () => {
  it('is one 0600 key file however many desks create it at once', async () => {
    const path = join(temp.dir, 'keys', 'cache.key');
    const keys = await Promise.all(Array.from({ length: 6 }, () => loadOrCreateCacheKey(fileKeyStore(path))));
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(1);
    expect(keys[0]!.length).toBe(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses to make a new key for an encrypted cache whose key is gone', async () => {
    const dir = join(temp.dir, 'lost-key');
    const cacheFile = join(dir, 'desk-cache.sqlite');
    const desk = await createDeskServices({ cacheFile, serverUrl: 'http://127.0.0.1:9', syncIntervalMs: 0, backupIntervalMs: 0 });
    await desk.close();
    rmSync(join(dir, 'cache.key'));
    await expect(createDeskServices({ cacheFile, serverUrl: 'http://127.0.0.1:9', syncIntervalMs: 0 })).rejects.toThrow(CacheKeyMissingError);
    expect(existsSync(join(dir, 'cache.key'))).toBe(false);
  });
});
