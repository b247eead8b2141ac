import type { Kysely } from 'kysely';

// Frozen in time: a migration never imports the live schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signed_permits')
    .addColumn('application_id', 'text', (c) => c.primaryKey())
    .addColumn('permit_number', 'text', (c) => c.notNull().unique())
    .addColumn('file_path', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('signed_permits').execute();
}
