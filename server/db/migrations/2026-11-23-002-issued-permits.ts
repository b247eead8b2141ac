import type { Kysely } from 'kysely';

// Frozen in time: a migration never imports the live schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('issued_permits')
    .addColumn('application_id', 'text', (c) => c.primaryKey().references('applications.id'))
    .addColumn('permit_number', 'text', (c) => c.notNull().unique())
    .addColumn('verification_id', 'text', (c) => c.notNull().unique())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('pdf', 'blob', (c) => c.notNull())
    .addColumn('signer_name', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('issued_permits_sha256').on('issued_permits').column('sha256').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('issued_permits').execute();
}
