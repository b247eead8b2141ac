import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as initial from '../../server/db/migrations/2026-11-23-001-initial';
import * as issuedPermits from '../../server/db/migrations/2026-11-23-002-issued-permits';
import * as claims from '../../server/db/migrations/2026-11-23-003-claims';
import * as eventEvidence from '../../server/db/migrations/2026-11-23-004-event-evidence';
import * as signedPermitTrust from '../../server/db/migrations/2026-11-24-005-signed-permit-trust';
import * as authorSessions from '../../server/db/migrations/2026-11-24-006-author-sessions';
import * as commandLedgerAuthorship from '../../server/db/migrations/2026-11-24-007-command-ledger-authorship';
import * as complaints from '../../server/db/migrations/2026-11-24-020-complaints';
import { openServerDb } from '../../server/db/open-server-db';
import { nextPermitSequence } from '../../server/app/reserve-permit-number';
import { BALIKPAPAN_OFFICE_ID, DEMO_PERMIT_TYPES, METRO_OFFICE_ID, METRO_WORKFLOW, PEKANBARU_OFFICE_ID, demoOffice } from '../../server/seed/demo-configuration';
import { commandMac } from '../../shared/node/command-mac';
import { monthPeriod } from '../../shared/monitoring';
import { pullResponseSchema, transitionContent, type PullResponse, type TransitionCommand } from '../../shared/sync-protocol';
import { calendarDateIn } from '../../shared/working-days';
import { api, login, startOfficeServer, type OfficeServer } from '../support/office-server';
import { makeTempDir } from '../support/temp-dir';

const temp = makeTempDir('office-isolation');
let server: OfficeServer;
const tokens: Record<string, string> = {};
const sessions: Record<string, { userId: string; sessionId: string; key: Buffer }> = {};

beforeAll(async () => {
  server = await startOfficeServer(join(temp.dir, 'server.sqlite'), { seed: { applications: 12, pekanbaruFiles: 10, balikpapanFiles: 4, allAtStage: undefined } });
  for (const username of ['penata', 'koordinator', 'kadis', 'sekretarismetro', 'backoffice', 'sekretaris', 'kadispekanbaru', 'kadisbpp']) {
    const signedIn = await login(server.url, username);
    tokens[username] = signedIn.token;
    sessions[username] = { userId: signedIn.user.id, sessionId: signedIn.session.id, key: Buffer.from(signedIn.session.key, 'base64url') };
  }
});
afterAll(async () => {
  await server?.close();
  temp.remove();
});

async function pull(username: string): Promise<{ page: PullResponse; raw: string }> {
  const { body } = await api(server.url, '/sync/pull?since=0&limit=2000', { token: tokens[username] });
  return { page: pullResponseSchema.parse(body), raw: JSON.stringify(body) };
}

function transition(applicationId: string, action: string, expectedStage: string, reason: string | null = null): TransitionCommand {
  return { id: randomUUID(), type: 'transition', applicationId, action, expectedStage, reason, checklist: null, decidedAt: new Date().toISOString(), evidence: null };
}

async function push(username: string, command: TransitionCommand) {
  const { status, body } = await api(server.url, '/sync/push', { token: tokens[username], body: { commands: [command] } });
  expect(status).toBe(200);
  return body.results[0] as { status: string; code?: string; changeSeq?: number };
}

const filesOf = (officeId: string) => server.db.selectFrom('applications').selectAll().where('office_id', '=', officeId).orderBy('registration_number').execute();

describe('many offices on one server: nothing of one office reaches another', () => {
  it('each official pulls only their own office: its files, chain, permit types and settings, and no id of another office', async () => {
    const [metroFiles, pekanbaruFiles, balikpapanFiles] = await Promise.all([filesOf(METRO_OFFICE_ID), filesOf(PEKANBARU_OFFICE_ID), filesOf(BALIKPAPAN_OFFICE_ID)]);
    expect([metroFiles.length, pekanbaruFiles.length, balikpapanFiles.length]).toEqual([12, 10, 4]);

    const metro = await pull('kadis');
    expect(metro.page.office).toMatchObject({ id: METRO_OFFICE_ID, city: 'Kota Metro', timeZone: 'Asia/Jakarta' });
    expect(metro.page.applications.map((a) => a.application.id).sort()).toEqual(metroFiles.map((f) => f.id).sort());
    expect(metro.page.workflows.map((w) => w.id)).toEqual([METRO_WORKFLOW.id]);
    expect(metro.page.permitTypes.map((t) => t.id).sort()).toEqual(DEMO_PERMIT_TYPES.map((t) => t.id).sort());
    for (const other of [...pekanbaruFiles, ...balikpapanFiles]) {
      expect(metro.raw).not.toContain(other.id);
      expect(metro.raw).not.toContain(other.registration_number);
      expect(metro.raw).not.toContain((JSON.parse(other.applicant) as { nik: string }).nik);
    }
    // a Metro official whose work holds none of these files is told nothing about Pekanbaru's either
    const penata = await pull('penata');
    for (const other of pekanbaruFiles) expect(penata.page.removed).not.toContain(other.id);

    const pekanbaru = await pull('kadispekanbaru');
    expect(pekanbaru.page.office).toMatchObject({ id: PEKANBARU_OFFICE_ID, city: 'Kota Pekanbaru' });
    expect(pekanbaru.page.applications.map((a) => a.application.id).sort()).toEqual(pekanbaruFiles.map((f) => f.id).sort());
    expect(pekanbaru.page.workflows.map((w) => w.id)).toEqual(['pekanbaru-sop-04']);
    for (const other of metroFiles) expect(pekanbaru.raw).not.toContain(other.id);

    const balikpapan = await pull('kadisbpp');
    expect(balikpapan.page.office).toMatchObject({ id: BALIKPAPAN_OFFICE_ID, timeZone: 'Asia/Makassar' });
    expect(balikpapan.page.applications).toHaveLength(4);
    expect(balikpapan.page.workflows.map((w) => w.id)).toEqual(['balikpapan-3-tahap']);
  });

  it('an official of Metro cannot claim, decide, number, download, issue or record a complaint on a file of Pekanbaru: each answered as if it did not exist', async () => {
    const pekanbaruFiles = await filesOf(PEKANBARU_OFFICE_ID);
    const atNumbering = pekanbaruFiles.find((f) => f.stage === 'cetak_blanko')!;
    const numbered = pekanbaruFiles.find((f) => f.permit_number !== null)!;
    const before = await server.db.selectFrom('applications').select(['stage', 'version', 'change_seq']).where('id', '=', atNumbering.id).executeTakeFirstOrThrow();

    // claim and release
    expect((await api(server.url, '/claims', { token: tokens.koordinator, body: { applicationId: atNumbering.id } })).status).toBe(404);
    expect((await api(server.url, `/claims/${atNumbering.id}`, { token: tokens.kadis, method: 'DELETE' })).status).toBe(404);

    // decide, and reserve a number through the numbering step (Pekanbaru's cetak_draf, Metro's setujui_draf)
    expect(await push('koordinator', transition(atNumbering.id, 'cetak_draf', 'cetak_blanko'))).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
    expect(await push('koordinator', transition(atNumbering.id, 'setujui_draf', 'cetak_blanko', 'Diperiksa.'))).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
    expect(await push('kadis', transition(numbered.id, 'tolak', numbered.stage, 'Tidak sesuai.'))).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
    expect(await server.db.selectFrom('permit_numbers').select('application_id').where('application_id', '=', atNumbering.id).executeTakeFirst()).toBeUndefined();
    expect(await server.db.selectFrom('applications').select(['stage', 'version', 'change_seq']).where('id', '=', atNumbering.id).executeTakeFirstOrThrow()).toEqual(before);
    expect(await server.db.selectFrom('permit_numbers').select('voided_at').where('application_id', '=', numbered.id).executeTakeFirstOrThrow()).toEqual({ voided_at: null });

    // a decision a Pekanbaru official signed, delivered by a Metro official, is not taken as theirs
    const signed = transition(atNumbering.id, 'cetak_draf', 'cetak_blanko');
    const author = { userId: sessions.backoffice!.userId, sessionId: sessions.backoffice!.sessionId };
    const delivered = { ...signed, author, mac: commandMac(sessions.backoffice!.key, transitionContent(signed), author) };
    expect(await push('koordinator', delivered)).toMatchObject({ status: 'rejected', code: 'AUTHOR_UNVERIFIED' });

    // download: the Kepala Dinas of Metro sees the whole of Metro, and nothing of Pekanbaru
    const document = await server.db.selectFrom('documents').select('id').where('application_id', '=', atNumbering.id).executeTakeFirstOrThrow();
    expect((await api(server.url, `/documents/${document.id}`, { token: tokens.kadis })).status).toBe(404);
    expect((await api(server.url, `/permits/${numbered.id}/pdf`, { token: tokens.kadis })).status).toBe(404);
    expect((await api(server.url, `/documents/${document.id}`, { token: tokens.backoffice })).status).toBe(200);

    // deliver a signed permit for it (the issuer's step): refused before its signature matters
    const pdf = Buffer.from(`%PDF-1.7\n${'x'.repeat(200)}\n%%EOF\n`);
    const issue = await api(server.url, '/permits/issue', {
      token: tokens.kadis,
      body: { commandId: randomUUID(), applicationId: numbered.id, expectedStage: 'penandatanganan', sha256: createHash('sha256').update(pdf).digest('hex'), pdfBase64: pdf.toString('base64') },
    });
    expect(issue.body).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
    expect(await server.db.selectFrom('issued_permits').select('application_id').where('application_id', '=', numbered.id).executeTakeFirst()).toBeUndefined();

    // a complaint of Metro cannot name Pekanbaru's file
    const month = calendarDateIn(new Date(), 'Asia/Jakarta').slice(0, 7);
    const complaint = (applicationId: string | null) => ({
      kind: 'complaint',
      id: randomUUID(),
      complaintId: randomUUID(),
      action: 'record',
      complaint: { receivedOn: `${month}-02`, complainantName: 'Budi', complainantIdentity: '1872010101900001', contact: '0812', channel: 'telepon', type: 'waktu_pelayanan', weight: 'ringan', summary: 'Izin belum selesai.', applicationId },
    });
    expect((await api(server.url, '/complaints/commands', { token: tokens.penata, body: complaint(atNumbering.id) })).body).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });

    // and Pekanbaru's own officials still can: its back office takes the file and numbers it
    expect((await api(server.url, '/claims', { token: tokens.backoffice, body: { applicationId: atNumbering.id } })).status).toBe(200);
    expect(await push('backoffice', transition(atNumbering.id, 'cetak_draf', 'cetak_blanko'))).toMatchObject({ status: 'accepted' });
    const given = await server.db.selectFrom('permit_numbers').selectAll().where('application_id', '=', atNumbering.id).executeTakeFirstOrThrow();
    expect(given).toMatchObject({ office_id: PEKANBARU_OFFICE_ID, code: 'SIKRO' });
    expect(given.permit_number).toMatch(/^503\/SIKRO\/\d{4}\/DPMPTSP\/\d{4}$/);
  });

  it('monitoring, the Buku Pengaduan and the monthly report are each office\'s own', async () => {
    const month = calendarDateIn(new Date(), 'Asia/Jakarta').slice(0, 7);
    const recorded = await api(server.url, '/complaints/commands', {
      token: tokens.penata,
      body: {
        kind: 'complaint',
        id: randomUUID(),
        complaintId: randomUUID(),
        action: 'record',
        complaint: { receivedOn: `${month}-03`, complainantName: 'Wahyu Metro', complainantIdentity: '1872031502880003', contact: '0812', channel: 'telepon', type: 'waktu_pelayanan', weight: 'ringan', summary: 'Lama.', applicationId: null },
      },
    });
    expect(recorded.body.status).toBe('accepted');
    const metroBook = await api(server.url, '/complaints', { token: tokens.sekretarismetro });
    const pekanbaruBook = await api(server.url, '/complaints', { token: tokens.sekretaris });
    expect(JSON.stringify(metroBook.body)).toContain('Wahyu Metro');
    expect(pekanbaruBook.body).toEqual({ complaints: [] });

    const { from, to } = monthPeriod(month);
    const metro = (await api(server.url, `/oversight/monitoring?from=${from}&to=${to}`, { token: tokens.kadis })).body;
    const pekanbaru = (await api(server.url, `/oversight/monitoring?from=${from}&to=${to}`, { token: tokens.kadispekanbaru })).body;
    const stagesOf = (figures: { stageTimes: Array<{ stage: string }> }) => new Set(figures.stageTimes.map((s) => s.stage));
    expect(stagesOf(metro).has('cetak_blanko')).toBe(false);
    expect(stagesOf(pekanbaru).has('cetak_blanko')).toBe(true);
    expect(stagesOf(pekanbaru).has('verifikasi_draf')).toBe(false);
    const overdueOf = (figures: { overdue: Array<{ applicationId?: string; registrationNumber: string }> }) => figures.overdue.map((o) => o.registrationNumber);
    const pekanbaruRegistrations = new Set((await filesOf(PEKANBARU_OFFICE_ID)).map((f) => f.registration_number));
    for (const registration of overdueOf(metro)) expect(pekanbaruRegistrations.has(registration)).toBe(false);
  });

  it('the public verification page names the office that gave the number, across offices, and a BATAL page still shows no personal data', async () => {
    const pekanbaruNumber = await server.db.selectFrom('permit_numbers').selectAll().where('office_id', '=', PEKANBARU_OFFICE_ID).executeTakeFirstOrThrow();
    const pending = (await api(server.url, `/verify/${pekanbaruNumber.verification_id}`)).body;
    expect(pending).toMatchObject({ status: 'not_issued', permitNumber: pekanbaruNumber.permit_number, office: { city: 'Kota Pekanbaru' } });

    // a Metro file the Kepala Dinas rejects: its number stays in the register, batal
    const metroFile = (await filesOf(METRO_OFFICE_ID)).find((f) => f.stage === 'verifikasi_draf')!;
    expect(await push('koordinator', transition(metroFile.id, 'setujui_draf', 'verifikasi_draf', 'Diperiksa.'))).toMatchObject({ status: 'accepted' });
    expect(await push('kadis', transition(metroFile.id, 'tolak', 'penandatanganan', 'STR tidak sesuai.'))).toMatchObject({ status: 'accepted' });
    const voided = await server.db.selectFrom('permit_numbers').selectAll().where('application_id', '=', metroFile.id).executeTakeFirstOrThrow();
    expect(voided.voided_at).not.toBeNull();
    const verdict = (await api(server.url, `/verify/${voided.verification_id}`)).body;
    expect(verdict).toMatchObject({ status: 'void', holderName: null, office: { city: 'Kota Metro' } });
    const page = await fetch(`${server.url}/verifikasi/${voided.verification_id}`);
    const html = await page.text();
    const applicant = JSON.parse(metroFile.applicant) as { fullName: string; nik: string };
    expect(html).toContain('Instansi penerbit');
    expect(html).toContain('Kota Metro');
    expect(html).not.toContain('Kota Pekanbaru');
    expect(html).not.toContain(applicant.fullName);
    expect(html).not.toContain(applicant.nik);

    // an id no office gave names no office
    expect((await api(server.url, '/verify/no-such-id-000000')).body).toMatchObject({ status: 'unknown', office: null });
  });
});

describe('permit numbers per office, year and permit code', () => {
  it('run 1..n with no gap in every office, year and code, voided numbers keeping their place, under concurrent approvals', async () => {
    const waiting = (await filesOf(METRO_OFFICE_ID)).filter((f) => f.stage === 'verifikasi_draf');
    const results = await Promise.all(waiting.map((f) => push('koordinator', transition(f.id, 'setujui_draf', 'verifikasi_draf', 'Diperiksa.'))));
    expect(results.every((r) => r.status === 'accepted')).toBe(true);

    const rows = await server.db.selectFrom('permit_numbers').selectAll().orderBy('sequence').execute();
    const groups = new Map<string, typeof rows>();
    for (const row of rows) groups.set(`${row.office_id}/${row.year}/${row.code}`, [...(groups.get(`${row.office_id}/${row.year}/${row.code}`) ?? []), row]);
    expect([...groups.keys()].some((k) => k.startsWith(`${METRO_OFFICE_ID}/`))).toBe(true);
    expect([...groups.keys()].some((k) => k.startsWith(`${PEKANBARU_OFFICE_ID}/`))).toBe(true);
    for (const [key, group] of groups) {
      expect(group.map((r) => r.sequence), key).toEqual(group.map((_, i) => i + 1));
      for (const r of group) expect(r.permit_number).toBe(`503/${r.code}/${String(r.sequence).padStart(4, '0')}/${r.office_id === BALIKPAPAN_OFFICE_ID ? 'DPMPTSP-BPP' : 'DPMPTSP'}/${r.year}`);
      const counter = await server.db.selectFrom('permit_number_counters').select('value').where('office_id', '=', group[0]!.office_id).where('year', '=', group[0]!.year).where('code', '=', group[0]!.code).executeTakeFirstOrThrow();
      expect(counter.value, key).toBe(group.length);
    }
    expect(rows.some((r) => r.voided_at !== null)).toBe(true);
  });

  it('keeps a separate counter for each office, year and code, and the unique constraint refuses a second sequence', async () => {
    const taken = await server.db.transaction().execute(async (trx) => [
      await nextPermitSequence(trx, METRO_OFFICE_ID, 2031, 'SIRO'),
      await nextPermitSequence(trx, METRO_OFFICE_ID, 2031, 'SIRO'),
      await nextPermitSequence(trx, PEKANBARU_OFFICE_ID, 2031, 'SIRO'),
      await nextPermitSequence(trx, METRO_OFFICE_ID, 2032, 'SIRO'),
      await nextPermitSequence(trx, METRO_OFFICE_ID, 2031, 'SITO'),
      await nextPermitSequence(trx, METRO_OFFICE_ID, 2031, 'SIRO'),
    ]);
    expect(taken).toEqual([1, 2, 1, 1, 1, 3]);

    const existing = await server.db.selectFrom('permit_numbers').selectAll().where('office_id', '=', METRO_OFFICE_ID).executeTakeFirstOrThrow();
    const spare = (await filesOf(METRO_OFFICE_ID)).find((f) => f.permit_number === null)!;
    await expect(
      server.db
        .insertInto('permit_numbers')
        .values({ ...existing, application_id: spare.id, permit_number: `${existing.permit_number}-dup`, verification_id: randomUUID() })
        .execute(),
    ).rejects.toThrow(/UNIQUE constraint failed: permit_numbers\.office_id, permit_numbers\.year, permit_numbers\.code, permit_numbers\.sequence/);
  });
});

describe('migration 021: a one-office database becomes the first office of many', () => {
  const BEFORE: Record<string, Migration> = {
    '2026-11-23-001-initial': initial,
    '2026-11-23-002-issued-permits': issuedPermits,
    '2026-11-23-003-claims': claims,
    '2026-11-23-004-event-evidence': eventEvidence,
    '2026-11-24-005-signed-permit-trust': signedPermitTrust,
    '2026-11-24-006-author-sessions': authorSessions,
    '2026-11-24-007-command-ledger-authorship': commandLedgerAuthorship,
    '2026-11-24-020-complaints': complaints,
  };

  it('moves every row to the office in settings, keeps the numbers, and numbering continues after the highest', async () => {
    const file = join(temp.dir, 'at-020.sqlite');
    const old = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(file) }) });
    const { error } = await new Migrator({ db: old, provider: { getMigrations: async () => BEFORE } }).migrateToLatest();
    expect(error).toBeUndefined();
    await old.destroy();

    const office = { ...demoOffice('http://127.0.0.1'), permitNumberUnit: undefined };
    const siro = DEMO_PERMIT_TYPES[0]!;
    const sqlite = new Database(file);
    sqlite.prepare("INSERT INTO settings (key, value) VALUES ('office', ?)").run(JSON.stringify(office));
    sqlite.prepare('INSERT INTO workflows (id, definition) VALUES (?, ?)').run(METRO_WORKFLOW.id, JSON.stringify(METRO_WORKFLOW));
    sqlite.prepare('INSERT INTO permit_types (id, definition) VALUES (?, ?)').run(siro.id, JSON.stringify(siro));
    sqlite.prepare("INSERT INTO users (id, username, full_name, nip, role, password_hash, active) VALUES ('u1', 'koordinator', 'K', '1', 'koordinator', 'scrypt$x', 1)").run();
    const insertApp = sqlite.prepare(
      "INSERT INTO applications (id, registration_number, permit_type_id, workflow_id, stage, applicant, checklist, submitted_at, complete_at, stage_entered_at, permit_number, verification_id, version, change_seq) VALUES (?, ?, ?, ?, 'verifikasi_draf', '{}', '{}', '2026-11-02T01:00:00.000Z', NULL, '2026-11-02T01:00:00.000Z', ?, ?, 1, ?)",
    );
    const insertNumber = sqlite.prepare("INSERT INTO permit_numbers (application_id, year, sequence, permit_number, verification_id, reserved_at, voided_at) VALUES (?, 2026, ?, ?, ?, '2026-11-02T01:00:00.000Z', ?)");
    for (const [n, sequence] of [[1, 1], [2, 2], [3, 5]] as const) {
      const number = `503/SIRO/${String(sequence).padStart(4, '0')}/DPMPTSP/2026`;
      insertApp.run(`a${n}`, `MPPD-2026-00000${n}`, siro.id, METRO_WORKFLOW.id, number, `v${n}`, n);
      insertNumber.run(`a${n}`, sequence, number, `v${n}`, n === 2 ? '2026-11-03T00:00:00.000Z' : null);
    }
    insertApp.run('a4', 'MPPD-2026-000004', siro.id, METRO_WORKFLOW.id, null, null, 4);
    sqlite.prepare("INSERT INTO complaints (id, received_on, complainant_name, complainant_identity, contact, channel, type, weight, summary, application_id, status, recorded_by_user_id) VALUES ('c1', '2026-11-04', 'Budi', '1', '0812', 'telepon', 'lainnya', 'ringan', 'x', 'a1', 'recorded', 'u1')").run();
    sqlite.prepare("INSERT INTO complaint_reports (month, status, note, entries) VALUES ('2026-11', 'draft', '', '[]')").run();
    sqlite.close();

    const { db, close } = await openServerDb(file);
    try {
      expect(await db.selectFrom('settings').select('key').where('key', '=', 'office').executeTakeFirst()).toBeUndefined();
      const offices = await db.selectFrom('offices').selectAll().execute();
      expect(offices.map((o) => o.id)).toEqual([METRO_OFFICE_ID]);
      for (const table of ['users', 'applications', 'workflows', 'permit_types', 'complaints', 'complaint_reports', 'permit_numbers'] as const) {
        const ids = (await db.selectFrom(table).select('office_id').execute()).map((r) => r.office_id);
        expect(ids.length, table).toBeGreaterThan(0);
        expect(new Set(ids), table).toEqual(new Set([METRO_OFFICE_ID]));
      }
      const numbers = await db.selectFrom('permit_numbers').select(['application_id', 'code', 'sequence', 'permit_number', 'voided_at']).orderBy('sequence').execute();
      expect(numbers.map((n) => [n.application_id, n.code, n.sequence])).toEqual([
        ['a1', 'SIRO', 1],
        ['a2', 'SIRO', 2],
        ['a3', 'SIRO', 5],
      ]);
      expect(numbers[1]!.voided_at).not.toBeNull();
      expect(await db.selectFrom('permit_number_counters').selectAll().execute()).toEqual([{ office_id: METRO_OFFICE_ID, year: 2026, code: 'SIRO', value: 5 }]);
      // the office definition from before the number unit existed still loads, with the default unit
      const sequence = await db.transaction().execute((trx) => nextPermitSequence(trx, METRO_OFFICE_ID, 2026, 'SIRO'));
      expect(sequence).toBe(6);
    } finally {
      await close();
    }
  });
});
