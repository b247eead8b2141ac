import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFailure } from '../../shared/result';
import { API_PREFIX, pullResponseSchema, type LoginResponse, type PullResponse, type TransitionCommand } from '../../shared/sync-protocol';
import { createDeskServices } from '../../main/services/create-desk-services';
import { createDeskClient } from '../../main/services/desk-client';
import { ServerClient, type FetchLike } from '../../main/services/server-client';
import { DEMO_PASSWORD, DEMO_PERMIT_TYPES, METRO_WORKFLOW, demoOffice } from '../../server/seed/demo-configuration';
import { startOfficeAndDesk } from '../support/desk-under-test';
import { openDeskCache } from '../support/desk-cache-file';
import { api, ledgerRow, lenientThrottle, login, startOfficeServer, type OfficeServer } from '../support/office-server';
import { serverEvents, serverStage } from '../support/server-inspection';
import { makeTempDir } from '../support/temp-dir';

const temp = makeTempDir('sync-robustness');
afterAll(() => temp.remove());


/** A node:http server on loopback that answers as the test says. */
async function fakeServer(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const LOGIN: LoginResponse = {
  token: 't'.repeat(43),
  expiresAt: new Date(Date.now() + 12 * 3_600_000).toISOString(),
  user: { id: 'u-penata', username: 'penata', fullName: 'Siti Rahmawati, S.Sos.', nip: '1', role: 'penata_perizinan' },
  session: { id: randomUUID(), key: Buffer.alloc(32, 3).toString('base64url'), expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
};

function emptyPage(cursor: number, hasMore: boolean): PullResponse {
  return { cursor, hasMore, removed: [], office: demoOffice('http://127.0.0.1'), permitTypes: DEMO_PERMIT_TYPES, workflows: [METRO_WORKFLOW], applications: [] };
}

describe('a damaged outbox row', () => {
  it('is set aside and reported; sign-in and the other decisions go on', async () => {
    const office = await startOfficeAndDesk(10);
    try {
      const cacheFile = join(dirname(office.serverDb), 'penata.sqlite');
      const first = await office.openDesk('penata');
      await first.signIn('penata');
      const { items } = await first.callOk('queue.list', {});
      await first.desk.close();
      await office.stopServer();

      const offline = await office.openDesk('penata');
      await offline.signIn('penata');
      const targets = items.filter((i) => i.stage === 'pemeriksaan').slice(0, 5);
      for (const t of targets) await offline.callOk('review.decide', { applicationId: t.id, action: 'kembalikan_ke_pemohon', reason: 'Pas foto tidak sesuai.', checklist: null });
      await offline.desk.close();

      // one row's JSON torn, another's grown past the protocol's limits, a third holding a NUL
      // character (queued before the desk refused them; the server refuses such a request whole)
      const cache = openDeskCache(cacheFile, { readonly: false });
      const rows = cache.prepare('SELECT id, application_id, command FROM outbox ORDER BY created_at').all() as Array<{ id: string; application_id: string; command: string }>;
      expect(rows).toHaveLength(5);
      cache.prepare('UPDATE outbox SET command = ? WHERE id = ?').run(rows[1]!.command.slice(0, 40), rows[1]!.id);
      cache.prepare('UPDATE outbox SET command = ? WHERE id = ?').run(JSON.stringify({ ...JSON.parse(rows[2]!.command), reason: 'x'.repeat(5000) }), rows[2]!.id);
      cache.prepare('UPDATE outbox SET command = ? WHERE id = ?').run(JSON.stringify({ ...JSON.parse(rows[3]!.command), reason: 'Pas foto\u0000 tidak sesuai.' }), rows[3]!.id);
      cache.close();

      await office.restartServer();
      const desk = await office.openDesk('penata');
      expect((await desk.call('session.signIn', { username: 'penata', password: DEMO_PASSWORD })).ok).toBe(true);
      expect(await desk.callOk('sync.status', {})).toMatchObject({ online: true, lastError: null, pendingCommands: 0, quarantinedCommands: 3 });
      const [good1, torn, grown, withNul, good2] = rows;
      for (const row of [good1!, good2!]) expect(serverStage(office.serverDb, row.application_id)).toBe('dikembalikan');
      for (const row of [torn!, grown!, withNul!]) {
        expect(serverStage(office.serverDb, row.application_id)).toBe('pemeriksaan');
        // back where the server has it, so the decision can be made again
        expect((await desk.callOk('application.get', { applicationId: row.application_id })).application.stage).toBe('pemeriksaan');
      }
    } finally {
      await office.close();
    }
  }, 60_000);
});

describe('pulls are bounded', () => {
  it('a cursor that does not move while the server says "more" is a server error, and sign-in returns', async () => {
    let pulls = 0;
    const server = await fakeServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === `${API_PREFIX}/auth/login`) return res.end(JSON.stringify(LOGIN));
      if (!req.url!.startsWith(`${API_PREFIX}/sync/pull`)) return res.writeHead(404).end('{}');
      pulls += 1;
      res.end(JSON.stringify(emptyPage(7, true)));
    });
    const desk = await createDeskServices({ cacheFile: join(temp.dir, 'stuck.sqlite'), serverUrl: server.url, syncIntervalMs: 0 });
    try {
      const started = Date.now();
      expect((await createDeskClient(desk).call('session.signIn', { username: 'penata', password: 'x' })).ok).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(pulls).toBe(2); // since=0 → 7 (fine), since=7 → 7 again: stop
      expect(await createDeskClient(desk).call('sync.status', {})).toMatchObject({ ok: true, value: { online: true, lastError: 'SERVER_ERROR' } });
    } finally {
      await desk.close();
      await server.close();
    }
  });

  it('one sync takes at most 200 pages from a server that never stops', async () => {
    let pulls = 0;
    const server = await fakeServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === `${API_PREFIX}/auth/login`) return res.end(JSON.stringify(LOGIN));
      if (!req.url!.startsWith(`${API_PREFIX}/sync/pull`)) return res.writeHead(404).end('{}');
      pulls += 1;
      const since = Number(new URL(req.url!, 'http://x').searchParams.get('since'));
      res.end(JSON.stringify(emptyPage(since + 1, true)));
    });
    const desk = await createDeskServices({ cacheFile: join(temp.dir, 'endless.sqlite'), serverUrl: server.url, syncIntervalMs: 0 });
    try {
      expect((await createDeskClient(desk).call('session.signIn', { username: 'penata', password: 'x' })).ok).toBe(true);
      expect(pulls).toBe(200);
    } finally {
      await desk.close();
      await server.close();
    }
  }, 30_000);
});

describe('protocol limits and replays at the server', () => {
  let server: OfficeServer;
  let penata: Awaited<ReturnType<typeof login>>;
  let pemeriksaan: string[];
  const dbFile = join(temp.dir, 'limits.sqlite');
  beforeAll(async () => {
    server = await startOfficeServer(dbFile, { throttle: lenientThrottle(), seed: { applications: 6, allAtStage: 'pemeriksaan' } });
    penata = await login(server.url, 'penata');
    pemeriksaan = pullResponseSchema.parse((await api(server.url, '/sync/pull?since=0&limit=50', { token: penata.token })).body).applications.map((a) => a.application.id);
  });
  afterAll(async () => server.close());

  const command = (applicationId: string, overrides: Record<string, unknown> = {}): TransitionCommand =>
    ({ id: randomUUID(), type: 'transition', applicationId, action: 'kembalikan_ke_pemohon', expectedStage: 'pemeriksaan', reason: 'Dokumen kurang.', checklist: null, decidedAt: new Date().toISOString(), evidence: null, ...overrides }) as TransitionCommand;
  const reference = (fields: Record<string, string>) => ({ source: 'sisdmk', nik: '1871010101900001', fields, retrievedAt: new Date().toISOString() });

  it('refuses an oversized command before anything is stored: 413 past the body limit, 400 past a field limit', async () => {
    const target = pemeriksaan[0]!;
    const before = serverEvents(dbFile, target).length;
    const cases: Array<[string, TransitionCommand, number]> = [
      ['10 MB of evidence', command(target, { evidence: { references: [reference({ foto: 'x'.repeat(10 * 1024 * 1024) })] } }), 413],
      ['100,000 checklist keys', command(target, { checklist: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, true])) }), 400],
      ['65 checklist keys', command(target, { checklist: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, true])) }), 400],
      ['5 references', command(target, { evidence: { references: Array.from({ length: 5 }, () => reference({ fullName: 'A' })) } }), 400],
      ['21 fields in a reference', command(target, { evidence: { references: [reference(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`f${i}`, 'v'])))] } }), 400],
      ['a 201-character field', command(target, { evidence: { references: [reference({ facilityName: 'x'.repeat(201) })] } }), 400],
      ['a 2,001-character reason', command(target, { reason: 'x'.repeat(2001) }), 400],
      ['a 65-character id', command('a'.repeat(65)), 400],
    ];
    for (const [name, oversized, status] of cases) {
      const answer = await api(server.url, '/sync/push', { token: penata.token, body: { commands: [oversized] } });
      expect({ name, status: answer.status }).toEqual({ name, status });
      expect(ledgerRow(dbFile, oversized.id)).toBeUndefined();
    }
    expect(serverEvents(dbFile, target).length).toBe(before);
    expect(serverStage(dbFile, target)).toBe('pemeriksaan');
  }, 60_000);

  it('answers a replayed id with the first answer, and refuses it with other content, another author or another endpoint', async () => {
    const target = pemeriksaan[1]!;
    const first = command(target);
    const accepted = (await api(server.url, '/sync/push', { token: penata.token, body: { commands: [first] } })).body.results[0];
    expect(accepted).toMatchObject({ status: 'accepted' });
    expect((await api(server.url, '/sync/push', { token: penata.token, body: { commands: [first] } })).body.results[0]).toEqual(accepted);

    const penata2 = await login(server.url, 'penata2');
    const reused = [
      [{ ...first, reason: 'Alasan lain.' }, penata.token],
      [{ ...first, applicationId: pemeriksaan[2]! }, penata.token],
      [first, penata2.token], // the same content under another official's name
    ] as const;
    for (const [replay, token] of reused) {
      expect((await api(server.url, '/sync/push', { token, body: { commands: [replay] } })).body.results[0]).toMatchObject({ status: 'rejected', code: 'COMMAND_ID_REUSED' });
    }
    const pdf = Buffer.from('%PDF-1.7 '.padEnd(200, 'x'));
    const otherEndpoint = await api(server.url, '/permits/issue', {
      token: penata.token,
      body: { commandId: first.id, applicationId: target, expectedStage: 'pemeriksaan', sha256: 'a'.repeat(64), pdfBase64: pdf.toString('base64') },
    });
    expect(otherEndpoint.body).toMatchObject({ status: 'rejected', code: 'COMMAND_ID_REUSED' });
    expect(serverEvents(dbFile, target).filter((e) => e.command_id === first.id)).toHaveLength(1);
    expect(serverStage(dbFile, pemeriksaan[2]!)).toBe('pemeriksaan');
    expect(ledgerRow(dbFile, first.id)).toMatchObject({ status: 'accepted' });
  });

  it('refuses an oversized decision on the desk before it joins the outbox', async () => {
    const desk = await createDeskServices({ cacheFile: join(temp.dir, 'limits-desk.sqlite'), serverUrl: server.url, syncIntervalMs: 0 });
    try {
      const { call } = createDeskClient(desk);
      expect((await call('session.signIn', { username: 'penata', password: DEMO_PASSWORD })).ok).toBe(true);
      const target = pemeriksaan[3]!;
      const checklist = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`syarat_${i}`, true]));
      expect(await call('review.decide', { applicationId: target, action: 'kembalikan_ke_pemohon', reason: 'x', checklist })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(await call('sync.status', {})).toMatchObject({ ok: true, value: { pendingCommands: 0 } });
      expect(serverStage(dbFile, target)).toBe('pemeriksaan');
    } finally {
      await desk.close();
    }
  });
});

describe('a server that trickles its answer', () => {
  let trickle: Awaited<ReturnType<typeof fakeServer>>;
  beforeAll(async () => {
    trickle = await fakeServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{');
      const timer = setInterval(() => res.write(' '), 1000); // one byte a second
      res.on('close', () => clearInterval(timer));
    });
  });
  afterAll(async () => trickle.close());

  async function failure(run: () => Promise<unknown>): Promise<{ code: string; ms: number }> {
    const started = Date.now();
    try {
      await run();
    } catch (error) {
      if (error instanceof AppFailure) return { code: error.code, ms: Date.now() - started };
      throw error;
    }
    throw new Error('expected a failure');
  }

  it('is unreachable once the 15 s deadline for the whole answer passes, not a server error', async () => {
    const client = new ServerClient(trickle.url);
    const outcome = await failure(() => client.login('penata', 'x'));
    expect(outcome.code).toBe('SERVER_UNREACHABLE');
    expect(outcome.ms).toBeGreaterThan(14_000);
    expect(outcome.ms).toBeLessThan(17_000);
  }, 30_000);

  it('an action that finds the server gone turns the status offline at once, and the next answer turns it back', async () => {
    const office = await startOfficeServer(join(temp.dir, 'gone-office.sqlite'), { throttle: lenientThrottle(), seed: { applications: 2, allAtStage: 'pemeriksaan' } });
    let down = false;
    const fetchImpl: FetchLike = (input, init) => (down ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init));
    const desk = await createDeskServices({ cacheFile: join(temp.dir, 'gone-desk.sqlite'), serverUrl: office.url, syncIntervalMs: 0, fetchImpl });
    try {
      const { call } = createDeskClient(desk);
      expect((await call('session.signIn', { username: 'penata', password: DEMO_PASSWORD })).ok).toBe(true);
      expect(await call('sync.now', {})).toMatchObject({ ok: true, value: { online: true } });
      const first = (await call('queue.list', {})) as { ok: true; value: { items: Array<{ id: string }> } };
      const applicationId = first.value.items[0]!.id;
      down = true;
      expect(await call('application.claim', { applicationId, take: true })).toMatchObject({ ok: false, error: { code: 'SERVER_UNREACHABLE' } });
      expect(await call('sync.status', {})).toMatchObject({ ok: true, value: { online: false } });
      down = false;
      expect(await call('application.claim', { applicationId, take: true })).toMatchObject({ ok: true });
      expect(await call('sync.status', {})).toMatchObject({ ok: true, value: { online: true } });
    } finally {
      await desk.close();
      await office.close();
    }
  });

  it('lets the official sign in on the desk instead (offline), and sync reports the server unreachable', async () => {
    const cacheFile = join(temp.dir, 'trickle-desk.sqlite');
    const serverFile = join(temp.dir, 'trickle-office.sqlite');
    const office = await startOfficeServer(serverFile, { throttle: lenientThrottle(), seed: { applications: 2 } });
    const online = await createDeskServices({ cacheFile, serverUrl: office.url, syncIntervalMs: 0 });
    expect((await createDeskClient(online).call('session.signIn', { username: 'penata', password: DEMO_PASSWORD })).ok).toBe(true);
    await online.close();
    await office.close();

    // the same deadline mechanism, shortened so the test does not wait 15 s for each request
    const fetchImpl: FetchLike = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(2_000) });
    const desk = await createDeskServices({ cacheFile, serverUrl: trickle.url, syncIntervalMs: 0, fetchImpl });
    try {
      const started = Date.now();
      expect(await createDeskClient(desk).call('session.signIn', { username: 'penata', password: DEMO_PASSWORD })).toMatchObject({ ok: true, value: { user: { username: 'penata' } } });
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(await createDeskClient(desk).call('sync.now', {})).toMatchObject({ ok: true, value: { online: false, lastError: 'SERVER_UNREACHABLE' } });
    } finally {
      await desk.close();
    }
  }, 40_000);
});
