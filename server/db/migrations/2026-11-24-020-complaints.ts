import type { Kysely } from 'kysely';

// Frozen in time: a migration never imports the live schema types.
// The Buku Pengaduan: complaints, the monthly complaints reports, and each one's own history.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('complaints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('received_on', 'text', (c) => c.notNull())
    .addColumn('complainant_name', 'text', (c) => c.notNull())
    .addColumn('complainant_identity', 'text', (c) => c.notNull())
    .addColumn('contact', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('weight', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) => c.references('applications.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('coordination', 'text')
    .addColumn('answer_text', 'text')
    .addColumn('answer_channel', 'text')
    .addColumn('answered_at', 'text')
    .addColumn('answered_by_name', 'text')
    .addColumn('recorded_by_user_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('complaints_received_on').on('complaints').column('received_on').execute();
  await db.schema
    .createTable('complaint_reports')
    .addColumn('month', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('entries', 'text', (c) => c.notNull())
    .execute();
  // one line per action, for a complaint (subject 'complaint', its id) or a report ('report', its month)
  await db.schema
    .createTable('complaint_history')
    .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('command_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('actor_role', 'text')
    .addColumn('note', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('complaint_history_subject').on('complaint_history').columns(['subject', 'subject_id', 'seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('complaint_history').execute();
  await db.schema.dropTable('complaint_reports').execute();
  await db.schema.dropTable('complaints').execute();
}
