import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration } from 'kysely';
import * as initial from './migrations/2026-11-23-001-initial';
import * as issuedPermits from './migrations/2026-11-23-002-issued-permits';
import * as claims from './migrations/2026-11-23-003-claims';
import * as eventEvidence from './migrations/2026-11-23-004-event-evidence';
import * as signedPermitTrust from './migrations/2026-11-24-005-signed-permit-trust';
import * as authorSessions from './migrations/2026-11-24-006-author-sessions';
import * as commandLedgerAuthorship from './migrations/2026-11-24-007-command-ledger-authorship';
import * as complaints from './migrations/2026-11-24-020-complaints';
import type { ServerDatabase } from './server-database';

// Kysely runs migrations in the order of their names: the numbers keep it the order written.
const migrations: Record<string, Migration> = {
  '2026-11-23-001-initial': initial,
  '2026-11-23-002-issued-permits': issuedPermits,
  '2026-11-23-003-claims': claims,
  '2026-11-23-004-event-evidence': eventEvidence,
  '2026-11-24-005-signed-permit-trust': signedPermitTrust,
  '2026-11-24-006-author-sessions': authorSessions,
  '2026-11-24-007-command-ledger-authorship': commandLedgerAuthorship,
  '2026-11-24-020-complaints': complaints,
};

export interface ServerDb {
  db: Kysely<ServerDatabase>;
  close(): Promise<void>;
}

export async function openServerDb(file: string): Promise<ServerDb> {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<ServerDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw new Error(`server database migration failed: ${String(error)}`);
  }
  return { db, close: () => db.destroy() };
}
