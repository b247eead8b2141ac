import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, openSync, readFileSync, readdirSync, statSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CACHE_MIGRATIONS } from '../../db/cache-migrations';
import { backupFolder, listBackups } from '../../db/cache-backups';
import { openCacheDb } from '../../db/open-cache-db';
import { createDeskServices } from '../../main/services/create-desk-services';
import { startOfficeAndDesk } from '../support/desk-under-test';
import { deskCacheKey, openDeskCache } from '../support/desk-cache-file';
import { serverEventCount, serverStage } from '../support/server-inspection';
import { makeTempDir } from '../support/temp-dir';

let office: Awaited<ReturnType<typeof startOfficeAndDesk>>;

beforeEach(async () => {
  office = await startOfficeAndDesk(8);
});
afterEach(async () => {
  await office.close();
});

function cacheFileOf(name: string): string {
  // startOfficeAndDesk keeps every desk's cache in the server's folder, as `<name>.sqlite`
  return join(office.serverDb, '..', `${name}.sqlite`);
}

/** Printable runs of 8+ characters, as `strings` shows them. */
function printable(file: string): string {
  return execFileSync('strings', ['-n', '8', file], { maxBuffer: 256 * 1024 * 1024 }).toString();
}

function mode(file: string): number {
  return statSync(file).mode & 0o777;
}

/** Overwrites `count` pages of the applications table in the middle of a closed cache with random bytes. */
function damagePages(cacheFile: string, count = 3): number[] {
  const sqlite = openDeskCache(cacheFile);
  const pageSize = Number(sqlite.pragma('page_size', { simple: true }));
  const pages = (sqlite.prepare("SELECT pageno FROM dbstat WHERE name IN ('applications', 'documents') ORDER BY pageno").all() as Array<{ pageno: number }>).map((p) => p.pageno);
  sqlite.close();
  const middle = Math.floor(pages.length / 2);
  const chosen = pages.slice(Math.max(0, middle - 1), Math.max(0, middle - 1) + count);
  const fd = openSync(cacheFile, 'r+');
  for (const page of chosen) writeSync(fd, randomBytes(pageSize), 0, pageSize, (page - 1) * pageSize);
  closeSync(fd);
  return chosen;
}

describe('the desk cache at rest', () => {
  it('is encrypted: plain SQLite cannot read it, no NIK is visible in it, FTS search still works, and every file is 0600', async () => {
    const penata = await office.openDesk('penata');
    await penata.signIn('penata');
    const { items } = await penata.callOk('queue.list', {});
    const target = items[0]!;
    const detail = await penata.callOk('application.get', { applicationId: target.id });
    const nik = detail.application.applicant.nik;

    // search (FTS5) on the encrypted cache: by a word of the name and by NIK
    const word = detail.application.applicant.fullName.split(' ')[0]!.toLowerCase();
    expect((await penata.callOk('queue.list', { search: word })).items.map((i) => i.id)).toContain(target.id);
    expect((await penata.callOk('queue.list', { search: nik })).items.map((i) => i.id)).toEqual([target.id]);

    // a decision, so the journal exists; a backup, so its folder exists
    await office.stopServer();
    const checklist = Object.fromEntries(detail.permitType.requirements.map((r) => [r.id, true]));
    await penata.callOk('review.decide', { applicationId: target.id, action: 'teruskan', reason: 'Diperiksa dengan dokumen asli.', checklist });
    await penata.desk.backups.runNow();

    const cacheFile = cacheFileOf('penata');
    const dir = join(cacheFile, '..');
    const written = [cacheFile, `${cacheFile}-wal`, `${cacheFile}-shm`, `${cacheFile}.outbox-journal`, join(dir, 'cache.key'), ...listBackups(cacheFile).map((b) => b.file)];
    for (const file of written) expect([file, mode(file).toString(8)]).toEqual([file, '600']);
    expect(mode(backupFolder(cacheFile)).toString(8)).toBe('700');
    expect(deskCacheKey(cacheFile).length).toBe(32);
    // the WAL holds encrypted pages too
    expect(printable(`${cacheFile}-wal`).includes(nik)).toBe(false);
    await penata.desk.close();

    expect(readFileSync(cacheFile).subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');
    expect(() => new Database(cacheFile, { readonly: true }).prepare('SELECT count(*) FROM applications').get()).toThrow(/file is not a database/);
    for (const file of [cacheFile, `${cacheFile}.outbox-journal`, ...listBackups(cacheFile).map((b) => b.file)]) {
      const text = printable(file);
      expect(text.includes(nik), `${file} shows the NIK`).toBe(false);
      expect(text.includes(detail.application.applicant.fullName), `${file} shows the name`).toBe(false);
    }
    // the key opens it
    const sqlite = openDeskCache(cacheFile);
    expect((sqlite.prepare('SELECT nik FROM applications WHERE id = ?').get(target.id) as { nik: string }).nik).toBe(nik);
    sqlite.close();
  });

  it('refuses a wrong key with a clear error, and leaves the cache where it is', async () => {
    const penata = await office.openDesk('penata');
    await penata.signIn('penata');
    await penata.desk.backups.runNow();
    await penata.desk.close();
    const cacheFile = cacheFileOf('penata');

    await expect(createDeskServices({ cacheFile, cacheKey: randomBytes(32), serverUrl: office.server.url, syncIntervalMs: 0 })).rejects.toThrow(
      /cannot be opened with this desk's key/,
    );
    expect(readdirSync(join(cacheFile, '..')).filter((n) => n.includes('.damaged-'))).toEqual([]);
    const again = await office.openDesk('penata');
    expect(again.desk.startupNotice).toBeNull();
    expect((await again.signIn('penata')).user.role).toBe('penata_perizinan');
  });

  it('restores a damaged cache from its backup with a notice, and nothing acknowledged or journaled is lost', async () => {
    const penata = await office.openDesk('penata');
    await penata.signIn('penata');
    const { items } = await penata.callOk('queue.list', {});
    const [accepted, offline] = [items[0]!, items[1]!];
    const backup = await penata.desk.backups.runNow();

    // after the backup: one decision the server accepts, one made offline that waits in the outbox
    const decide = async (applicationId: string) => {
      const detail = await penata.callOk('application.get', { applicationId });
      const checklist = Object.fromEntries(detail.permitType.requirements.map((r) => [r.id, true]));
      return penata.callOk('review.decide', { applicationId, action: 'teruskan', reason: 'Diperiksa dengan dokumen asli.', checklist });
    };
    expect((await decide(accepted.id)).delivered).toBe(true);
    await office.stopServer();
    expect((await decide(offline.id)).delivered).toBe(false);
    const cacheFile = cacheFileOf('penata');
    const pendingBefore = openDeskCache(cacheFile);
    const pendingIds = (pendingBefore.prepare("SELECT id FROM outbox WHERE status = 'pending'").all() as Array<{ id: string }>).map((r) => r.id);
    const acceptedId = (pendingBefore.prepare("SELECT id FROM outbox WHERE application_id = ? AND status = 'delivered'").get(accepted.id) as { id: string }).id;
    pendingBefore.close();
    expect(pendingIds).toHaveLength(1);
    await penata.desk.close();

    const damaged = damagePages(cacheFile);
    expect(damaged.length).toBe(3);

    const restarted = await office.openDesk('penata');
    expect(restarted.desk.startupNotice).toMatchObject({ kind: 'restored_from_backup', backupAt: backup.at.toISOString() });
    expect(existsSync(restarted.desk.startupNotice!.damagedFile)).toBe(true);
    // the offline decision is back in the outbox, from the journal
    expect(await restarted.callOk('sync.status', {})).toMatchObject({ pendingCommands: 2 });
    const restored = openDeskCache(cacheFile);
    const outbox = (restored.prepare("SELECT id FROM outbox WHERE status = 'pending' ORDER BY created_at").all() as Array<{ id: string }>).map((r) => r.id);
    restored.close();
    expect(outbox).toContain(pendingIds[0]);
    expect(outbox).toContain(acceptedId);

    await office.restartServer();
    await restarted.signIn('penata');
    expect(await restarted.callOk('sync.status', {})).toMatchObject({ online: true, pendingCommands: 0, rejectedCommands: [] });
    expect(serverStage(office.serverDb, offline.id)).toBe('verifikasi_draf');
    expect(serverStage(office.serverDb, accepted.id)).toBe('verifikasi_draf');
    // the accepted one was sent again and applied once; the restored cache knows where both went
    expect(serverEventCount(office.serverDb, acceptedId)).toBe(1);
    expect(serverEventCount(office.serverDb, pendingIds[0]!)).toBe(1);
    const queue = (await restarted.callOk('queue.list', {})).items.map((i) => i.id);
    expect(queue).not.toContain(accepted.id);
    expect(queue).not.toContain(offline.id);
  });

  it('refetches a cached document whose bytes no longer match its SHA-256, and never shows the wrong bytes offline', async () => {
    const penata = await office.openDesk('penata');
    await penata.signIn('penata');
    const { items } = await penata.callOk('queue.list', {});
    const detail = await penata.callOk('application.get', { applicationId: items[0]!.id });
    const meta = detail.documents[0]!;
    const original = Buffer.from((await penata.callOk('application.document', { documentId: meta.id })).base64, 'base64');
    await penata.desk.close();

    const cacheFile = cacheFileOf('penata');
    const tamper = () => {
      const sqlite = openDeskCache(cacheFile, { readonly: false });
      const altered = Buffer.from(original);
      altered.writeUInt8(altered.readUInt8(altered.length - 10) ^ 0xff, altered.length - 10);
      sqlite.prepare('UPDATE documents SET content = ? WHERE id = ?').run(altered, meta.id);
      sqlite.close();
    };
    const cached = () => {
      const sqlite = openDeskCache(cacheFile);
      const row = sqlite.prepare('SELECT content FROM documents WHERE id = ?').get(meta.id) as { content: Buffer | null };
      sqlite.close();
      return row.content;
    };

    tamper();
    const again = await office.openDesk('penata');
    await again.signIn('penata');
    const served = Buffer.from((await again.callOk('application.document', { documentId: meta.id })).base64, 'base64');
    expect(served.equals(original)).toBe(true);
    await again.desk.close();
    expect(cached()?.equals(original)).toBe(true);

    // damaged while the desk runs (a second connection writes the cache), then the network goes
    const running = await office.openDesk('penata');
    await running.signIn('penata');
    tamper();
    await office.stopServer();
    const result = await running.call('application.document', { documentId: meta.id });
    expect(result.ok === false && result.error.code).toBe('DOCUMENT_NOT_CACHED');
    await running.desk.close();
    expect(cached()).toBeNull();
  });
});

describe('a cache from before encryption', () => {
  it('is encrypted in place at open, with its pre-migration copies, and nothing plain is left', async () => {
    const temp = makeTempDir('plain-cache');
    try {
      const file = join(temp.dir, 'desk-cache.sqlite');
      const nik = '1872019912310042';
      const plain = new Database(file);
      plain.pragma('journal_mode = WAL');
      const db = new Kysely<any>({ dialect: new SqliteDialect({ database: plain }) });
      await new Migrator({ db, provider: { getMigrations: async () => CACHE_MIGRATIONS } }).migrateToLatest();
      await db
        .insertInto('applications')
        .values({ id: 'a1', registration_number: 'MPPD-1', permit_type_id: 'p', workflow_id: 'w', stage: 's', server_stage: 's', applicant_name: 'Siti Rahayu', nik, submitted_at: '2026-11-23T01:00:00Z', complete_at: null, deadline_date: null, data: '{}', change_seq: 1 })
        .execute();
      copyFileSync(file, `${file}.before-2026-11-23-003-queue-at-scale.bak`);
      await db.destroy();
      expect(printable(file)).toContain(nik);

      const key = randomBytes(32);
      const cache = await openCacheDb(file, { key });
      expect((await cache.db.selectFrom('applications').select('nik').execute()).map((r) => r.nik)).toEqual([nik]);
      const hits = (await cache.db.selectFrom('application_search_trigram' as any).select('rowid').where('application_search_trigram' as any, 'match', 'siti').execute()).length;
      expect(hits).toBe(1);
      await cache.close();

      for (const name of readdirSync(temp.dir)) {
        const path = join(temp.dir, name);
        expect(printable(path).includes(nik), `${name} shows the NIK`).toBe(false);
        expect(mode(path).toString(8)).toBe('600');
      }
      expect(() => new Database(file, { readonly: true }).prepare('SELECT 1 FROM applications').get()).toThrow(/file is not a database/);
    } finally {
      temp.remove();
    }
  });
});
