import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import * as initial from './migrations/2026-11-23-001-initial';
import * as issuedPermits from './migrations/2026-11-23-002-issued-permits';
import * as claims from './migrations/2026-11-23-003-claims';
import * as eventEvidence from './migrations/2026-11-23-004-event-evidence';
import * as signedPermitTrust from './migrations/2026-11-24-005-signed-permit-trust';
import * as authorSessions from './migrations/2026-11-24-006-author-sessions';
import * as commandLedgerAuthorship from './migrations/2026-11-24-007-command-ledger-authorship';
import * as complaints from './migrations/2026-11-24-020-complaints';
import * as offices from './migrations/2026-11-24-021-offices';
import * as preparedPermits from './migrations/2026-11-24-022-prepared-permits';
import * as definitionsVersion from './migrations/2026-11-24-023-definitions-version';
import * as loginThrottle from './migrations/2026-11-24-024-login-throttle';
import * as changeSequence from './migrations/2026-11-24-025-change-sequence';
import * as actedOnIndexes from './migrations/2026-11-25-026-acted-on-indexes';
import * as permitPdfCompression from './migrations/2026-11-25-027-permit-pdf-compression';
import type { ServerDatabase } from './server-database';
import { describeLocation, serverDbLocation, type ServerEngine } from './server-engine';
import { PostgresSchemaPlugin } from './postgres-schema-plugin';
import { createPostgresPool } from './postgres-pool';
import { CorruptServerDatabaseError, backUpBeforeMigrating, integrityProblems } from './sqlite-premigration-check';

// Kysely runs migrations in the order of their names: the numbers keep it the order written.
export const serverMigrations: Readonly<Record<string, Migration>> = {
  '2026-11-23-001-initial': initial,
  '2026-11-23-002-issued-permits': issuedPermits,
  '2026-11-23-003-claims': claims,
  '2026-11-23-004-event-evidence': eventEvidence,
  '2026-11-24-005-signed-permit-trust': signedPermitTrust,
  '2026-11-24-006-author-sessions': authorSessions,
  '2026-11-24-007-command-ledger-authorship': commandLedgerAuthorship,
  '2026-11-24-020-complaints': complaints,
  '2026-11-24-021-offices': offices,
  '2026-11-24-022-prepared-permits': preparedPermits,
  '2026-11-24-023-definitions-version': definitionsVersion,
  '2026-11-24-024-login-throttle': loginThrottle,
  '2026-11-24-025-change-sequence': changeSequence,
  '2026-11-25-026-acted-on-indexes': actedOnIndexes,
  '2026-11-25-027-permit-pdf-compression': permitPdfCompression,
};

export interface ServerDb {
  db: Kysely<ServerDatabase>;
  engine: ServerEngine;
  /** SQLite only: an online, consistent copy of the file (better-sqlite3's backup API) */
  backUpTo?(file: string): Promise<void>;
  /** SQLite only: the backup taken before this open migrated the file, if it did */
  preMigrationBackup?: string;
  close(): Promise<void>;
}

export interface OpenServerDbOptions {
  /** false: open without migrating (tests that build an older schema) */
  migrate?: boolean;
  /** PostgreSQL: connections in this process's pool */
  poolSize?: number;
}

/** The server's migrations, all of them or up to and including `upTo` (N-1 → N tests). */
export function serverMigrationProvider(upTo?: string): MigrationProvider {
  const names = Object.keys(serverMigrations);
  if (upTo !== undefined && !names.includes(upTo)) throw new Error(`no server migration named ${upTo}`);
  const chosen = upTo === undefined ? names : names.slice(0, names.indexOf(upTo) + 1);
  return { getMigrations: async () => Object.fromEntries(chosen.map((name) => [name, serverMigrations[name]!])) };
}

/**
 * The migrator for this database. On PostgreSQL the migrations run through the schema plugin
 * (blob → bytea, autoincrement → identity), each in its own transaction, and under kysely's
 * advisory lock, so two server processes starting at once migrate once.
 */
export function serverMigrator(db: Kysely<any>, engine: ServerEngine, provider: MigrationProvider = serverMigrationProvider()): Migrator {
  return new Migrator({ db: engine === 'postgres' ? db.withPlugin(new PostgresSchemaPlugin()) : db, provider });
}

/** Names of the server's migrations this database has not run yet. */
export async function pendingServerMigrations(db: Kysely<any>, engine: ServerEngine): Promise<string[]> {
  return (await serverMigrator(db, engine).getMigrations()).filter((m) => !m.executedAt).map((m) => m.name);
}

/**
 * Opens the server's database: a SQLite file (the embedded default) or, for a postgres:// URL,
 * a PostgreSQL database; then brings it to the latest migration. A SQLite file with migrations
 * pending is checked (integrity_check; a damaged file is refused, untouched) and backed up first.
 */
export async function openServerDb(location: string, options: OpenServerDbOptions = {}): Promise<ServerDb> {
  const where = serverDbLocation(location);
  const { sqlite, ...opened }: ServerDb & { sqlite?: Database.Database } = where.engine === 'postgres' ? openPostgres(where.url, options) : openSqlite(where.file);
  if (options.migrate === false) return opened;
  try {
    if (sqlite && where.engine === 'sqlite') {
      const pending = await pendingServerMigrations(opened.db, 'sqlite').catch((error: unknown) => {
        // a file too damaged to list its migrations: say so plainly when integrity_check agrees
        const problems = integrityProblems(sqlite);
        throw problems.length > 0 ? new CorruptServerDatabaseError(where.file, problems) : error;
      });
      if (pending.length > 0 && (await hasTables(opened.db))) opened.preMigrationBackup = await backUpBeforeMigrating(sqlite, where.file);
    }
    const { error } = await serverMigrator(opened.db, opened.engine).migrateToLatest();
    if (error) throw new Error(`server database migration failed (${describeLocation(location)}): ${error instanceof Error ? error.message : String(error)}`);
  } catch (error) {
    await opened.close();
    throw error;
  }
  return opened;
}

function openSqlite(file: string): ServerDb & { sqlite: Database.Database } {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<ServerDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    sqlite,
    engine: 'sqlite',
    backUpTo: async (target) => {
      await sqlite.backup(target);
    },
    close: () => db.destroy(),
  };
}

function openPostgres(url: string, options: OpenServerDbOptions): ServerDb {
  const db = new Kysely<ServerDatabase>({ dialect: new PostgresDialect({ pool: createPostgresPool(url, { max: options.poolSize }) }) });
  return { db, engine: 'postgres', close: () => db.destroy() };
}

/** A file that holds no table yet is new: there is nothing to back up. */
async function hasTables(db: Kysely<ServerDatabase>): Promise<boolean> {
  return (await db.introspection.getTables({ withInternalKyselyTables: true })).length > 0;
}
