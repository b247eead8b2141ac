import { sql, type Kysely } from 'kysely';
import { engineOf } from '../server-engine';

// Frozen in time: a migration never imports the live schema types.
//
// A version number for the offices' definitions (offices, workflows, permit types): every
// insert, update or delete on them bumps `counters.definitions_version` in the same
// transaction, whoever writes (the server, the seed, an administrator's SQL), so a server
// process may keep them parsed in memory and reread them only when the number moved
// (server/app/definitions-cache.ts).

const TABLES = ['offices', 'workflows', 'permit_types'] as const;
const OPERATIONS = ['insert', 'update', 'delete'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`INSERT INTO counters (name, value) VALUES ('definitions_version', 0)`.execute(db);
  if (engineOf(db) === 'postgres') {
    await sql`
      CREATE FUNCTION bump_definitions_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE counters SET value = value + 1 WHERE name = 'definitions_version';
        RETURN NULL;
      END $$`.execute(db);
    for (const table of TABLES) {
      await sql`CREATE TRIGGER ${sql.id(`${table}_definitions_version`)} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${sql.table(table)} FOR EACH STATEMENT EXECUTE FUNCTION bump_definitions_version()`.execute(db);
    }
    return;
  }
  for (const table of TABLES) {
    for (const operation of OPERATIONS) {
      await sql`CREATE TRIGGER ${sql.id(`${table}_definitions_version_${operation}`)} AFTER ${sql.raw(operation.toUpperCase())} ON ${sql.table(table)}
        BEGIN UPDATE counters SET value = value + 1 WHERE name = 'definitions_version'; END`.execute(db);
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (engineOf(db) === 'postgres') {
    for (const table of TABLES) await sql`DROP TRIGGER ${sql.id(`${table}_definitions_version`)} ON ${sql.table(table)}`.execute(db);
    await sql`DROP FUNCTION bump_definitions_version()`.execute(db);
  } else {
    for (const table of TABLES) for (const operation of OPERATIONS) await sql`DROP TRIGGER ${sql.id(`${table}_definitions_version_${operation}`)}`.execute(db);
  }
  await sql`DELETE FROM counters WHERE name = 'definitions_version'`.execute(db);
}
