import type { Kysely } from 'kysely';

// Frozen in time: a migration never imports the live schema types.
//
// Failed sign-ins counted in the database instead of one process's memory, so server processes
// on one database count them together and a restart forgets nothing
// (server/app/login-throttle.ts). One row per account or address; times in epoch milliseconds.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('login_throttle')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    // JSON arrays of epoch ms: failures in the window, attempts being checked, lockouts in the last day
    .addColumn('failures', 'text', (c) => c.notNull())
    .addColumn('in_flight', 'text', (c) => c.notNull())
    .addColumn('lockouts', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('login_throttle_pk', ['scope', 'key'])
    .execute();
  await db.schema.createIndex('login_throttle_updated_at').on('login_throttle').column('updated_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('login_throttle').execute();
}
