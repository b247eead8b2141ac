import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOfficeAndDesk } from '../support/desk-under-test';
import { api, ledgerRow, login, readServerDb, userIds } from '../support/office-server';

let office: Awaited<ReturnType<typeof startOfficeAndDesk>>;

beforeEach(async () => {
  office = await startOfficeAndDesk(10);
});
afterEach(async () => {
  await office.close();
});

/** What the server holds of one complaint: its row count, its history lines and their command ids. */
function serverComplaint(complaintId: string) {
  return readServerDb(office.serverDb, (db) => ({
    rows: (db.prepare('SELECT COUNT(*) AS n FROM complaints WHERE id = ?').get(complaintId) as { n: number }).n,
    history: db.prepare("SELECT action, status, command_id, user_id FROM complaint_history WHERE subject = 'complaint' AND subject_id = ? ORDER BY seq").all(complaintId) as Array<{
      action: string;
      status: string;
      command_id: string;
      user_id: string;
    }>,
  }));
}

describe('the Buku Pengaduan through the outbox', () => {
  it('a complaint recorded while the server is away waits in the outbox, is listed as pending, is delivered once when the server is back, and a replay changes nothing', async () => {
    const desk = await office.openDesk('penata');
    await desk.signIn('penata');
    const [file] = (await desk.callOk('queue.list', {})).items;
    expect(file).toBeDefined();
    await office.stopServer();

    const details = {
      receivedOn: '2026-11-24',
      complainantName: 'Wahyu Hidayat',
      complainantIdentity: '1872010101900001',
      contact: '0812-0000-1111',
      channel: 'telepon' as const,
      type: 'waktu_pelayanan' as const,
      weight: 'sedang' as const,
      summary: 'Izin saya belum selesai padahal sudah lebih dari tiga hari kerja.',
      applicationId: file!.id,
    };
    const recorded = await desk.callOk('complaints.act', { kind: 'complaint', action: 'record', note: null, complaint: details });
    expect(recorded.delivered).toBe(false);
    const complaintId = recorded.id;
    // a step on a complaint the server does not know: waits too, and is refused once delivered
    const stray = await desk.callOk('complaints.act', { kind: 'complaint', complaintId: randomUUID(), action: 'verify', note: null });
    expect(stray.delivered).toBe(false);

    expect((await desk.callOk('sync.status', {})).pendingCommands).toBe(2);
    const offline = await desk.callOk('complaints.list', {});
    expect(offline.fromCache).toBe(true);
    const pending = offline.complaints.find((c) => c.id === complaintId);
    expect(pending).toMatchObject({ complainantName: 'Wahyu Hidayat', status: 'recorded', pending: true, actions: [] });
    expect(pending!.history).toMatchObject([{ action: 'record', status: 'pending', actorRole: 'penata_perizinan' }]);
    expect(serverComplaint(complaintId).rows).toBe(0);

    await office.restartServer();
    await desk.callOk('sync.now', {});
    const status = await desk.callOk('sync.status', {});
    expect(status.pendingCommands).toBe(0);

    // delivered exactly once, booked to penata (the pushing token's user, who recorded it)
    const ids = userIds(office.serverDb);
    const held = serverComplaint(complaintId);
    expect(held.rows).toBe(1);
    expect(held.history).toHaveLength(1);
    expect(held.history[0]).toMatchObject({ action: 'record', status: 'recorded', user_id: ids.penata });
    const commandId = held.history[0]!.command_id;
    expect(ledgerRow(office.serverDb, commandId)).toMatchObject({ user_id: ids.penata, pushed_by_user_id: ids.penata, status: 'accepted' });

    const online = await desk.callOk('complaints.list', {});
    expect(online.fromCache).toBe(false);
    const listed = online.complaints.filter((c) => c.id === complaintId);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ pending: false, status: 'recorded', registrationNumber: file!.registrationNumber });
    expect(listed[0]!.actions).toContain('verify');
    // the refused one is kept with the server's reason
    expect(online.rejectedCommands).toHaveLength(1);
    expect(online.rejectedCommands[0]).toMatchObject({ kind: 'complaint', action: 'verify', code: 'TRANSITION_NOT_ALLOWED' });
    expect(online.rejectedCommands[0]!.message).toMatch(/no such complaint/);

    // the same command id again (a push retried after a lost answer): the first answer, nothing new
    const { token } = await login(office.server.url, 'penata');
    const replay = await api(office.server.url, '/complaints/commands', { token, body: { kind: 'complaint', id: commandId, complaintId, action: 'record', complaint: details, note: null } });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ id: commandId, status: 'accepted' });
    expect(serverComplaint(complaintId)).toEqual(held);
    await desk.callOk('sync.now', {});
    expect(serverComplaint(complaintId)).toEqual(held);
    expect((await desk.callOk('complaints.list', {})).complaints.filter((c) => c.id === complaintId)).toHaveLength(1);
  });

  it('the rules the desk already knows refuse a step at once, before it waits in the outbox', async () => {
    const desk = await office.openDesk('koordinator');
    await desk.signIn('koordinator');
    const refused = await desk.call('complaints.act', {
      kind: 'complaint',
      action: 'record',
      note: null,
      complaint: { receivedOn: '2026-11-24', complainantName: 'A', complainantIdentity: 'B', contact: 'C', channel: 'email', type: 'lainnya', weight: 'ringan', summary: 'D', applicationId: null },
    });
    expect(refused.ok === false && refused.error.code).toBe('FORBIDDEN_ROLE');
    expect((await desk.callOk('sync.status', {})).pendingCommands).toBe(0);
  });
});
