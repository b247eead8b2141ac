import { sql, type Kysely } from 'kysely';
import { pendingServerMigrations } from './open-server-db';
import { engineOf } from './server-engine';

/** `reason` may be shown to anyone who asks; `fault`, the database's own words (host, user), only logged. */
export type Readiness = { ready: true } | { ready: false; reason: string; fault?: string };

/** Whether this process can serve: its database answers, and holds every migration this code expects. */
export async function checkReadiness(db: Kysely<any>): Promise<Readiness> {
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    return { ready: false, reason: 'database unreachable', fault: error instanceof Error ? error.message : String(error) };
  }
  const pending = await pendingServerMigrations(db, engineOf(db));
  return pending.length === 0 ? { ready: true } : { ready: false, reason: `migrations pending: ${pending.join(', ')}` };
}
