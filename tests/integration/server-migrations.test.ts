import { readFileSync, statSync, openSync, writeSync, closeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openServerDb, serverMigrationProvider, serverMigrations, serverMigrator, pendingServerMigrations } from '../../server/db/open-server-db';
import type { ServerEngine } from '../../server/db/server-engine';
import { seedDemoDatabase } from '../../server/seed/seed-demo-database';
import { freshServerDatabases } from '../support/fresh-server-databases';

// The server's migrations on both engines, as cache-migrations.test.ts does for the desk cache:
// a database at N-1 with rows in it, migrated to N, keeps every row; and both engines end with
// the same tables and columns.

const freshDatabase = freshServerDatabases('migrations');
const NAMES = Object.keys(serverMigrations);

async function migrateTo(db: Kysely<any>, engine: ServerEngine, name: string): Promise<void> {
  const { error } = await serverMigrator(db, engine, serverMigrationProvider(name)).migrateToLatest();
  if (error) throw error;
}

async function columnsOf(db: Kysely<any>): Promise<Map<string, string[]>> {
  const tables = await db.introspection.getTables();
  return new Map(tables.map((t) => [t.name, t.columns.map((c) => c.name).sort()]));
}

const NOW = '2026-11-24T03:00:00.000Z';
const OFFICE = { id: 'dpmptsp-kota-metro', name: 'DPMPTSP Kota Metro', timeZone: 'Asia/Jakarta' };
const PDF = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x80, 0x0a, ...Array.from({ length: 300 }, (_, i) => i % 256)]);

/** Rows of every kind the server keeps, written as a database at that version has its columns. */
const FIXTURE: Record<string, Array<Record<string, unknown>>> = {
  offices: [{ id: OFFICE.id, definition: JSON.stringify(OFFICE) }],
  settings: [{ key: 'office', value: JSON.stringify(OFFICE) }],
  workflows: [{ id: 'wf', office_id: OFFICE.id, definition: '{"id":"wf"}' }],
  permit_types: [{ id: 'pt', office_id: OFFICE.id, definition: JSON.stringify({ id: 'pt', template: { numberCode: 'SIO' } }) }],
  users: [{ id: 'u1', office_id: OFFICE.id, username: 'penata', full_name: 'Penata', nip: '1', role: 'penata_perizinan', password_hash: 'scrypt$x', active: 1 }],
  applications: [
    {
      id: 'a1',
      office_id: OFFICE.id,
      registration_number: 'REG-1',
      permit_type_id: 'pt',
      workflow_id: 'wf',
      stage: 'penandatanganan',
      applicant: '{"nik":"1"}',
      checklist: '{}',
      submitted_at: NOW,
      complete_at: NOW,
      stage_entered_at: NOW,
      permit_number: '503/SIO/0007/DPMPTSP/2026',
      verification_id: 'v1',
      version: 3,
      change_seq: 41,
    },
  ],
  documents: [{ id: 'd1', application_id: 'a1', kind: 'ktp', file_name: 'ktp.pdf', mime_type: 'application/pdf', size_bytes: PDF.length, sha256: 'ab', content: PDF }],
  events: [{ seq: 5, id: 'e1', application_id: 'a1', command_id: 'c1', actor_name: 'Penata', actor_role: 'penata_perizinan', action: 'teruskan', from_stage: 'pemeriksaan', to_stage: 'verifikasi_draf', reason: null, at: NOW, evidence: '{"references":[]}' }],
  commands: [{ id: 'c1', user_id: 'u1', pushed_by_user_id: 'u1', content_hash: 'h', received_at: NOW, status: 'accepted', code: null, message: null, change_seq: 41 }],
  permit_numbers: [{ application_id: 'a1', office_id: OFFICE.id, year: 2026, code: 'SIO', sequence: 7, permit_number: '503/SIO/0007/DPMPTSP/2026', verification_id: 'v1', reserved_at: NOW, voided_at: null }],
  issued_permits: [{ application_id: 'a1', permit_number: '503/SIO/0007/DPMPTSP/2026', verification_id: 'v1', sha256: 'cd', pdf: PDF, signer_name: 'Kadis', issued_at: NOW, revoked_at: null, signer_serial: '1', certificate_sha256: 'ef', certificate_issuer: 'CA', pades_level: 'B-LT', time_source: 'server_clock', issued_by_user_id: 'u1' }],
  claims: [{ application_id: 'a1', user_id: 'u1', user_name: 'Penata', claimed_at: NOW }],
  auth_sessions: [{ id: 's1', user_id: 'u1', session_key: Buffer.alloc(32, 7), created_at: NOW, expires_at: NOW, revoked_at: null }],
  complaints: [{ id: 'k1', office_id: OFFICE.id, received_on: '2026-11-20', complainant_name: 'A', complainant_identity: 'B', contact: 'C', channel: 'email', type: 'layanan', weight: 'ringan', summary: 'S', application_id: 'a1', status: 'diterima', coordination: null, answer_text: null, answer_channel: null, answered_at: null, answered_by_name: null, recorded_by_user_id: 'u1' }],
  complaint_reports: [{ office_id: OFFICE.id, month: '2026-10', status: 'draf', note: '', entries: '[]' }],
  complaint_history: [{ seq: 2, office_id: OFFICE.id, subject: 'complaint', subject_id: 'k1', command_id: 'c2', action: 'record', status: 'diterima', user_id: 'u1', actor_name: 'Penata', actor_role: 'penata_perizinan', note: null, at: NOW }],
};

/** Each table's rows with the columns it has now, in a stable order. */
async function readFixtureTables(db: Kysely<any>, tables: Map<string, string[]>): Promise<Record<string, Array<Record<string, unknown>>>> {
  const out: Record<string, Array<Record<string, unknown>>> = {};
  for (const table of Object.keys(FIXTURE)) {
    if (!tables.has(table)) continue;
    const rows = await db.selectFrom(table).selectAll().execute();
    out[table] = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v]))).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}

async function writeFixture(db: Kysely<any>, tables: Map<string, string[]>): Promise<void> {
  for (const [table, rows] of Object.entries(FIXTURE)) {
    const columns = tables.get(table);
    if (!columns) continue;
    for (const row of rows) await db.insertInto(table).values(Object.fromEntries(Object.entries(row).filter(([k]) => columns.includes(k)))).execute();
  }
}

/** `after` keeps every row and value of `before` (new columns may be added). */
function expectKept(before: Record<string, Array<Record<string, unknown>>>, after: Record<string, Array<Record<string, unknown>>>, step: string) {
  for (const [table, rows] of Object.entries(before)) {
    let expected = rows;
    // migration 021 moves the office definition from settings to its own table
    if (step.endsWith('-021-offices') && table === 'settings') expected = rows.filter((r) => r.key !== 'office');
    const kept = (after[table] ?? []).map((r) => Object.fromEntries(Object.keys(rows[0] ?? {}).map((k) => [k, r[k]])));
    expect(kept, `${table} after ${step}`).toEqual(expected);
  }
}

describe.each<ServerEngine>(['sqlite', 'postgres'])('server migrations on %s', (engine) => {
  it.each(NAMES.slice(1).map((name, i) => [NAMES[i]!, name]))('%s → %s keeps every row', async (previous, next) => {
    const { db, close } = await openServerDb(await freshDatabase(engine), { migrate: false });
    try {
      await migrateTo(db, engine, previous);
      const tables = await columnsOf(db);
      await writeFixture(db, tables);
      const before = await readFixtureTables(db, tables);
      await migrateTo(db, engine, next);
      const after = await readFixtureTables(db, await columnsOf(db));
      expectKept(before, after, next);
      if (next.endsWith('-021-offices')) {
        expect(await db.selectFrom('offices').select(['id', 'definition']).execute()).toEqual([{ id: OFFICE.id, definition: JSON.stringify(OFFICE) }]);
        expect(await db.selectFrom('applications').select('office_id').execute()).toEqual([{ office_id: OFFICE.id }]);
        // the year's counter continues after the highest number given: never max()+1 again, never a reuse
        expect(await db.selectFrom('permit_number_counters').selectAll().execute()).toEqual([{ office_id: OFFICE.id, year: 2026, code: 'SIO', value: 7 }]);
      }
      if (next.endsWith('-023-definitions-version')) {
        // any change to an office's definitions moves the version a server process's cache checks
        const version = async () => Number((await db.selectFrom('counters').select('value').where('name', '=', 'definitions_version').executeTakeFirstOrThrow()).value);
        const before = await version();
        await db.updateTable('workflows').set({ definition: '{"id":"wf","changed":true}' }).where('id', '=', 'wf').execute();
        expect(await version()).toBe(before + 1);
        await db.updateTable('workflows').set({ definition: '{"id":"wf"}' }).where('id', '=', 'wf').execute();
      }
      if (next.endsWith('-025-change-sequence')) {
        // PostgreSQL: change values come from a sequence that continues after the highest given; SQLite keeps its counter row
        if (engine === 'postgres') {
          const { rows } = await sql<{ value: number }>`SELECT nextval('change_seq') AS value`.execute(db);
          expect(Number(rows[0]!.value)).toBe(42);
          expect(await db.selectFrom('counters').select('name').where('name', '=', 'change_seq').execute()).toEqual([]);
        } else {
          expect(await db.selectFrom('counters').select('name').where('name', '=', 'change_seq').execute()).toEqual([{ name: 'change_seq' }]);
        }
      }
      if (next.endsWith('-027-permit-pdf-compression') && engine === 'postgres') {
        // the permits' PDFs are compressed with lz4 (this PostgreSQL is built with it), and read back as written
        const { rows } = await sql<{ attname: string; attcompression: string }>`
          SELECT attname, attcompression FROM pg_attribute WHERE attrelid IN ('prepared_permits'::regclass, 'issued_permits'::regclass) AND attname = 'pdf'`.execute(db);
        expect(rows.map((r) => r.attcompression)).toEqual(['l', 'l']);
        const large = Buffer.concat([PDF, Buffer.alloc(60_000, 0x30)]);
        await db.updateTable('issued_permits').set({ pdf: large }).where('application_id', '=', 'a1').execute();
        expect(Buffer.from((await db.selectFrom('issued_permits').select('pdf').where('application_id', '=', 'a1').executeTakeFirstOrThrow()).pdf)).toEqual(large);
        const { rows: method } = await sql<{ method: string }>`SELECT pg_column_compression(pdf) AS method FROM issued_permits WHERE application_id = 'a1'`.execute(db);
        expect(method[0]!.method).toBe('lz4');
        await db.updateTable('issued_permits').set({ pdf: PDF }).where('application_id', '=', 'a1').execute();
      }
      // a new row after the step gets its seq from the engine (an identity on PostgreSQL)
      if ((await columnsOf(db)).has('events')) {
        await db.insertInto('events').values({ id: 'e-new', application_id: 'a1', actor_name: 'X', action: 'a', to_stage: 'b', at: NOW }).execute();
        const seqs = (await db.selectFrom('events').select('seq').orderBy('seq').execute()).map((r) => r.seq);
        expect(seqs).toHaveLength(2);
        expect(typeof seqs[1]).toBe('number');
      }
    } finally {
      await close();
    }
  });

  it('a new database migrates to the latest and is seeded; a second open finds nothing pending', async () => {
    const location = await freshDatabase(engine);
    const first = await openServerDb(location);
    try {
      expect(await pendingServerMigrations(first.db, engine)).toEqual([]);
      const seeded = await seedDemoDatabase(first.db, { applications: 6, pekanbaruFiles: 2, balikpapanFiles: 1 });
      expect(seeded.applications).toBe(9);
      // what pg would return as strings (count, bigint) comes out as numbers, blobs as Buffers
      const { n } = await first.db.selectFrom('applications').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(n).toBe(9);
      const document = await first.db.selectFrom('documents').select(['content', 'size_bytes']).limit(1).executeTakeFirstOrThrow();
      expect(Buffer.isBuffer(document.content)).toBe(true);
      expect(document.content.length).toBe(document.size_bytes);
    } finally {
      await first.close();
    }
    const second = await openServerDb(location);
    expect(second.preMigrationBackup).toBeUndefined();
    await second.close();
  });
});

describe('both engines end with the same schema', () => {
  it('the same tables with the same columns', async () => {
    const schemas = [];
    for (const engine of ['sqlite', 'postgres'] as const) {
      const { db, close } = await openServerDb(await freshDatabase(engine));
      schemas.push(Object.fromEntries(await columnsOf(db)));
      await close();
    }
    expect(schemas[1]).toEqual(schemas[0]);
  });

  it('binary columns are bytea and the sequence columns identities on PostgreSQL', async () => {
    const { db, close } = await openServerDb(await freshDatabase('postgres'));
    try {
      const { rows } = await sql<{ table_name: string; column_name: string; data_type: string; is_identity: string }>`
        SELECT table_name, column_name, data_type, is_identity FROM information_schema.columns
        WHERE table_schema = 'public' AND (data_type = 'bytea' OR is_identity = 'YES') ORDER BY table_name, column_name`.execute(db);
      expect(rows.map((r) => `${r.table_name}.${r.column_name}:${r.data_type}:${r.is_identity}`)).toEqual([
        'auth_sessions.session_key:bytea:NO',
        'complaint_history.seq:integer:YES',
        'documents.content:bytea:NO',
        'events.seq:integer:YES',
        'issued_permits.pdf:bytea:NO',
        'prepared_permits.pdf:bytea:NO',
      ]);
    } finally {
      await close();
    }
  });
});

describe('SQLite: a backup and an integrity check before migrating', () => {
  async function fileAt(name: string): Promise<string> {
    const file = await freshDatabase('sqlite');
    const { db, close } = await openServerDb(file, { migrate: false });
    await migrateTo(db, 'sqlite', name);
    await writeFixture(db, await columnsOf(db));
    await close();
    return file;
  }

  it('a file with pending migrations is backed up first; the backup is the file as it was', async () => {
    const previous = NAMES.at(-2)!;
    const file = await fileAt(previous);
    const opened = await openServerDb(file);
    await opened.close();
    expect(opened.preMigrationBackup).toBeDefined();
    const backup = new Database(opened.preMigrationBackup!, { readonly: true });
    try {
      expect(backup.pragma('integrity_check', { simple: true })).toBe('ok');
      expect((backup.prepare('SELECT name FROM kysely_migration ORDER BY name DESC LIMIT 1').get() as { name: string }).name).toBe(previous);
      expect((backup.prepare('SELECT content FROM documents').get() as { content: Buffer }).content.equals(PDF)).toBe(true);
    } finally {
      backup.close();
    }
    const reopened = await openServerDb(file);
    expect(reopened.preMigrationBackup).toBeUndefined();
    await reopened.close();
  });

  it('a damaged file is refused with a clear error and left exactly as it was', async () => {
    const file = await fileAt(NAMES.at(-2)!);
    const big = new Database(file);
    big.prepare("INSERT INTO documents (id, application_id, kind, file_name, mime_type, size_bytes, sha256, content) VALUES ('big', 'a1', 'x', 'x', 'x', 1, 'x', ?)").run(Buffer.alloc(64 * 1024, 1));
    big.pragma('wal_checkpoint(TRUNCATE)');
    big.close();
    // the big document's overflow pages are the file's last ones: break one's chain pointer
    const pageSize = 4096;
    const size = statSync(file).size;
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, size - 3 * pageSize);
    closeSync(fd);
    const damaged = readFileSync(file);

    await expect(openServerDb(file)).rejects.toThrow(/is damaged \(PRAGMA integrity_check: .+\); it was not migrated\. Restore it from a backup\./s);
    expect(readFileSync(file).equals(damaged)).toBe(true);
  });
});
