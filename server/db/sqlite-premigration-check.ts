import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A SQLite server file that fails `PRAGMA integrity_check`: it is never migrated. */
export class CorruptServerDatabaseError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`the server database ${file} is damaged (PRAGMA integrity_check: ${problems.slice(0, 5).join('; ')}); it was not migrated. Restore it from a backup.`);
  }
}

/** The problems `PRAGMA integrity_check` reports; empty when the file is sound. */
export function integrityProblems(sqlite: Database.Database): string[] {
  const rows = sqlite.pragma('integrity_check') as Array<{ integrity_check: string }>;
  return rows.map((r) => r.integrity_check).filter((line) => line !== 'ok');
}

/**
 * Before migrating a SQLite server file: check it is sound, then take an online backup beside it
 * (better-sqlite3's backup API, consistent even while the file is open). Kysely does not run
 * SQLite migrations in a transaction (no transactional DDL there), so a migration that fails
 * halfway leaves the file between versions: the backup is the way back.
 * Answers the backup's path.
 */
export async function backUpBeforeMigrating(sqlite: Database.Database, file: string, now = new Date()): Promise<string> {
  const problems = integrityProblems(sqlite);
  if (problems.length > 0) throw new CorruptServerDatabaseError(file, problems);
  const dir = join(dirname(file), 'pre-migration-backups');
  mkdirSync(dir, { recursive: true });
  const target = join(dir, `${basename(file)}.${now.toISOString().replace(/[:.]/g, '-')}.sqlite`);
  await sqlite.backup(target);
  return target;
}
