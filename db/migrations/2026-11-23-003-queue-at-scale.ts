import { sql, type Kysely } from 'kysely';

// Frozen in time: a migration never imports the live schema types.
export async function up(db: Kysely<any>): Promise<void> {
  // The deadline is stored when a file arrives, so filtering and sorting by it can use an index.
  await db.schema.alterTable('applications').addColumn('deadline_date', 'text').execute();
  await db.schema.createIndex('applications_stage_deadline').on('applications').columns(['stage', 'deadline_date', 'submitted_at']).execute();
  await db.schema.createIndex('applications_stage_type_deadline').on('applications').columns(['stage', 'permit_type_id', 'deadline_date', 'submitted_at']).execute();
  // Each sort has an index that ends in deadline_date, so a deadline filter is checked in the
  // index while walking it in order, without a table lookup per skipped row.
  await db.schema.dropIndex('applications_stage_submitted').execute();
  await db.schema.createIndex('applications_stage_submitted_deadline').on('applications').columns(['stage', 'submitted_at', 'deadline_date']).execute();
  await db.schema.createIndex('applications_stage_name_deadline').on('applications').columns(['stage', 'applicant_name', 'deadline_date']).execute();
  await db.schema.createIndex('applications_stage_deadline_name').on('applications').columns(['stage', 'deadline_date', 'applicant_name']).execute();
  await db.schema.createIndex('applications_stage_type_submitted').on('applications').columns(['stage', 'permit_type_id', 'submitted_at', 'deadline_date']).execute();
  await db.schema.createIndex('applications_stage_type_name').on('applications').columns(['stage', 'permit_type_id', 'applicant_name', 'deadline_date']).execute();
  await sql`CREATE VIRTUAL TABLE applications_fts USING fts5(applicant_name, nik, registration_number, content='applications', content_rowid='rowid', tokenize='unicode61')`.execute(db);
  await sql`CREATE TRIGGER applications_fts_insert AFTER INSERT ON applications BEGIN
    INSERT INTO applications_fts(rowid, applicant_name, nik, registration_number) VALUES (new.rowid, new.applicant_name, new.nik, new.registration_number);
  END`.execute(db);
  await sql`CREATE TRIGGER applications_fts_delete AFTER DELETE ON applications BEGIN
    INSERT INTO applications_fts(applications_fts, rowid, applicant_name, nik, registration_number) VALUES ('delete', old.rowid, old.applicant_name, old.nik, old.registration_number);
  END`.execute(db);
  await sql`CREATE TRIGGER applications_fts_update AFTER UPDATE OF applicant_name, nik, registration_number ON applications BEGIN
    INSERT INTO applications_fts(applications_fts, rowid, applicant_name, nik, registration_number) VALUES ('delete', old.rowid, old.applicant_name, old.nik, old.registration_number);
    INSERT INTO applications_fts(rowid, applicant_name, nik, registration_number) VALUES (new.rowid, new.applicant_name, new.nik, new.registration_number);
  END`.execute(db);
  await sql`INSERT INTO applications_fts(applications_fts) VALUES ('rebuild')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const trigger of ['applications_fts_insert', 'applications_fts_delete', 'applications_fts_update']) await sql.raw(`DROP TRIGGER ${trigger}`).execute(db);
  await sql`DROP TABLE applications_fts`.execute(db);
  await db.schema.dropIndex('applications_stage_deadline').execute();
  await db.schema.dropIndex('applications_stage_type_deadline').execute();
  await db.schema.dropIndex('applications_stage_submitted_deadline').execute();
  await db.schema.dropIndex('applications_stage_name_deadline').execute();
  await db.schema.dropIndex('applications_stage_deadline_name').execute();
  await db.schema.createIndex('applications_stage_submitted').on('applications').columns(['stage', 'submitted_at']).execute();
  await db.schema.dropIndex('applications_stage_type_submitted').execute();
  await db.schema.dropIndex('applications_stage_type_name').execute();
  await db.schema.alterTable('applications').dropColumn('deadline_date').execute();
}
