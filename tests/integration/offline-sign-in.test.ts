import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOfficeAndDesk } from '../support/desk-under-test';
import { serverEventCount, serverEvents, serverStage } from '../support/server-inspection';

let office: Awaited<ReturnType<typeof startOfficeAndDesk>>;

beforeEach(async () => {
  office = await startOfficeAndDesk(8);
});
afterEach(async () => {
  await office.close();
});

describe('signing in while the server is down', () => {
  it('lets an official who signed in here before work offline, and sends their decisions once they sign in online', async () => {
    const first = await office.openDesk('penata');
    await first.signIn('penata');
    const { items } = await first.callOk('queue.list', {});
    await first.desk.close();

    await office.stopServer();
    const desk = await office.openDesk('penata'); // same cache file, a fresh process's services
    const wrong = await desk.call('session.signIn', { username: 'penata', password: 'bukan-sandinya' });
    expect(wrong.ok === false && wrong.error.code).toBe('BAD_CREDENTIALS');
    const stranger = await desk.call('session.signIn', { username: 'koordinator', password: 'meja-izin-demo' });
    expect(stranger.ok === false && stranger.error.code).toBe('SERVER_UNREACHABLE');

    const { user } = await desk.signIn('penata');
    expect(user.role).toBe('penata_perizinan');
    expect((await desk.callOk('queue.list', {})).items.map((i) => i.id)).toEqual(items.map((i) => i.id));
    const target = items[0]!;
    const returned = await desk.callOk('review.decide', { applicationId: target.id, action: 'kembalikan_ke_pemohon', reason: 'Data SISDMK belum diverifikasi.', checklist: null });
    expect(returned.delivered).toBe(false);
    expect(await desk.callOk('sync.now', {})).toMatchObject({ online: false, pendingCommands: 1, needsSignIn: true });

    await office.restartServer();
    expect(await desk.callOk('sync.now', {})).toMatchObject({ online: true, pendingCommands: 1, needsSignIn: true });
    expect(serverStage(office.serverDb, target.id)).toBe('pemeriksaan');

    await desk.signIn('penata'); // online now: the outbox goes out with this sign-in's sync
    expect(await desk.callOk('sync.status', {})).toMatchObject({ online: true, pendingCommands: 0, needsSignIn: false });
    expect(serverStage(office.serverDb, target.id)).toBe('dikembalikan');
    expect(serverEventCount(office.serverDb, serverEvents(office.serverDb, target.id).at(-1)!.command_id!)).toBe(1);
  });
});
