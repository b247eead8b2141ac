import { sql, type Kysely } from 'kysely';

// Frozen in time: a migration never imports the live schema types.
//
// Search finds a part of a NIK, name, registration or STR number anywhere in it ("051808" from
// the middle of a NIK), and the queue's chip counts are kept as they change instead of counted
// over 100,000 rows on every first page:
// - application_search: a narrow copy of what search matches, filters and sorts on (one short
//   row per file, so scanning or walking it never reads the wide `data` rows);
// - application_search_trigram: FTS5's trigram index over its text, for searches that match few files;
// - queue_counts: files per stage, permit type and deadline day.
// Triggers on `applications` keep all three in the same transaction as the write.

const SEARCH_TEXT = (row: 'new' | 'old') =>
  `lower(${row}.applicant_name || ' ' || ${row}.nik || ' ' || ${row}.registration_number || ' ' || coalesce(json_extract(${row}.data, '$.applicant.strNumber'), ''))`;

export async function up(db: Kysely<any>): Promise<void> {
  // the unicode61 index matched word starts only; the trigram index below replaces it
  for (const trigger of ['applications_fts_insert', 'applications_fts_delete', 'applications_fts_update']) await sql.raw(`DROP TRIGGER ${trigger}`).execute(db);
  await sql`DROP TABLE applications_fts`.execute(db);

  await sql`CREATE TABLE application_search (
    application_rowid INTEGER PRIMARY KEY,
    search_text TEXT NOT NULL,
    permit_type_id TEXT NOT NULL,
    deadline_date TEXT,
    submitted_at TEXT NOT NULL,
    applicant_name TEXT NOT NULL
  )`.execute(db);
  // one index per sort order, so a search that matches many files walks its order and stops at the page
  await db.schema.createIndex('application_search_deadline').on('application_search').columns(['deadline_date', 'submitted_at']).execute();
  await db.schema.createIndex('application_search_submitted').on('application_search').columns(['submitted_at', 'deadline_date']).execute();
  await db.schema.createIndex('application_search_name').on('application_search').columns(['applicant_name', 'deadline_date']).execute();
  // a search matching many files counts them per chip in one pass over this index, already in group order
  await db.schema.createIndex('application_search_counts').on('application_search').columns(['permit_type_id', 'deadline_date', 'search_text']).execute();
  await sql`CREATE VIRTUAL TABLE application_search_trigram USING fts5(search_text, content='application_search', content_rowid='application_rowid', tokenize='trigram remove_diacritics 1')`.execute(db);
  await sql`CREATE TRIGGER application_search_trigram_insert AFTER INSERT ON application_search BEGIN
    INSERT INTO application_search_trigram(rowid, search_text) VALUES (new.application_rowid, new.search_text);
  END`.execute(db);
  await sql`CREATE TRIGGER application_search_trigram_delete AFTER DELETE ON application_search BEGIN
    INSERT INTO application_search_trigram(application_search_trigram, rowid, search_text) VALUES ('delete', old.application_rowid, old.search_text);
  END`.execute(db);
  await sql`CREATE TRIGGER application_search_trigram_update AFTER UPDATE OF search_text ON application_search BEGIN
    INSERT INTO application_search_trigram(application_search_trigram, rowid, search_text) VALUES ('delete', old.application_rowid, old.search_text);
    INSERT INTO application_search_trigram(rowid, search_text) VALUES (new.application_rowid, new.search_text);
  END`.execute(db);

  // a file with no deadline counts under '' (a primary key column cannot be NULL)
  await sql`CREATE TABLE queue_counts (
    stage TEXT NOT NULL,
    permit_type_id TEXT NOT NULL,
    deadline_date TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (stage, permit_type_id, deadline_date)
  ) WITHOUT ROWID`.execute(db);
  const countIn = (row: 'new' | 'old') =>
    `INSERT INTO queue_counts(stage, permit_type_id, deadline_date, n) VALUES (${row}.stage, ${row}.permit_type_id, coalesce(${row}.deadline_date, ''), 1)
     ON CONFLICT (stage, permit_type_id, deadline_date) DO UPDATE SET n = n + 1;`;
  const countOut = `UPDATE queue_counts SET n = n - 1 WHERE stage = old.stage AND permit_type_id = old.permit_type_id AND deadline_date = coalesce(old.deadline_date, '');`;

  await sql.raw(`CREATE TRIGGER applications_search_insert AFTER INSERT ON applications BEGIN
    INSERT INTO application_search(application_rowid, search_text, permit_type_id, deadline_date, submitted_at, applicant_name)
      VALUES (new.rowid, ${SEARCH_TEXT('new')}, new.permit_type_id, new.deadline_date, new.submitted_at, new.applicant_name);
    ${countIn('new')}
  END`).execute(db);
  await sql.raw(`CREATE TRIGGER applications_search_delete AFTER DELETE ON applications BEGIN
    DELETE FROM application_search WHERE application_rowid = old.rowid;
    ${countOut}
  END`).execute(db);
  // a sync rewrites every column of a file it brings; only a change that search or the counts see is copied
  await sql.raw(`CREATE TRIGGER applications_search_update AFTER UPDATE ON applications
    WHEN ${SEARCH_TEXT('new')} IS NOT ${SEARCH_TEXT('old')} OR new.permit_type_id IS NOT old.permit_type_id
      OR new.deadline_date IS NOT old.deadline_date OR new.submitted_at IS NOT old.submitted_at OR new.applicant_name IS NOT old.applicant_name
  BEGIN
    UPDATE application_search SET search_text = ${SEARCH_TEXT('new')}, permit_type_id = new.permit_type_id, deadline_date = new.deadline_date,
      submitted_at = new.submitted_at, applicant_name = new.applicant_name
    WHERE application_rowid = new.rowid;
  END`).execute(db);
  await sql.raw(`CREATE TRIGGER applications_counts_update AFTER UPDATE OF stage, permit_type_id, deadline_date ON applications
    WHEN new.stage IS NOT old.stage OR new.permit_type_id IS NOT old.permit_type_id OR new.deadline_date IS NOT old.deadline_date
  BEGIN
    ${countOut}
    ${countIn('new')}
  END`).execute(db);

  await sql.raw(`INSERT INTO application_search(application_rowid, search_text, permit_type_id, deadline_date, submitted_at, applicant_name)
    SELECT new.rowid, ${SEARCH_TEXT('new')}, new.permit_type_id, new.deadline_date, new.submitted_at, new.applicant_name FROM applications AS new`).execute(db);
  await sql`INSERT INTO queue_counts(stage, permit_type_id, deadline_date, n)
    SELECT stage, permit_type_id, coalesce(deadline_date, ''), count(*) FROM applications GROUP BY 1, 2, 3`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const trigger of ['applications_search_insert', 'applications_search_delete', 'applications_search_update', 'applications_counts_update']) {
    await sql.raw(`DROP TRIGGER ${trigger}`).execute(db);
  }
  await sql`DROP TABLE queue_counts`.execute(db);
  await sql`DROP TABLE application_search_trigram`.execute(db);
  await sql`DROP TABLE application_search`.execute(db);
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
