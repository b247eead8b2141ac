import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandMac } from '../../shared/node/command-mac';
import { pullResponseSchema, transitionContent, type TransitionCommand } from '../../shared/sync-protocol';
import { startOfficeAndDesk } from '../support/desk-under-test';
import { api, ledgerRow, login, userIds } from '../support/office-server';
import { serverEvents, serverStage } from '../support/server-inspection';

const SITI = 'Siti Rahmawati, S.Sos.'; // penata

let office: Awaited<ReturnType<typeof startOfficeAndDesk>>;

beforeEach(async () => {
  office = await startOfficeAndDesk(10);
});
afterEach(async () => {
  await office.close();
});

/** penata signs in on the shared desk, then decides three files there while the server is down. */
async function penataDecidesOffline() {
  const first = await office.openDesk('shared');
  await first.signIn('penata');
  const { items } = await first.callOk('queue.list', {});
  await first.desk.close();
  await office.stopServer();

  const desk = await office.openDesk('shared');
  await desk.signIn('penata'); // offline, against the remembered credential
  const targets = items.filter((i) => i.stage === 'pemeriksaan').slice(0, 3);
  expect(targets).toHaveLength(3);
  for (const target of targets) {
    const decided = await desk.callOk('review.decide', { applicationId: target.id, action: 'kembalikan_ke_pemohon', reason: 'Surat keterangan sehat belum diunggah.', checklist: null });
    expect(decided.delivered).toBe(false);
  }
  await desk.desk.session.signOut();
  await office.restartServer();
  return { desk, targets };
}

function commandsOf(applicationId: string) {
  return serverEvents(office.serverDb, applicationId).filter((e) => e.command_id);
}

describe('every decision under its own official’s name', () => {
  it('penata decides offline, penata2 signs in on the same desk: the server books the decisions to penata', async () => {
    const { desk, targets } = await penataDecidesOffline();
    const ids = userIds(office.serverDb);

    await desk.signIn('penata2');
    expect(await desk.callOk('sync.status', {})).toMatchObject({ online: true, pendingCommands: 0, waitingForOfficials: [] });
    for (const target of targets) {
      expect(serverStage(office.serverDb, target.id)).toBe('dikembalikan');
      const [event] = commandsOf(target.id);
      expect(event).toMatchObject({ actor_name: SITI, actor_role: 'penata_perizinan', action: 'kembalikan_ke_pemohon' });
      expect(ledgerRow(office.serverDb, event!.command_id!)).toMatchObject({ user_id: ids.penata, pushed_by_user_id: ids.penata2, status: 'accepted' });
    }
  });

  it('with a koordinator signed in they wait, and the desk says for whom; they reach the server under penata’s name when penata signs in', async () => {
    const { desk, targets } = await penataDecidesOffline();
    const ids = userIds(office.serverDb);

    await desk.signIn('koordinator');
    const waiting = await desk.callOk('sync.status', {});
    expect(waiting).toMatchObject({ online: true, pendingCommands: 3, waitingForOfficials: [{ name: SITI, count: 3 }] });
    for (const target of targets) {
      expect(serverStage(office.serverDb, target.id)).toBe('pemeriksaan');
      expect(commandsOf(target.id)).toEqual([]);
    }
    // the koordinator's own work goes on meanwhile, and a later sync changes nothing for penata's decisions
    expect((await desk.callOk('sync.now', {})).pendingCommands).toBe(3);
    await desk.desk.session.signOut();

    await desk.signIn('penata');
    expect(await desk.callOk('sync.status', {})).toMatchObject({ pendingCommands: 0, waitingForOfficials: [] });
    for (const target of targets) {
      expect(serverStage(office.serverDb, target.id)).toBe('dikembalikan');
      const events = commandsOf(target.id);
      expect(events.map((e) => e.actor_name)).toEqual([SITI]);
      expect(ledgerRow(office.serverDb, events[0]!.command_id!)).toMatchObject({ user_id: ids.penata, pushed_by_user_id: ids.penata });
    }
  });

  it('a decision whose author’s session has ended waits for them instead of going out under the colleague’s name, and is not lost', async () => {
    const { desk, targets } = await penataDecidesOffline();
    const ids = userIds(office.serverDb);
    // an administrator ended penata's sessions (password reset) while the decisions waited on the desk
    const server = new Database(office.serverDb);
    server.prepare('UPDATE auth_sessions SET revoked_at = ? WHERE user_id = ?').run(new Date().toISOString(), ids.penata);
    server.close();

    await desk.signIn('penata2');
    expect(await desk.callOk('sync.status', {})).toMatchObject({ pendingCommands: 3, waitingForOfficials: [{ name: SITI, count: 3 }] });
    for (const target of targets) expect(serverStage(office.serverDb, target.id)).toBe('pemeriksaan');
    await desk.desk.session.signOut();

    await desk.signIn('penata');
    for (const target of targets) {
      const events = commandsOf(target.id);
      expect(events.map((e) => e.actor_name)).toEqual([SITI]);
      expect(ledgerRow(office.serverDb, events[0]!.command_id!)).toMatchObject({ user_id: ids.penata, status: 'accepted' });
    }
  });
});

describe('the server checks authorship', () => {
  function command(applicationId: string, overrides: Partial<TransitionCommand> = {}): TransitionCommand {
    return { id: randomUUID(), type: 'transition', applicationId, action: 'kembalikan_ke_pemohon', expectedStage: 'pemeriksaan', reason: 'Berkas tidak terbaca.', checklist: null, decidedAt: new Date().toISOString(), evidence: null, ...overrides };
  }

  it('books a signed command to its author and judges it by the author’s role, whoever pushes; refuses a bad MAC without using up the id', async () => {
    const url = office.server.url;
    const penata = await login(url, 'penata');
    const koordinator = await login(url, 'koordinator');
    const ids = userIds(office.serverDb);
    const pulled = pullResponseSchema.parse((await api(url, '/sync/pull?since=0&limit=100', { token: penata.token })).body);
    const [first, second] = pulled.applications.filter((a) => a.application.stage === 'pemeriksaan').map((a) => a.application.id);
    const sign = (c: TransitionCommand, sessionId = penata.session.id, key = penata.session.key) => ({
      ...c,
      author: { userId: penata.user.id, sessionId },
      mac: commandMac(Buffer.from(key, 'base64url'), transitionContent(c), { userId: penata.user.id, sessionId }),
    });

    // unsigned, the koordinator's own: refused for the koordinator's role
    const own = command(first!);
    expect((await api(url, '/sync/push', { token: koordinator.token, body: { commands: [own] } })).body.results[0]).toMatchObject({ status: 'rejected', code: 'FORBIDDEN_ROLE' });

    const decided = command(second!);
    const forged = { ...sign(decided), reason: 'Isi yang diubah di jalan.' };
    const wrongKey = sign(decided, penata.session.id, Buffer.alloc(32, 7).toString('base64url'));
    const unknownSession = sign(decided, randomUUID());
    const authorOnly = { ...decided, author: { userId: penata.user.id, sessionId: penata.session.id } };
    for (const bad of [forged, wrongKey, unknownSession, authorOnly]) {
      expect((await api(url, '/sync/push', { token: koordinator.token, body: { commands: [bad] } })).body.results[0]).toMatchObject({ status: 'rejected', code: 'AUTHOR_UNVERIFIED' });
    }
    expect(ledgerRow(office.serverDb, decided.id)).toBeUndefined();

    // signed by penata, carried by the koordinator: penata's decision, judged as penata's
    const answer = (await api(url, '/sync/push', { token: koordinator.token, body: { commands: [sign(decided)] } })).body.results[0];
    expect(answer).toMatchObject({ status: 'accepted' });
    expect(serverEvents(office.serverDb, second!).at(-1)).toMatchObject({ actor_name: SITI, actor_role: 'penata_perizinan', command_id: decided.id });
    expect(ledgerRow(office.serverDb, decided.id)).toMatchObject({ user_id: ids.penata, pushed_by_user_id: ids.koordinator });

    // an expired session: refused as expired (the desk keeps the command), not as forged
    const later = command(first!);
    const server = new Database(office.serverDb);
    server.prepare('UPDATE auth_sessions SET expires_at = ? WHERE id = ?').run(new Date(Date.now() - 1000).toISOString(), penata.session.id);
    server.close();
    expect((await api(url, '/sync/push', { token: koordinator.token, body: { commands: [sign(later)] } })).body.results[0]).toMatchObject({ status: 'rejected', code: 'AUTHOR_SESSION_EXPIRED' });
    expect(ledgerRow(office.serverDb, later.id)).toBeUndefined();
  });
});
