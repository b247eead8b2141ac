import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { Kysely, Migrator, SqliteDialect, type Migration } from 'kysely';
import type { CacheDatabase } from './cache-database';
import { CACHE_MIGRATIONS } from './cache-migrations';

export interface CacheDb {
  db: Kysely<CacheDatabase>;
  /** the copy taken before this open migrated the file, if it did */
  backupFile: string | null;
  close(): Promise<void>;
}

export interface OpenCacheOptions {
  /** migrate only up to this migration (tests of one migration step) */
  migrateTo?: string;
  migrations?: Record<string, Migration>;
}

export class CacheCorruptError extends Error {
  constructor(file: string, detail: string) {
    super(`local cache ${file} failed its integrity check: ${detail}`);
    this.name = 'CacheCorruptError';
  }
}

/**
 * Opens the desk's cache: integrity check, WAL, and pending migrations. Kysely cannot run
 * SQLite migrations in a transaction, so a file that has data is copied aside first.
 */
export async function openCacheDb(file: string, options: OpenCacheOptions = {}): Promise<CacheDb> {
  const existed = existsSync(file);
  const sqlite = new Database(file);
  const check = sqlite.pragma('quick_check', { simple: true });
  if (check !== 'ok') {
    sqlite.close();
    throw new CacheCorruptError(file, String(check));
  }
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<CacheDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrations = options.migrations ?? CACHE_MIGRATIONS;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });

  let backupFile: string | null = null;
  const pending = (await migrator.getMigrations()).filter((m) => !m.executedAt);
  if (existed && pending.length > 0 && pending.length < Object.keys(migrations).length) {
    backupFile = `${file}.before-${pending[0]!.name}.bak`;
    await sqlite.backup(backupFile);
  }
  const { error } = options.migrateTo ? await migrator.migrateTo(options.migrateTo) : await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw new Error(`local cache migration failed${backupFile ? ` (the file before it is at ${backupFile})` : ''}: ${String(error)}`);
  }
  return { db, backupFile, close: () => db.destroy() };
}
