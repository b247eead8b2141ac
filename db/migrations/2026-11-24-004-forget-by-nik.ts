import type { Kysely } from 'kysely';

// Frozen in time: a migration never imports the live schema types.
export async function up(db: Kysely<any>): Promise<void> {
  // forgetting files outside an official's work asks "does any file still name this NIK?"
  await db.schema.createIndex('applications_nik').on('applications').column('nik').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('applications_nik').execute();
}
