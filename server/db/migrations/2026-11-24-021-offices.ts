import type { Kysely } from 'kysely';

// Frozen in time: a migration never imports the live schema types.
//
// Many offices on one server: an `offices` table (the definition JSON that lived in settings
// key 'office'), an office_id on every row that holds an office's own data, the monthly
// complaints report keyed by office and month, and permit numbers taken from a counter per
// office, year and permit code. Rows of a one-office database move to the office it had.
// Portable types only (text, integer), so the same migration runs on SQLite and PostgreSQL.

const OFFICE_TABLES = ['users', 'applications', 'workflows', 'permit_types', 'complaints', 'complaint_history'] as const;
const CHUNK = 200;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('offices').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('definition', 'text', (c) => c.notNull()).execute();

  const stored = await db.selectFrom('settings').select('value').where('key', '=', 'office').executeTakeFirst();
  let officeId: string | null = null;
  if (stored) {
    const id = (JSON.parse(stored.value) as { id?: unknown }).id;
    if (typeof id !== 'string' || id === '') throw new Error("settings 'office' has no id: cannot tell which office the existing rows belong to");
    officeId = id;
    await db.insertInto('offices').values({ id, definition: stored.value }).execute();
    await db.deleteFrom('settings').where('key', '=', 'office').execute();
  }
  // With no office configured (officials added to an unseeded database), the rows keep no
  // office: such an official sees and changes nothing until an administrator assigns one.

  // Nullable at the database level (SQLite adds no NOT NULL column without a default); every
  // writer sets it and every reader filters by it.
  for (const table of OFFICE_TABLES) {
    await db.schema.alterTable(table).addColumn('office_id', 'text').execute();
    if (officeId) await db.updateTable(table).set({ office_id: officeId }).execute();
  }
  await db.schema.createIndex('users_office').on('users').column('office_id').execute();
  await db.schema.createIndex('applications_office_change_seq').on('applications').columns(['office_id', 'change_seq']).execute();
  await db.schema.createIndex('complaints_office_received_on').on('complaints').columns(['office_id', 'received_on']).execute();

  await rebuildComplaintReports(db, officeId);
  await rebuildPermitNumbers(db, officeId);
}

/** The monthly complaints report was one per month; now one per office and month. */
async function rebuildComplaintReports(db: Kysely<any>, officeId: string | null): Promise<void> {
  await db.schema
    .createTable('complaint_reports_by_office')
    .addColumn('office_id', 'text', (c) => c.notNull().references('offices.id'))
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('entries', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('complaint_reports_office_month_pk', ['office_id', 'month'])
    .execute();
  const rows = await db.selectFrom('complaint_reports').selectAll().execute();
  if (rows.length > 0 && !officeId) throw new Error('complaint reports exist but no office to move them to');
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto('complaint_reports_by_office')
      .values(rows.slice(i, i + CHUNK).map((r) => ({ office_id: officeId, month: r.month, status: r.status, note: r.note, entries: r.entries })))
      .execute();
  }
  await db.schema.dropTable('complaint_reports').execute();
  await db.schema.alterTable('complaint_reports_by_office').renameTo('complaint_reports').execute();
}

/**
 * Permit numbers were one sequence per year for the whole server (max()+1); now a counter per
 * office, year and permit code, with (office, year, code, sequence) unique as the last guard.
 * The table is rebuilt because SQLite cannot drop the old (year, sequence) constraint.
 */
async function rebuildPermitNumbers(db: Kysely<any>, officeId: string | null): Promise<void> {
  await db.schema
    .createTable('permit_numbers_by_office')
    .addColumn('application_id', 'text', (c) => c.primaryKey().references('applications.id'))
    .addColumn('office_id', 'text', (c) => c.notNull().references('offices.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('permit_number', 'text', (c) => c.notNull())
    .addColumn('verification_id', 'text', (c) => c.notNull().unique())
    .addColumn('reserved_at', 'text', (c) => c.notNull())
    .addColumn('voided_at', 'text')
    .addUniqueConstraint('permit_numbers_office_year_code_sequence', ['office_id', 'year', 'code', 'sequence'])
    .addUniqueConstraint('permit_numbers_office_number', ['office_id', 'permit_number'])
    .execute();
  await db.schema
    .createTable('permit_number_counters')
    .addColumn('office_id', 'text', (c) => c.notNull().references('offices.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('permit_number_counters_pk', ['office_id', 'year', 'code'])
    .execute();

  const rows = await db
    .selectFrom('permit_numbers')
    .innerJoin('applications', 'applications.id', 'permit_numbers.application_id')
    .selectAll('permit_numbers')
    .select('applications.permit_type_id')
    .execute();
  if (rows.length > 0 && !officeId) throw new Error('permit numbers exist but no office to move them to');
  const codes = new Map<string, string>();
  for (const type of await db.selectFrom('permit_types').select(['id', 'definition']).execute()) {
    const code = (JSON.parse(type.definition) as { template?: { numberCode?: unknown } }).template?.numberCode;
    if (typeof code === 'string') codes.set(type.id, code);
  }
  const counters = new Map<string, { year: number; code: string; value: number }>();
  const moved = rows.map((r) => {
    // the permit type's code, else the code the number was issued with (503/<code>/<seq>/…)
    const code = codes.get(r.permit_type_id) ?? String(r.permit_number).split('/')[1] ?? '';
    const key = `${r.year}\u0000${code}`;
    const counter = counters.get(key) ?? { year: Number(r.year), code, value: 0 };
    counter.value = Math.max(counter.value, Number(r.sequence));
    counters.set(key, counter);
    return {
      application_id: r.application_id,
      office_id: officeId,
      year: r.year,
      code,
      sequence: r.sequence,
      permit_number: r.permit_number,
      verification_id: r.verification_id,
      reserved_at: r.reserved_at,
      voided_at: r.voided_at ?? null,
    };
  });
  for (let i = 0; i < moved.length; i += CHUNK) await db.insertInto('permit_numbers_by_office').values(moved.slice(i, i + CHUNK)).execute();
  const counterRows = [...counters.values()].map((c) => ({ office_id: officeId, ...c }));
  for (let i = 0; i < counterRows.length; i += CHUNK) await db.insertInto('permit_number_counters').values(counterRows.slice(i, i + CHUNK)).execute();
  await db.schema.dropTable('permit_numbers').execute();
  await db.schema.alterTable('permit_numbers_by_office').renameTo('permit_numbers').execute();
}
