import { sql, type Kysely } from 'kysely';

// Frozen in time: a migration never imports the live schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('settings').addColumn('key', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();
  await db.schema.createTable('workflows').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('definition', 'text', (c) => c.notNull()).execute();
  await db.schema.createTable('permit_types').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('definition', 'text', (c) => c.notNull()).execute();
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('full_name', 'text', (c) => c.notNull())
    .addColumn('nip', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createTable('auth_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('registration_number', 'text', (c) => c.notNull().unique())
    .addColumn('permit_type_id', 'text', (c) => c.notNull().references('permit_types.id'))
    .addColumn('workflow_id', 'text', (c) => c.notNull().references('workflows.id'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('applicant', 'text', (c) => c.notNull())
    .addColumn('checklist', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('complete_at', 'text')
    .addColumn('stage_entered_at', 'text', (c) => c.notNull())
    .addColumn('permit_number', 'text')
    .addColumn('verification_id', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('change_seq', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('applications_change_seq').on('applications').column('change_seq').execute();
  await db.schema
    .createTable('documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'blob', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('documents_application').on('documents').column('application_id').execute();
  await db.schema
    .createTable('events')
    .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
    .addColumn('command_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('actor_role', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_stage', 'text')
    .addColumn('to_stage', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_application').on('events').column('application_id').execute();
  await db.schema
    .createTable('reference_records')
    .addColumn('nik', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('retrieved_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('reference_records_pk', ['nik', 'source'])
    .execute();
  await db.schema
    .createTable('commands')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('message', 'text')
    .addColumn('change_seq', 'integer')
    .execute();
  await db.schema
    .createTable('permit_numbers')
    .addColumn('application_id', 'text', (c) => c.primaryKey().references('applications.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('permit_number', 'text', (c) => c.notNull().unique())
    .addColumn('verification_id', 'text', (c) => c.notNull().unique())
    .addColumn('reserved_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('permit_numbers_year_sequence', ['year', 'sequence'])
    .execute();
  await db.schema.createTable('counters').addColumn('name', 'text', (c) => c.primaryKey()).addColumn('value', 'integer', (c) => c.notNull()).execute();
  await sql`INSERT INTO counters (name, value) VALUES ('change_seq', 0)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['counters', 'permit_numbers', 'commands', 'reference_records', 'events', 'documents', 'applications', 'auth_tokens', 'users', 'permit_types', 'workflows', 'settings']) {
    await db.schema.dropTable(table).execute();
  }
}
