import type { Kysely } from 'kysely';

// Frozen in time: a migration never imports the live schema types.
export async function up(db: Kysely<any>): Promise<void> {
  // the national records the official compared the file with when deciding (JSON)
  await db.schema.alterTable('events').addColumn('evidence', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').dropColumn('evidence').execute();
}
