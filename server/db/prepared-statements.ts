import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Server-side prepared statements for the statements the server sends over and over.
 *
 * pg sends every parameterised query as an unnamed statement, which PostgreSQL parses, analyses
 * and plans anew each time; for the server's short statements that is most of their cost
 * (measured in bench:server: PostgreSQL's CPU per accepted command fell by about a quarter with
 * this on). A statement given a name is parsed once per connection and then only bound and run.
 *
 * Bounded: only statements with at most MAX_PARAMETERS parameters are named (a pull's long IN
 * lists and the seed's bulk inserts stay unnamed), and at most MAX_NAMES distinct texts per
 * process, so neither this map nor a connection's statements grow without end.
 *
 * A schema change made while a connection holds a statement (a migration run by another process)
 * fails that statement once with "cached plan must not change result type" (SQLSTATE 0A000);
 * the connection then prepares every statement afresh under new names, so one failed request
 * (which the desk retries: commands are idempotent) is the whole cost.
 */
const MAX_PARAMETERS = 64;
const MAX_NAMES = 2000;
const CACHED_PLAN_CHANGED = '0A000';

const namesByText = new Map<string, string>();

function nameFor(text: string): string | undefined {
  const known = namesByText.get(text);
  if (known !== undefined || namesByText.size >= MAX_NAMES) return known;
  const name = `mi_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  namesByText.set(text, name);
  return name;
}

type QueryFunction = (...args: unknown[]) => unknown;

/** Makes the client's (text, values) queries run as named statements; everything else passes through unchanged. */
export function prepareRepeatedStatements(client: pg.ClientBase): void {
  const query = client.query.bind(client) as QueryFunction;
  let generation = 0;
  const named: QueryFunction = (text, values, ...rest) => {
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || values.length > MAX_PARAMETERS || rest.length > 0) {
      return query(text, values, ...rest);
    }
    const name = nameFor(text);
    if (name === undefined) return query(text, values);
    const result = query({ name: generation === 0 ? name : `${name}_${generation}`, text, values }) as Promise<unknown>;
    return result.catch((error: unknown) => {
      if ((error as { code?: string }).code === CACHED_PLAN_CHANGED) generation += 1;
      throw error;
    });
  };
  (client as unknown as { query: QueryFunction }).query = named;
}
