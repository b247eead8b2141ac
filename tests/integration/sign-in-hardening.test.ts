import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandMac } from '../../shared/node/command-mac';
import { pullResponseSchema, transitionContent, type TransitionCommand } from '../../shared/sync-protocol';
import { DEMO_USERS } from '../../server/seed/demo-configuration';
import { createDeskServices } from '../../main/services/create-desk-services';
import { createDeskClient } from '../../main/services/desk-client';
import { api, lenientThrottle, login, readServerDb, startOfficeServer, type OfficeServer } from '../support/office-server';
import { makeTempDir } from '../support/temp-dir';

const temp = makeTempDir('sign-in');
afterAll(() => temp.remove());

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('sign-in throttling (default policy)', () => {
  let server: OfficeServer;
  beforeAll(async () => {
    server = await startOfficeServer(join(temp.dir, 'throttle.sqlite'), { seed: { applications: 2 } });
  });
  afterAll(async () => server.close());

  it('answers 50 wrong passwords for one account with 401 up to the threshold, then only 429 with Retry-After, even for the right password', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 50; i += 1) {
      const answer = await api(server.url, '/auth/login', { body: { username: 'penata', password: `tebakan-${i}` } });
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter = answer.headers.get('retry-after');
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThan(800); // locked for 15 minutes
    expect(Number(retryAfter)).toBeLessThanOrEqual(900);
    // the right password during the lockout learns nothing
    expect((await api(server.url, '/auth/login', { body: { username: 'penata', password: 'meja-izin-demo' } })).status).toBe(429);
    // the spelling of the name does not escape it
    expect((await api(server.url, '/auth/login', { body: { username: 'PENATA', password: 'x' } })).status).toBe(429);
  }, 30_000);

  it('locks the address after 20 failures over many accounts, known and unknown alike', async () => {
    // 5 failures from this address already (the test above); 15 more over accounts that do not exist
    for (let i = 0; i < 15; i += 1) expect((await api(server.url, '/auth/login', { body: { username: `tidak-ada-${i}`, password: 'x' } })).status).toBe(401);
    const locked = await api(server.url, '/auth/login', { body: { username: 'kadis', password: 'meja-izin-demo' } });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('sign-in throttling counted in the database', () => {
  it('two servers on one database count failures together, and a restarted server still knows the lockout', async () => {
    const dbFile = join(temp.dir, 'shared-throttle.sqlite');
    const first = await startOfficeServer(dbFile, { seed: { applications: 1 } });
    let second = await startOfficeServer(dbFile);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i += 1) {
        const via = i % 2 === 0 ? first : second;
        statuses.push((await api(via.url, '/auth/login', { body: { username: 'kadis', password: `tebakan-${i}` } })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      await second.close();
      second = await startOfficeServer(dbFile);
      const locked = await api(second.url, '/auth/login', { body: { username: 'kadis', password: 'meja-izin-demo' } });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
      // another account from the same address is not locked, and its success clears only itself
      expect((await api(first.url, '/auth/login', { body: { username: 'penata', password: 'meja-izin-demo' } })).status).toBe(200);
    } finally {
      await second.close();
      await first.close();
    }
  }, 60_000);
});

describe('a token check stands one second', () => {
  it('a sign-out or a deactivation is refused at once by the server that made it, and by another server on the database within a second', async () => {
    const dbFile = join(temp.dir, 'token-checks.sqlite');
    const first = await startOfficeServer(dbFile, { throttle: lenientThrottle(), seed: { applications: 1 } });
    const second = await startOfficeServer(dbFile, { throttle: lenientThrottle() });
    const pull = (server: OfficeServer, token: string) => api(server.url, '/sync/pull?since=0&limit=1', { token }).then((r) => r.status);
    try {
      const signedIn = await login(first.url, 'penata');
      // both servers have checked the token (and hold that check)
      expect([await pull(first, signedIn.token), await pull(second, signedIn.token)]).toEqual([200, 200]);
      expect((await api(first.url, '/auth/logout', { method: 'POST', token: signedIn.token, body: {} })).status).toBeLessThan(300);
      expect(await pull(first, signedIn.token)).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await pull(second, signedIn.token)).toBe(401);

      // an official deactivated in the database (by another process, as the command line does)
      const other = await login(first.url, 'koordinator');
      expect([await pull(first, other.token), await pull(second, other.token)]).toEqual([200, 200]);
      await first.db.updateTable('users').set({ active: 0 }).where('username', '=', 'koordinator').execute();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect([await pull(first, other.token), await pull(second, other.token)]).toEqual([401, 401]);
    } finally {
      await second.close();
      await first.close();
    }
  }, 60_000);
});

describe('sign-in, sign-out, refresh and administration', () => {
  let server: OfficeServer;
  const dbFile = join(temp.dir, 'office.sqlite');
  beforeAll(async () => {
    server = await startOfficeServer(dbFile, { throttle: lenientThrottle(), seed: { applications: 4, allAtStage: 'pemeriksaan' } });
  });
  afterAll(async () => server.close());

  it('answers unknown and known users in the same time (medians within 20 %)', async () => {
    const known = DEMO_USERS.map((u) => u.username);
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    const attempt = (username: string) => api(server.url, '/auth/login', { body: { username, password: 'kata-sandi-salah' } });
    for (let i = 0; i < 4; i += 1) await attempt(known[i]!); // warm-up
    for (let i = 0; i < 20; i += 1) {
      knownTimes.push(await timed(() => attempt(known[i % known.length]!)));
      unknownTimes.push(await timed(() => attempt(`pejabat-fiktif-${i}`)));
    }
    const k = median(knownTimes);
    const u = median(unknownTimes);
    console.log(`sign-in timing, median of 20 wrong passwords: known users ${k.toFixed(1)} ms, unknown users ${u.toFixed(1)} ms (ratio ${(u / k).toFixed(2)})`);
    expect(Math.abs(k - u) / Math.max(k, u)).toBeLessThan(0.2);
  }, 60_000);

  it('refreshes a token only while its author session lasts, never past it: a sign-in ends after 14 days however often it is refreshed', async () => {
    const session = async (id: string, set: { expires_at?: string; revoked_at?: string }) => server.db.updateTable('auth_sessions').set(set).where('id', '=', id).execute();
    const aged = await login(server.url, 'penata2');
    await session(aged.session.id, { expires_at: new Date(Date.now() - 60_000).toISOString() });
    expect((await api(server.url, '/auth/refresh', { method: 'POST', token: aged.token })).status).toBe(401);

    const revoked = await login(server.url, 'penata2');
    await session(revoked.session.id, { revoked_at: new Date().toISOString() });
    expect((await api(server.url, '/auth/refresh', { method: 'POST', token: revoked.token })).status).toBe(401);
    // and a token of a revoked sign-in answers nothing, even one a refresh made meanwhile
    expect((await api(server.url, '/sync/pull?since=0&limit=5', { token: revoked.token })).status).toBe(401);

    const ending = await login(server.url, 'penata2');
    const end = new Date(Date.now() + 60 * 60_000).toISOString();
    await session(ending.session.id, { expires_at: end });
    const refreshed = await api(server.url, '/auth/refresh', { method: 'POST', token: ending.token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.expiresAt).toBe(end);
  });

  it('revokes the token on sign-out, and rotates it on refresh keeping the author session', async () => {
    const first = await login(server.url, 'penata');
    expect((await api(server.url, '/sync/pull?since=0&limit=5', { token: first.token })).status).toBe(200);

    const refreshed = await api(server.url, '/auth/refresh', { method: 'POST', token: first.token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.token).not.toBe(first.token);
    expect((await api(server.url, '/sync/pull?since=0&limit=5', { token: first.token })).status).toBe(401);
    const token = refreshed.body.token as string;
    const pulled = pullResponseSchema.parse((await api(server.url, '/sync/pull?since=0&limit=5', { token })).body);

    // the refreshed token carries the same sign-in: a command signed with its session key is accepted
    const command: TransitionCommand = {
      id: crypto.randomUUID(), type: 'transition', applicationId: pulled.applications[0]!.application.id, action: 'kembalikan_ke_pemohon',
      expectedStage: 'pemeriksaan', reason: 'STR tidak terbaca.', checklist: null, decidedAt: new Date().toISOString(), evidence: null,
    };
    const author = { userId: first.user.id, sessionId: first.session.id };
    const signed = { ...command, author, mac: commandMac(Buffer.from(first.session.key, 'base64url'), transitionContent(command), author) };
    expect((await api(server.url, '/sync/push', { token, body: { commands: [signed] } })).body.results[0].status).toBe('accepted');

    expect((await api(server.url, '/auth/logout', { method: 'POST', token })).status).toBe(200);
    expect((await api(server.url, '/sync/pull?since=0&limit=5', { token })).status).toBe(401);
    expect((await api(server.url, '/auth/refresh', { method: 'POST', token })).status).toBe(401);
  });

  it('signs the desk out on the server too', async () => {
    const desk = await createDeskServices({ cacheFile: join(temp.dir, 'desk.sqlite'), serverUrl: server.url, syncIntervalMs: 0 });
    try {
      const tokens = () => readServerDb(dbFile, (db) => (db.prepare("SELECT COUNT(*) AS n FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = 'kadis'").get() as { n: number }).n);
      const before = tokens();
      expect((await createDeskClient(desk).call('session.signIn', { username: 'kadis', password: 'meja-izin-demo' })).ok).toBe(true);
      expect(tokens()).toBe(before + 1);
      await desk.session.signOut();
      expect(tokens()).toBe(before);
    } finally {
      await desk.close();
    }
  });

  it('adds, resets and disables accounts from the command line, with a password policy', async () => {
    const cli = (args: string[], password: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/manage-user.ts', ...args, '--db', dbFile], { input: `${password}\n`, encoding: 'utf8', cwd: process.cwd() });
    const add = ['add', '--username', 'penata3', '--full-name', 'Rudi Hartono, S.AP.', '--nip', '19910101 201801 1 001', '--role', 'penata_perizinan', '--office', 'dpmptsp-kota-metro'];

    for (const weak of ['Pendek-1', 'semuahurufkecilsaja', 'Penata3-rahasia!', 'meja-izin-demo', 'Meja Izin Demo']) {
      const refused = cli(add, weak);
      expect({ weak, status: refused.status }).toEqual({ weak, status: 1 });
      expect(refused.stderr).toContain('password refused');
    }
    const strong = 'Kopi-Tubruk-Lampung-7';
    // the demo server holds several offices: an official is added to a named one
    const noOffice = cli(add.slice(0, -2), strong);
    expect(noOffice.status).toBe(1);
    expect(noOffice.stderr).toContain('name the office with --office');
    const added = cli(add, strong);
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toContain('Added penata3');
    expect(added.stdout + added.stderr).not.toContain(strong);
    const session = await login(server.url, 'penata3', strong);
    expect(session.user.role).toBe('penata_perizinan');

    const next = 'Teh-Poci-Tegal-2026';
    expect(cli(['reset-password', '--username', 'penata3'], next).status).toBe(0);
    expect((await api(server.url, '/sync/pull?since=0&limit=1', { token: session.token })).status).toBe(401);
    expect((await api(server.url, '/auth/login', { body: { username: 'penata3', password: strong } })).status).toBe(401);
    const again = await login(server.url, 'penata3', next);

    expect(cli(['disable', '--username', 'penata3'], '').status).toBe(0);
    expect((await api(server.url, '/sync/pull?since=0&limit=1', { token: again.token })).status).toBe(401);
    expect((await api(server.url, '/auth/login', { body: { username: 'penata3', password: next } })).status).toBe(401);
    expect(cli(['frobnicate', '--username', 'x'], '').status).toBe(2);
  }, 60_000);
});
