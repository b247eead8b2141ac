import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { createDatabase, startPostgresCluster, type PostgresCluster } from './postgres-cluster';

declare module 'vitest' {
  interface ProvidedContext {
    /** the maintenance URL of the PostgreSQL cluster vitest.postgres.config.ts started for the run */
    postgresAdminUrl?: string;
  }
}

/** Which engine the server under test runs on: MEJA_IZIN_TEST_ENGINE=postgres, else SQLite. */
export type TestEngine = 'sqlite' | 'postgres';

export function testEngineFromEnv(): TestEngine {
  const value = process.env.MEJA_IZIN_TEST_ENGINE ?? 'sqlite';
  if (value !== 'sqlite' && value !== 'postgres') throw new Error(`MEJA_IZIN_TEST_ENGINE must be sqlite or postgres, not ${value}`);
  return value;
}

let ownCluster: Promise<PostgresCluster> | undefined;

/**
 * The cluster the tests use: the one the PostgreSQL run's global setup started, else one this
 * process starts on first use and removes when it exits (a single file run with the env set).
 */
async function adminUrl(): Promise<string> {
  const provided = inject('postgresAdminUrl');
  if (provided) return provided;
  ownCluster ??= startPostgresCluster().then((cluster) => {
    process.once('exit', () => cluster.stop());
    return cluster;
  });
  return (await ownCluster).adminUrl;
}

/** Test server files that live in PostgreSQL in this process: file path → database URL. */
const databases = new Map<string, Promise<string>>();
const created = new Map<string, string>();

/**
 * The PostgreSQL database that stands for a SQLite server file in a PostgreSQL run: the same
 * file always maps to the same database (a restarted server finds its data), a new file to a
 * new, empty one. A postgres:// URL passes through.
 */
export function postgresDatabaseFor(location: string): Promise<string> {
  if (/^postgres(ql)?:\/\//.test(location)) return Promise.resolve(location);
  const file = resolve(location);
  let url = databases.get(file);
  if (!url) {
    const name = `t_${createHash('sha256').update(file).digest('hex').slice(0, 24)}`;
    url = adminUrl().then(async (admin) => {
      const made = await createDatabase(admin, name);
      created.set(file, made);
      return made;
    });
    databases.set(file, url);
  }
  return url;
}

/** The database a server file was mapped to in this process, if it was. */
export function mappedPostgresDatabase(location: string): string | undefined {
  return /^postgres(ql)?:\/\//.test(location) ? location : created.get(resolve(location));
}

/** The subset of better-sqlite3's API the tests read the server's records with. */
export interface ServerDbReader {
  prepare(sql: string): { get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
}

const QUERY_SCRIPT = fileURLToPath(new URL('./postgres-sync-query.mjs', import.meta.url));

/**
 * A synchronous reader over a PostgreSQL database, so the tests' synchronous inspection helpers
 * read either engine alike: each statement runs in a short child process (pg has no synchronous
 * API), with SQLite's `?` placeholders, and comes back with numbers as numbers and bytea as Buffers.
 */
export function postgresReader(url: string): ServerDbReader {
  const query = (sql: string, params: unknown[]): Array<Record<string, unknown>> => {
    const result = spawnSync(process.execPath, [QUERY_SCRIPT], { input: JSON.stringify({ url, sql, params }), encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0) throw new Error(`PostgreSQL read failed: ${result.stderr || result.error?.message}`);
    return (JSON.parse(result.stdout) as Array<Record<string, unknown>>).map((row) =>
      Object.fromEntries(Object.entries(row).map(([key, value]) => [key, isBytes(value) ? Buffer.from(value.$bytes, 'base64') : value])),
    );
  };
  return {
    prepare: (sql) => ({
      get: (...params) => query(sql, params)[0],
      all: (...params) => query(sql, params),
    }),
  };
}

function isBytes(value: unknown): value is { $bytes: string } {
  return typeof value === 'object' && value !== null && typeof (value as { $bytes?: unknown }).$bytes === 'string';
}
