import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOfficeAndDesk } from '../support/desk-under-test';

let office: Awaited<ReturnType<typeof startOfficeAndDesk>>;

beforeAll(async () => {
  office = await startOfficeAndDesk(4);
});

afterAll(async () => {
  await office.close();
});

describe('a kartu kendali line says whether it is pending', () => {
  it('marks the line of a decision waiting in the outbox, and not the server line that replaces it', async () => {
    const penata = await office.openDesk('penata');
    await penata.signIn('penata');
    const target = (await penata.callOk('queue.list', {})).items[0]!;
    const detail = await penata.callOk('application.get', { applicationId: target.id });
    expect(detail.events.length).toBeGreaterThan(0);
    expect(detail.events.every((e) => e.pending === false)).toBe(true);

    await office.stopServer();
    const checklist = Object.fromEntries(detail.permitType.requirements.map((r) => [r.id, true]));
    expect(await penata.callOk('review.decide', { applicationId: target.id, action: 'teruskan', reason: 'Diperiksa.', checklist })).toMatchObject({ delivered: false });
    const waiting = await penata.callOk('application.get', { applicationId: target.id });
    const pendingLines = waiting.events.filter((e) => e.pending);
    expect(pendingLines).toHaveLength(1);
    expect(pendingLines[0]).toMatchObject({ action: 'teruskan', toStage: 'verifikasi_draf' });
    expect((await penata.callOk('kartu.get', { applicationId: target.id })).events.filter((e) => e.pending)).toHaveLength(1);

    await office.restartServer();
    expect((await penata.callOk('sync.now', {})).pendingCommands).toBe(0);
    const kartu = await penata.callOk('kartu.get', { applicationId: target.id });
    expect(kartu.events.some((e) => e.action === 'teruskan')).toBe(true);
    expect(kartu.events.every((e) => e.pending === false)).toBe(true);
  });
});
