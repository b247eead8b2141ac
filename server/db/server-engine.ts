import { PostgresAdapter, type Kysely, type Transaction } from 'kysely';

/** The two engines the server runs on: SQLite (embedded default, one file) and PostgreSQL. */
export type ServerEngine = 'sqlite' | 'postgres';

/** Where the server's database lives: a postgres:// URL names a PostgreSQL database, anything else a SQLite file. */
export type ServerDbLocation = { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };

export function serverDbLocation(location: string): ServerDbLocation {
  return /^postgres(ql)?:\/\//i.test(location) ? { engine: 'postgres', url: location } : { engine: 'sqlite', file: location };
}

/** A URL without its password, for messages and logs. */
export function describeLocation(location: string): string {
  const parsed = serverDbLocation(location);
  if (parsed.engine === 'sqlite') return parsed.file;
  try {
    const url = new URL(parsed.url);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

export function engineOf(db: Kysely<any> | Transaction<any>): ServerEngine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
