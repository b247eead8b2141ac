import Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { buildServerApp } from '../../server/app/build-server-app';
import { closeGracefully } from '../../server/app/graceful-close';
import { DEFAULT_THROTTLE_POLICY, LoginThrottle, type ThrottlePolicy } from '../../server/app/login-throttle';
import { DatabaseLoginThrottle } from '../../server/app/database-login-throttle';
import { openServerDb } from '../../server/db/open-server-db';
import type { ServerDatabase } from '../../server/db/server-database';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { isSeeded, seedDemoDatabase, type SeedOptions } from '../../server/seed/seed-demo-database';
import { API_PREFIX, type AuthorSession, type LoginResponse } from '../../shared/sync-protocol';
import { mappedPostgresDatabase, postgresDatabaseFor, postgresReader, testEngineFromEnv, type ServerDbReader, type TestEngine } from './postgres-test-databases';

/** A throttle that never gets in the way: for tests about something else than sign-in limits. */
export function lenientThrottle(): LoginThrottle {
  return new LoginThrottle({ ...DEFAULT_THROTTLE_POLICY, accountFailures: 10_000, addressFailures: 10_000, delayBaseMs: 0 });
}

export interface OfficeServer {
  url: string;
  port: number;
  db: Kysely<ServerDatabase>;
  engine: TestEngine;
  close(): Promise<void>;
}

/**
 * The reference server on loopback over a real database, with the throttle a test chooses;
 * seeded when empty. The engine is the option's, else MEJA_IZIN_TEST_ENGINE's (default SQLite):
 * on PostgreSQL, `dbFile` names a database of the test cluster (the same file, the same
 * database), so a test reads its records with readServerDb(dbFile, …) on either engine.
 */
export async function startOfficeServer(
  dbFile: string,
  options: { throttle?: LoginThrottle; policy?: ThrottlePolicy; port?: number; seed?: SeedOptions; engine?: TestEngine; trustProxy?: string } = {},
): Promise<OfficeServer> {
  const engine = options.engine ?? testEngineFromEnv();
  const { db, close } = await openServerDb(engine === 'postgres' ? await postgresDatabaseFor(dbFile) : dbFile);
  const app = buildServerApp({ db, trustProxy: options.trustProxy, loginThrottle: options.throttle ?? new DatabaseLoginThrottle(db, options.policy) });
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  if (!(await isSeeded(db))) await seedDemoDatabase(db, { verificationBaseUrl: url, applications: 12, ...options.seed });
  return {
    url,
    port,
    db,
    engine,
    async close() {
      await closeGracefully(app, 10_000);
      await close();
    },
  };
}

export async function api(baseUrl: string, path: string, init: { method?: string; token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${baseUrl}${API_PREFIX}${path}`, {
    method: init.method ?? (init.body !== undefined || init.rawBody !== undefined ? 'POST' : 'GET'),
    headers: {
      ...(init.body !== undefined || init.rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    body: init.rawBody ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
  });
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, body };
}

export async function login(baseUrl: string, username: string, password = DEMO_PASSWORD): Promise<LoginResponse & { session: AuthorSession }> {
  const { status, body } = await api(baseUrl, '/auth/login', { body: { username, password } });
  if (status !== 200) throw new Error(`login ${username}: HTTP ${status}`);
  return body;
}

/**
 * Reads the server's records directly: what the office really recorded. A file the test's server
 * keeps in PostgreSQL (a PostgreSQL run) is read there, with the same SQL; otherwise the SQLite file.
 */
export function readServerDb<T>(file: string, read: (db: ServerDbReader) => T): T {
  const postgres = mappedPostgresDatabase(file);
  if (postgres) return read(postgresReader(postgres));
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

export function userIds(file: string): Record<string, string> {
  return readServerDb(file, (db) => Object.fromEntries((db.prepare('SELECT username, id FROM users').all() as Array<{ username: string; id: string }>).map((u) => [u.username, u.id])));
}

export interface LedgerRow {
  id: string;
  user_id: string;
  pushed_by_user_id: string | null;
  status: string;
  code: string | null;
  content_hash: string | null;
}

export function ledgerRow(file: string, commandId: string): LedgerRow | undefined {
  return readServerDb(file, (db) => db.prepare('SELECT id, user_id, pushed_by_user_id, status, code, content_hash FROM commands WHERE id = ?').get(commandId) as LedgerRow | undefined);
}
