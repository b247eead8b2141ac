import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { mappedPostgresDatabase } from '../support/postgres-test-databases';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { API_PREFIX, pullResponseSchema, type PullResponse, type TransitionCommand } from '../../shared/sync-protocol';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { makeTempDir } from '../support/temp-dir';
import { serverEvents, serverStage } from '../support/server-inspection';

let temp: ReturnType<typeof makeTempDir>;
let server: RunningCentralServer;
let dbFile: string;
const tokens: Record<string, string> = {};
let pulled: PullResponse;

async function api(path: string, init: { method?: string; token?: string; body?: unknown } = {}) {
  const response = await fetch(`${server.url}${API_PREFIX}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as any };
}

function command(overrides: Partial<TransitionCommand>): TransitionCommand {
  return { id: randomUUID(), type: 'transition', applicationId: '', action: 'teruskan', expectedStage: 'pemeriksaan', reason: null, checklist: null, decidedAt: new Date().toISOString(), evidence: null, ...overrides };
}

function firstAt(stage: string) {
  return pulled.applications.find((a) => a.application.stage === stage)!.application;
}

beforeAll(async () => {
  temp = makeTempDir('server-rules');
  dbFile = join(temp.dir, 'server.sqlite');
  server = await startCentralServer({ dbFile, seedDemoIfEmpty: { applications: 30 } });
  for (const user of ['penata', 'penata2', 'koordinator', 'kadis']) {
    tokens[user] = (await api('/auth/login', { method: 'POST', body: { username: user, password: DEMO_PASSWORD } })).body.token;
  }
  // the Kepala Dinas sees the whole office (need-to-know limits everyone else to their own work)
  pulled = pullResponseSchema.parse((await api('/sync/pull?since=0&limit=1000', { token: tokens.kadis })).body);
});
afterAll(async () => {
  await server.close();
  temp.remove();
});

describe('central server rules', () => {
  it('uses an office definition changed outside the server (an administrator, another process) from the very next request', async () => {
    const readName = async () => pullResponseSchema.parse((await api('/sync/pull?since=0&limit=1', { token: tokens.kadis })).body).permitTypes.map((p) => p.name);
    const before = await readName();
    // written beside the server, on its database (SQLite file or, in the PostgreSQL run, its database)
    const postgres = mappedPostgresDatabase(dbFile);
    const write = async (text: string, params: unknown[]) => {
      if (postgres) {
        const client = new pg.Client({ connectionString: postgres });
        await client.connect();
        try {
          let n = 0;
          return (await client.query(text.replace(/\?/g, () => `$${++n}`), params)).rows as Array<Record<string, string>>;
        } finally {
          await client.end();
        }
      }
      const other = new Database(dbFile);
      try {
        const statement = other.prepare(text);
        return statement.reader ? (statement.all(...params) as Array<Record<string, string>>) : (statement.run(...params), []);
      } finally {
        other.close();
      }
    };
    const [row] = await write("SELECT id, definition FROM permit_types WHERE definition LIKE '%Refraksionis%'", []);
    const renamed = JSON.stringify({ ...JSON.parse(row!.definition!), name: 'Surat Izin Refraksionis (diubah)' });
    await write('UPDATE permit_types SET definition = ? WHERE id = ?', [renamed, row!.id]);
    expect(await readName()).toContain('Surat Izin Refraksionis (diubah)');
    await write('UPDATE permit_types SET definition = ? WHERE id = ?', [row!.definition, row!.id]);
    expect((await readName()).sort()).toEqual([...before].sort());
  });

  it('refuses a wrong password and requests without a valid token', async () => {
    expect((await api('/auth/login', { method: 'POST', body: { username: 'penata', password: 'salah' } })).status).toBe(401);
    expect((await api('/sync/pull')).status).toBe(401);
    expect((await api('/sync/pull', { token: 'not-a-real-token-at-all' })).status).toBe(401);
  });

  it("seeds a realistic office: three permit types, its own workflow chain (Pekanbaru's is Pekanbaru's office's), 30 files over the stages", () => {
    expect(pulled.permitTypes.map((p) => p.name).sort()).toEqual(['Surat Izin Dokter Internship', 'Surat Izin Refraksionis Optisien', 'Surat Izin Terapis Okupasional']);
    expect(pulled.workflows.map((w) => w.id).sort()).toEqual(['metro-3-tahap']);
    expect(pulled.applications).toHaveLength(30);
    expect(new Set(pulled.applications.map((a) => a.application.stage)).size).toBeGreaterThanOrEqual(3);
    expect(pulled.applications.every((a) => /^\d{16}$/.test(a.application.applicant.nik))).toBe(true);
    expect(pulled.applications.every((a) => a.references.length === 2)).toBe(true);
  });

  it('refuses an action by the wrong role', async () => {
    const app = firstAt('pemeriksaan');
    const cmd = command({ applicationId: app.id, action: 'kembalikan_ke_pemohon', reason: 'coba' });
    const { body } = await api('/sync/push', { method: 'POST', token: tokens.koordinator, body: { commands: [cmd] } });
    expect(body.results[0]).toMatchObject({ status: 'rejected', code: 'FORBIDDEN_ROLE' });
    expect(serverStage(dbFile, app.id)).toBe('pemeriksaan');
  });

  it('refuses a transition the workflow does not allow, and one from a stage the file has left', async () => {
    const app = firstAt('pemeriksaan');
    const skip = command({ applicationId: app.id, action: 'setujui_draf', expectedStage: 'pemeriksaan' });
    const stale = command({ applicationId: firstAt('verifikasi_draf').id, action: 'kembalikan_ke_pemohon', expectedStage: 'pemeriksaan', reason: 'x' });
    const { body } = await api('/sync/push', { method: 'POST', token: tokens.penata, body: { commands: [skip, stale] } });
    expect(body.results.map((r: any) => r.code)).toEqual(['TRANSITION_NOT_ALLOWED', 'STAGE_CHANGED']);
    expect(serverStage(dbFile, app.id)).toBe('pemeriksaan');
  });

  it('applies a command id at most once, however often and in whatever order it arrives', async () => {
    const app = pulled.applications.filter((a) => a.application.stage === 'pemeriksaan')[1]!.application;
    const ret = command({ applicationId: app.id, action: 'kembalikan_ke_pemohon', reason: 'STR kedaluwarsa' });
    const before = serverEvents(dbFile, app.id).length;
    const first = await api('/sync/push', { method: 'POST', token: tokens.penata, body: { commands: [ret, ret] } });
    expect(first.body.results.map((r: any) => r.status)).toEqual(['accepted', 'accepted']);
    const again = await api('/sync/push', { method: 'POST', token: tokens.penata, body: { commands: [ret] } });
    expect(again.body.results[0].status).toBe('accepted');
    expect(serverEvents(dbFile, app.id).length).toBe(before + 1);
    expect(serverStage(dbFile, app.id)).toBe('dikembalikan');
  });

  it('answers a malformed push with 400 and changes nothing', async () => {
    const app = firstAt('pemeriksaan');
    const bad = await api('/sync/push', { method: 'POST', token: tokens.penata, body: { commands: [{ id: 'not-a-uuid', type: 'transition', applicationId: app.id }] } });
    expect(bad.status).toBe(400);
    const broken = await fetch(`${server.url}${API_PREFIX}/sync/push`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.penata}` }, body: '{"commands": [' });
    expect(broken.status).toBe(400);
    expect(serverStage(dbFile, app.id)).toBe('pemeriksaan');
  });

  it('pulls incrementally by cursor', async () => {
    const after = pullResponseSchema.parse((await api(`/sync/pull?since=${pulled.cursor}`, { token: tokens.penata })).body);
    expect(after.applications.every((a) => a.changeSeq > pulled.cursor)).toBe(true);
    expect(after.applications.length).toBeGreaterThan(0);
  });

  it('numbers a file only at the chain\'s numbering step, voids a rejected file\'s number, and verifies it publicly', async () => {
    const app = firstAt('verifikasi_draf');
    expect(app.permitNumber).toBeNull();
    // opening a file reserves nothing: there is no such request any more
    expect((await api('/numbers/reserve', { method: 'POST', token: tokens.koordinator, body: { applicationId: app.id } })).status).toBe(404);
    const approve = command({ applicationId: app.id, action: 'setujui_draf', expectedStage: 'verifikasi_draf' });
    expect((await api('/sync/push', { method: 'POST', token: tokens.koordinator, body: { commands: [approve] } })).body.results[0].status).toBe('accepted');
    const numbered = pullResponseSchema.parse((await api('/sync/pull?since=0&limit=1000', { token: tokens.kadis })).body).applications.find((a) => a.application.id === app.id)!.application;
    expect(numbered.permitNumber).toMatch(/^503\/SI(RO|TO|DI)\/\d{4}\/DPMPTSP\/\d{4}$/);
    const reserved = await api(`/verify/${numbered.verificationId}`);
    expect(reserved.body).toMatchObject({ status: 'not_issued', permitNumber: numbered.permitNumber, holderName: null });

    // a plain decision can never make the file terbit: signing is taken only by delivering a verified signed permit
    const fakeSign = command({ applicationId: app.id, action: 'tandatangani', expectedStage: 'penandatanganan' });
    expect((await api('/sync/push', { method: 'POST', token: tokens.kadis, body: { commands: [fakeSign] } })).body.results[0]).toMatchObject({ status: 'rejected', code: 'TRANSITION_NOT_ALLOWED' });

    const reject = command({ applicationId: app.id, action: 'tolak', expectedStage: 'penandatanganan', reason: 'STR tidak sesuai' });
    expect((await api('/sync/push', { method: 'POST', token: tokens.kadis, body: { commands: [reject] } })).body.results[0].status).toBe('accepted');
    const voided = await api(`/verify/${numbered.verificationId}`);
    expect(voided.body).toMatchObject({ status: 'void', permitNumber: numbered.permitNumber, holderName: null });
    expect(voided.body.voidedAt).toBeTruthy();
    const page = await (await fetch(`${server.url}/verifikasi/${numbered.verificationId}`)).text();
    expect(page).toContain('BATAL');
    expect(page).not.toContain(app.applicant.fullName);

    // the next number is a new one: a voided number keeps its place and is never given again
    const next = pulled.applications.filter((a) => a.application.stage === 'verifikasi_draf')[1]!.application;
    await api('/sync/push', { method: 'POST', token: tokens.koordinator, body: { commands: [command({ applicationId: next.id, action: 'setujui_draf', expectedStage: 'verifikasi_draf' })] } });
    const all = pullResponseSchema.parse((await api('/sync/pull?since=0&limit=1000', { token: tokens.kadis })).body).applications.map((a) => a.application.permitNumber).filter(Boolean);
    expect(new Set(all).size).toBe(all.length);
    expect((await api('/verify/unknown-id')).body.status).toBe('unknown');
  });

  it('arbitrates claims: the first official to take a file has it until released', async () => {
    const app = pulled.applications.filter((a) => a.application.stage === 'pemeriksaan')[2]!.application;
    const first = await api('/claims', { method: 'POST', token: tokens.penata, body: { applicationId: app.id } });
    expect(first.body.claimedBy.name).toBe('Siti Rahmawati, S.Sos.');
    // taking it again is answered as already theirs, with the first time it was taken
    const again = await api('/claims', { method: 'POST', token: tokens.penata, body: { applicationId: app.id } });
    expect([again.status, again.body.claimedBy]).toEqual([200, first.body.claimedBy]);
    const second = await api('/claims', { method: 'POST', token: tokens.penata2, body: { applicationId: app.id } });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ error: 'refused', claimedBy: { name: 'Siti Rahmawati, S.Sos.' } });
    expect((await api('/claims', { method: 'POST', token: tokens.koordinator, body: { applicationId: app.id } })).status).toBe(403);
    expect((await api('/claims', { method: 'POST', token: tokens.penata, body: { applicationId: 'no-such-file' } })).status).toBe(404);
    const blocked = await api('/sync/push', { method: 'POST', token: tokens.penata2, body: { commands: [command({ applicationId: app.id, action: 'kembalikan_ke_pemohon', reason: 'x' })] } });
    expect(blocked.body.results[0]).toMatchObject({ status: 'rejected', code: 'CLAIMED_BY_OTHER' });
    expect((await api(`/claims/${app.id}`, { method: 'DELETE', token: tokens.penata2 })).status).toBe(409);
    expect((await api(`/claims/${app.id}`, { method: 'DELETE', token: tokens.penata })).body.claimedBy).toBeNull();
    const after = await api('/sync/push', { method: 'POST', token: tokens.penata2, body: { commands: [command({ applicationId: app.id, action: 'kembalikan_ke_pemohon', reason: 'x' })] } });
    expect(after.body.results[0].status).toBe('accepted');
  });
});
