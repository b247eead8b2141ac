import { sql, type Kysely } from 'kysely';
import { engineOf } from '../server-engine';

// Frozen in time: a migration never imports the live schema types.
//
// PostgreSQL: the change values desks' pull cursors follow come from a sequence (`change_seq`,
// CACHE 1) instead of the one counter row every writer queued on until its commit; pulls read
// only up to a watermark below which every value has committed or rolled back
// (server/app/change-sequence.ts says why that is safe). The sequence continues after the
// highest value given. SQLite, with its one writer, keeps the counter row.
export async function up(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  await sql`CREATE SEQUENCE change_seq AS bigint MINVALUE 0 START WITH 0 CACHE 1`.execute(db);
  await sql`
    SELECT setval('change_seq', GREATEST(
      COALESCE((SELECT value FROM counters WHERE name = 'change_seq'), 0),
      COALESCE((SELECT max(change_seq) FROM applications), 0),
      COALESCE((SELECT max(change_seq) FROM commands), 0)), true)`.execute(db);
  await sql`DELETE FROM counters WHERE name = 'change_seq'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  await sql`INSERT INTO counters (name, value) SELECT 'change_seq', last_value FROM change_seq`.execute(db);
  await sql`DROP SEQUENCE change_seq`.execute(db);
}
