import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOfficeAndDesk } from '../support/desk-under-test';
import { serverEventCount, serverEvents, serverStage } from '../support/server-inspection';

let office: Awaited<ReturnType<typeof startOfficeAndDesk>>;

beforeEach(async () => {
  office = await startOfficeAndDesk(12);
});
afterEach(async () => {
  await office.close();
});

describe('review flow through the desk services and the real central server', () => {
  it('penata passes a complete file, koordinator approves the draft; the server records both', async () => {
    const penata = await office.openDesk('penata');
    await penata.signIn('penata');
    const { items } = await penata.callOk('queue.list', {});
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.stage === 'pemeriksaan')).toBe(true);
    const target = items[0]!;
    const detail = await penata.callOk('application.get', { applicationId: target.id });
    expect(detail.actions.map((a) => a.id)).toEqual(['teruskan', 'kembalikan_ke_pemohon']);
    const doc = await penata.callOk('application.document', { documentId: detail.documents[0]!.id });
    expect(Buffer.from(doc.base64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');

    const incomplete = await penata.call('review.decide', { applicationId: target.id, action: 'teruskan', reason: null, checklist: {} });
    expect(incomplete.ok === false && incomplete.error.code).toBe('CHECKLIST_INCOMPLETE');

    const checklist = Object.fromEntries(detail.permitType.requirements.map((r) => [r.id, true]));
    const passed = await penata.callOk('review.decide', { applicationId: target.id, action: 'teruskan', reason: 'Diperiksa dengan dokumen asli.', checklist });
    expect(passed).toEqual({ delivered: true, stage: 'verifikasi_draf' });
    // the records the penata compared the file with travel with the decision
    const evidence = JSON.parse(serverEvents(office.serverDb, target.id).at(-1)!.evidence!) as { references: Array<{ source: string; nik: string }> };
    expect(evidence.references.map((r) => r.source).sort()).toEqual(['satu_sehat', 'sisdmk']);
    expect(evidence.references.every((r) => r.nik === detail.application.applicant.nik)).toBe(true);
    expect(serverStage(office.serverDb, target.id)).toBe('verifikasi_draf');
    expect((await penata.callOk('queue.list', {})).items.some((i) => i.id === target.id)).toBe(false);

    const koordinator = await office.openDesk('koordinator');
    await koordinator.signIn('koordinator');
    const kQueue = await koordinator.callOk('queue.list', {});
    expect(kQueue.items.some((i) => i.id === target.id)).toBe(true);
    // reading the draft reserves no number: Metro numbers it when the koordinator approves it
    const draft = await koordinator.callOk('draft.get', { applicationId: target.id });
    expect(draft.permitNumber).toBeNull();
    expect(Buffer.from(draft.base64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    const approved = await koordinator.callOk('review.decide', { applicationId: target.id, action: 'setujui_draf', reason: null, checklist: null });
    expect(approved.delivered).toBe(true);
    expect((await koordinator.callOk('application.get', { applicationId: target.id })).application.permitNumber).toMatch(/^503\/SI[A-Z]+\/\d{4}\/DPMPTSP\/\d{4}$/);

    expect(serverStage(office.serverDb, target.id)).toBe('penandatanganan');
    const events = serverEvents(office.serverDb, target.id);
    expect(events.slice(-2).map((e) => [e.action, e.actor_role, e.to_stage])).toEqual([
      ['teruskan', 'penata_perizinan', 'verifikasi_draf'],
      ['setujui_draf', 'koordinator', 'penandatanganan'],
    ]);
  });

  it('a return to the applicant carries its reason to the server and leaves the queue', async () => {
    const penata = await office.openDesk('penata');
    await penata.signIn('penata');
    const target = (await penata.callOk('queue.list', {})).items[0]!;
    const empty = await penata.call('review.decide', { applicationId: target.id, action: 'kembalikan_ke_pemohon', reason: '   ', checklist: null });
    expect(empty.ok === false && empty.error.code).toBe('REASON_REQUIRED');
    const reason = 'Data SISDMK belum diverifikasi oleh Faskes; mohon minta verifikasi ulang.';
    const result = await penata.callOk('review.decide', { applicationId: target.id, action: 'kembalikan_ke_pemohon', reason, checklist: null });
    expect(result).toEqual({ delivered: true, stage: 'dikembalikan' });
    expect(serverStage(office.serverDb, target.id)).toBe('dikembalikan');
    expect(serverEvents(office.serverDb, target.id).at(-1)).toMatchObject({ action: 'kembalikan_ke_pemohon', reason, actor_role: 'penata_perizinan' });
    expect((await penata.callOk('queue.list', {})).items.some((i) => i.id === target.id)).toBe(false);
    // found by a search at its new stage, and no longer counted late: it has left the office's hands
    await penata.callOk('sync.now', {});
    const found = await penata.callOk('queue.list', { search: target.registrationNumber, withCounts: true });
    expect(found.items.map((i) => [i.id, i.stage, i.workingDaysLeft])).toEqual([[target.id, 'dikembalikan', null]]);
    expect(found.counts!.deadline.overdue + found.counts!.deadline.today + found.counts!.deadline.soon + found.counts!.deadline.on_time).toBe(0);
  });

  it('offline: the cached queue stays, a decision waits in the outbox and is delivered exactly once', async () => {
    const penata = await office.openDesk('penata');
    await penata.signIn('penata');
    const before = await penata.callOk('queue.list', {});
    const target = before.items[0]!;
    const detail = await penata.callOk('application.get', { applicationId: target.id });

    await office.stopServer();
    const offlineQueue = await penata.callOk('queue.list', {});
    expect(offlineQueue.items.map((i) => i.id)).toEqual(before.items.map((i) => i.id));
    // documents were prefetched at sign-in, so the file can still be read
    const doc = await penata.callOk('application.document', { documentId: detail.documents[0]!.id });
    expect(doc.base64.length).toBeGreaterThan(100);

    const checklist = Object.fromEntries(detail.permitType.requirements.map((r) => [r.id, true]));
    const decision = await penata.callOk('review.decide', { applicationId: target.id, action: 'teruskan', reason: 'Diperiksa dengan dokumen asli.', checklist });
    expect(decision).toEqual({ delivered: false, stage: 'verifikasi_draf' });
    const waiting = await penata.callOk('sync.now', {});
    expect(waiting.online).toBe(false);
    expect(waiting.pendingCommands).toBe(1);
    expect((await penata.callOk('queue.list', {})).items.some((i) => i.id === target.id)).toBe(false);

    await office.restartServer();
    const synced = await penata.callOk('sync.now', {});
    expect(synced.online).toBe(true);
    expect(synced.pendingCommands).toBe(0);
    expect(serverStage(office.serverDb, target.id)).toBe('verifikasi_draf');
    const commandId = serverEvents(office.serverDb, target.id).at(-1)!.command_id!;
    expect(serverEventCount(office.serverDb, commandId)).toBe(1);

    // a second sync (and the server's at-most-once rule) must not apply it again
    await penata.callOk('sync.now', {});
    expect(serverEventCount(office.serverDb, commandId)).toBe(1);
    const kartu = await penata.callOk('application.get', { applicationId: target.id });
    expect(kartu.pending).toBe(false);
    expect(kartu.events.filter((e) => e.commandId === commandId)).toHaveLength(1);
  });
});
