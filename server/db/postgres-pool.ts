import pg from 'pg';
import { prepareRepeatedStatements } from './prepared-statements';

// PostgreSQL type OIDs whose text form pg leaves as strings by default.
const INT8 = 20;
const NUMERIC = 1700;

/**
 * A pool whose values come out as the SQLite side gives them: count(*) and other bigint results
 * as numbers rather than strings (the server's counts and sequences stay far below 2^53), and
 * numeric as a number. bytea already comes back as a Buffer, text as a string.
 */
export function createPostgresPool(url: string, options: { max?: number; onIdleClientError?: (error: Error) => void } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8) return (value: string) => toSafeNumber(value);
        if (oid === NUMERIC) return (value: string) => Number(value);
        return pg.types.getTypeParser(oid, format as 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client whose connection drops (a database restart) must not crash the process:
  // the pool discards it and the next query opens a fresh one; the cause is reported, not swallowed.
  pool.on('error', (error) => (options.onIdleClientError ?? reportIdleClientError)(error));
  pool.on('connect', (client) => prepareRepeatedStatements(client));
  return pool;
}

function toSafeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`a bigint value (${text}) is beyond what the server reads as a number`);
  return value;
}

function reportIdleClientError(error: Error): void {
  console.error(`PostgreSQL: an idle connection failed and was discarded (${error.message})`);
}
