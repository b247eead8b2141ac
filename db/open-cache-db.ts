import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Kysely, Migrator, SqliteDialect, type Migration } from 'kysely';
import type { CacheDatabase } from './cache-database';
import { CACHE_MIGRATIONS } from './cache-migrations';
import { BackupSchedule, newestGoodBackup, restoreBackup, type CacheBackup } from './cache-backups';
import { OutboxJournal } from './outbox-journal';
import {
  CacheKeyError,
  checkIntegrity,
  createPrivateFile,
  encryptPlainFile,
  isPlainSqliteFile,
  openEncrypted,
  restrictMode,
  type SqliteHandle,
} from './sqlite-cipher';
import Database from 'better-sqlite3-multiple-ciphers';

export { CacheKeyError } from './sqlite-cipher';

/** What the desk should tell the official once, after the cache was opened. */
export type CacheStartupNotice = {
  kind: 'restored_from_backup';
  /** when the backup the cache was restored from was taken (ISO) */
  backupAt: string;
  /** where the damaged file was kept aside */
  damagedFile: string;
  /** decisions put back into the outbox from the journal */
  replayedCommands: number;
};

export interface CacheDb {
  db: Kysely<CacheDatabase>;
  /** the copy taken before this open migrated the file, if it did */
  backupFile: string | null;
  /** set when the cache was damaged and restored from a backup at this open */
  notice: CacheStartupNotice | null;
  backups: BackupSchedule;
  journal: OutboxJournal;
  close(): Promise<void>;
}

export interface OpenCacheOptions {
  /** the desk's 32-byte cache key */
  key: Buffer;
  /** migrate only up to this migration (tests of one migration step) */
  migrateTo?: string;
  migrations?: Record<string, Migration>;
  /** the rolling backup's interval; 0 (the default here) takes none unless asked */
  backupIntervalMs?: number;
  /** how many verified backups stay; 3 unless said */
  keepBackups?: number;
  now?: () => Date;
}

export class CacheCorruptError extends Error {
  constructor(file: string, detail: string) {
    super(`local cache ${file} failed its integrity check: ${detail}`);
    this.name = 'CacheCorruptError';
  }
}

/** How far the journal looks back beyond the oldest backup, for a transaction open while a backup was taken. */
const JOURNAL_MARGIN_MS = 10 * 60_000;
/**
 * The page cache's ceiling (256 MiB; SQLite allocates it only as pages are read). Plain SQLite
 * leaned on the OS file cache for re-reads; the OS now caches ciphertext, so every page SQLite
 * drops is decrypted again when next read. At 64 MiB the 100k-file queue bench's filter p95
 * doubled and its search p95 grew five-fold; with room for the working set it is back at the
 * plain figures.
 */
const CACHE_SIZE_KIB = 262_144;

function stamp(at: Date): string {
  return at.toISOString().replace(/[:.]/g, '-');
}

/** Opens, keys and checks the file; throws when the key is wrong or the file is damaged. */
function openChecked(file: string, key: Buffer): SqliteHandle {
  const sqlite = openEncrypted(file, key);
  const check = checkIntegrity(sqlite);
  if (check !== 'ok') {
    sqlite.close();
    throw new CacheCorruptError(file, check);
  }
  return sqlite;
}

/**
 * A plain cache from before encryption that still passes its check is encrypted in place.
 * Returns what the check found wrong with a damaged plain file (left for the damaged-cache
 * path: restore or refuse), or null.
 */
function encryptIfPlain(file: string, key: Buffer): string | null {
  if (!isPlainSqliteFile(file)) return null;
  let check: string;
  try {
    const plain = new Database(file, { fileMustExist: true });
    check = checkIntegrity(plain);
    plain.close();
  } catch (error) {
    check = error instanceof Error ? error.message : String(error);
  }
  if (check !== 'ok') return check;
  encryptPlainFile(file, key);
  // copies taken before migrations by earlier versions were plain too
  for (const name of readdirSync(dirname(file))) {
    const copy = join(dirname(file), name);
    if (name.startsWith(`${basename(file)}.before-`) && name.endsWith('.bak') && isPlainSqliteFile(copy)) {
      try {
        encryptPlainFile(copy, key);
      } catch {
        // a plain copy that cannot be encrypted is not kept in clear
        rmSync(copy, { force: true });
      }
    }
  }
  return null;
}

/** Moves the damaged file and its WAL and shared memory aside, so none of it is applied to the restored copy. */
function setAside(file: string, at: Date): string {
  const damaged = `${file}.damaged-${stamp(at)}`;
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    if (existsSync(`${file}${suffix}`)) renameSync(`${file}${suffix}`, `${damaged}${suffix}`);
  }
  restrictMode(damaged);
  return damaged;
}

/**
 * Opens the desk's cache, encrypted at rest (ChaCha20-Poly1305, the desk's key): a plain cache
 * from an earlier version is encrypted first; a damaged one (it fails quick_check or cannot be
 * read with a key that opens its backups) is set aside and the newest good backup restored,
 * with the outbox journal replayed into it; then WAL, and pending migrations. Kysely cannot
 * run SQLite migrations in a transaction, so a file that has data is copied aside first.
 * Every file written here is mode 0600.
 */
export async function openCacheDb(file: string, options: OpenCacheOptions): Promise<CacheDb> {
  const { key } = options;
  const now = options.now ?? (() => new Date());
  const journal = new OutboxJournal(`${file}.outbox-journal`, key, now);
  // a copy half-made when the process died (encrypting a plain cache, restoring a backup)
  for (const leftover of [`${file}.encrypting`, `${file}.encrypting-journal`, `${file}.restoring`]) rmSync(leftover, { force: true });
  const existed = existsSync(file);
  if (!existed) createPrivateFile(file);
  const plainDamage = encryptIfPlain(file, key);

  let notice: CacheStartupNotice | null = null;
  let sqlite: SqliteHandle;
  try {
    sqlite = openChecked(file, key);
  } catch (error) {
    const sqliteCode = (error as { code?: string }).code;
    if (!(error instanceof CacheCorruptError) && !(sqliteCode && /^SQLITE_(NOTADB|CORRUPT)/.test(sqliteCode))) throw error;
    // A backup that opens with this key proves the key right, so the file itself is damaged.
    const backup: CacheBackup | null = newestGoodBackup(file, key);
    if (!backup) {
      if (error instanceof CacheCorruptError) throw error;
      if (plainDamage) throw new CacheCorruptError(file, plainDamage);
      throw sqliteCode?.startsWith('SQLITE_CORRUPT') ? new CacheCorruptError(file, String(error)) : new CacheKeyError(file);
    }
    const damagedFile = setAside(file, now());
    restoreBackup(file, backup);
    sqlite = openChecked(file, key);
    notice = { kind: 'restored_from_backup', backupAt: backup.at.toISOString(), damagedFile, replayedCommands: 0 };
  }

  restrictMode(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`cache_size = -${CACHE_SIZE_KIB}`);
  // SQLite's temporary files (large sorts, temp tables) are not encrypted: keep them in memory
  sqlite.pragma('temp_store = MEMORY');
  restrictMode(file);
  const db = new Kysely<CacheDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrations = options.migrations ?? CACHE_MIGRATIONS;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });

  let backupFile: string | null = null;
  const pending = (await migrator.getMigrations()).filter((m) => !m.executedAt);
  if (existed && pending.length > 0 && pending.length < Object.keys(migrations).length) {
    backupFile = `${file}.before-${pending[0]!.name}.bak`;
    rmSync(backupFile, { force: true });
    createPrivateFile(backupFile);
    // VACUUM INTO writes the copy encrypted with this connection's cipher and key
    sqlite.prepare('VACUUM INTO ?').run(backupFile);
    restrictMode(backupFile);
  }
  const { error } = options.migrateTo ? await migrator.migrateTo(options.migrateTo) : await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw new Error(`local cache migration failed${backupFile ? ` (the file before it is at ${backupFile})` : ''}: ${String(error)}`);
  }

  const hasOutbox = sqlite.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'outbox'").get() !== undefined;
  if (hasOutbox) {
    if (notice || !existed) {
      // restored (or recreated): what the official decided since the backup comes back
      const replayed = journal.replay(sqlite);
      if (notice) notice.replayedCommands = replayed;
    } else {
      // a sound cache at open: nothing is in flight, so a journaled command the outbox does not
      // hold was rolled back and must never be replayed
      const held = new Set((sqlite.prepare('SELECT id FROM outbox').all() as Array<{ id: string }>).map((r) => r.id));
      journal.compact((entry) => typeof entry.row.id === 'string' && held.has(entry.row.id));
    }
    journal.attach(sqlite);
  }

  const backups = new BackupSchedule(file, key, {
    intervalMs: options.backupIntervalMs ?? 0,
    keep: options.keepBackups ?? 3,
    now,
    afterBackup: (kept) => {
      // every kept backup holds what was journaled well before the oldest of them
      const oldest = kept.at(-1);
      if (!oldest) return;
      const horizon = oldest.at.getTime() - JOURNAL_MARGIN_MS;
      journal.compact((entry) => new Date(entry.at).getTime() >= horizon);
    },
  });
  if ((options.backupIntervalMs ?? 0) > 0) backups.start();

  return {
    db,
    backupFile,
    notice,
    backups,
    journal,
    async close() {
      await backups.stop();
      await db.destroy();
      journal.close();
    },
  };
}
