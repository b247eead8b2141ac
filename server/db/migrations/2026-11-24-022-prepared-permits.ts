import type { Kysely } from 'kysely';

// Frozen in time: a migration never imports the live schema types.
//
// The final permit as the server prepared it at the chain's numbering step: everything but the
// CMS, one row per file, replaced when the file is prepared again (a file sent back and printed
// anew). What the desk shows, what a paraf initials and what the Kepala Dinas signs.
// The PDF is binary content stored as issued_permits.pdf is (migration 002).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('prepared_permits')
    .addColumn('application_id', 'text', (c) => c.primaryKey().references('applications.id'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('pdf', 'blob', (c) => c.notNull())
    // the registered certificate it was prepared for; null when the office registered none
    .addColumn('certificate_sha256', 'text')
    .addColumn('prepared_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('prepared_permits').execute();
}
