import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX, pullResponseSchema, type PullResponse } from '../../shared/sync-protocol';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { startOfficeAndDesk } from '../support/desk-under-test';

let office: Awaited<ReturnType<typeof startOfficeAndDesk>>;
const tokens: Record<string, string> = {};

async function api(path: string, token?: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${office.server.url}${API_PREFIX}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return { status: response.status, text: await response.text() };
}

async function pullAll(user: string): Promise<{ page: PullResponse; raw: string }> {
  const { text } = await api('/sync/pull?since=0&limit=2000', tokens[user]);
  return { page: pullResponseSchema.parse(JSON.parse(text)), raw: text };
}

beforeAll(async () => {
  office = await startOfficeAndDesk(30);
  for (const user of ['penata', 'penata2', 'koordinator', 'kadis', 'sekretarismetro']) {
    const { text } = await api('/auth/login', undefined, { method: 'POST', body: { username: user, password: DEMO_PASSWORD } });
    tokens[user] = (JSON.parse(text) as { token: string }).token;
  }
});
afterAll(async () => {
  await office.close();
});

describe('each official receives only the personal data their work needs (UU 27/2022 PDP)', () => {
  it("a penata's pull holds the files at the penata's stage and no personal data of any other file", async () => {
    const { page, raw } = await pullAll('penata');
    const everything = await pullAll('kadis');
    expect(page.applications.length).toBeGreaterThan(0);
    expect(page.applications.every((a) => a.application.stage === 'pemeriksaan')).toBe(true);
    const others = everything.page.applications.filter((a) => a.application.stage !== 'pemeriksaan');
    expect(others.length).toBeGreaterThan(5);
    for (const other of others) {
      expect(raw).not.toContain(other.application.applicant.nik);
      expect(raw).not.toContain(other.application.applicant.phone);
    }
    expect(new Set(page.removed)).toEqual(new Set(others.map((a) => a.application.id)));
  });

  it('answers 403 for a document outside the official\'s work, and the Kepala Dinas and Sekretaris still see the whole office', async () => {
    const everything = (await pullAll('kadis')).page;
    expect(everything.applications).toHaveLength(30);
    expect((await pullAll('sekretarismetro')).page.applications).toHaveLength(30);
    const outside = everything.applications.find((a) => a.application.stage === 'verifikasi_draf' && a.documents.length > 0)!;
    const inside = everything.applications.find((a) => a.application.stage === 'pemeriksaan' && a.documents.length > 0)!;
    expect((await api(`/documents/${outside.documents[0]!.id}`, tokens.penata)).status).toBe(403);
    expect((await api(`/documents/${inside.documents[0]!.id}`, tokens.penata)).status).toBe(200);
    expect((await api(`/documents/${outside.documents[0]!.id}`, tokens.kadis)).status).toBe(200);
  });

  it("a complaint's kartu kendali of a file outside the official's work shows where the time went, not what was written or seen", async () => {
    const { page: own } = await pullAll('penata2');
    const { page: all } = await pullAll('kadis');
    const outside = all.applications.find((a) => a.application.stage === 'ditolak' && !own.applications.some((o) => o.application.id === a.application.id))!;
    expect(outside.events.some((e) => e.reason !== null)).toBe(true);
    const complaintId = randomUUID();
    const complaint = { receivedOn: new Date().toISOString().slice(0, 10), complainantName: 'Budi', complainantIdentity: '1872010101900001', contact: '0812', channel: 'telepon', type: 'waktu_pelayanan', weight: 'sedang', summary: 'Izin lama.', applicationId: outside.application.id };
    const recorded = await api('/complaints/commands', tokens.penata2, { method: 'POST', body: { kind: 'complaint', id: randomUUID(), complaintId, action: 'record', complaint } });
    expect(JSON.parse(recorded.text)).toMatchObject({ status: 'accepted' });
    const asPenata = JSON.parse((await api(`/complaints/${complaintId}/kartu`, tokens.penata2)).text) as { events: Array<{ at: string; actorName: string; reason: string | null; evidence: unknown }> };
    const asKadis = JSON.parse((await api(`/complaints/${complaintId}/kartu`, tokens.kadis)).text) as typeof asPenata;
    expect(asPenata.events.map((e) => [e.at, e.actorName])).toEqual(asKadis.events.map((e) => [e.at, e.actorName]));
    expect(asPenata.events.every((e) => e.reason === null && e.evidence === null)).toBe(true);
    expect(asKadis.events.some((e) => e.reason !== null)).toBe(true);
  });

  it('keeps a file the official passed on (they acted on it), and the desk forgets one a colleague took out of their work', async () => {
    const penata = await office.openDesk('penata');
    await penata.signIn('penata');
    const { items } = await penata.callOk('queue.list', {});
    const [passed, takenAway] = [items[0]!, items[1]!];
    const detail = await penata.callOk('application.get', { applicationId: passed.id });
    const checklist = Object.fromEntries(detail.permitType.requirements.map((r) => [r.id, true]));
    await penata.callOk('review.decide', { applicationId: passed.id, action: 'teruskan', reason: 'Diperiksa dengan dokumen asli.', checklist });

    // penata2 returns the other file from their own desk: it leaves penata's work without penata acting on it
    const push = await api('/sync/push', tokens.penata2, {
      method: 'POST',
      body: { commands: [{ id: randomUUID(), type: 'transition', applicationId: takenAway.id, action: 'kembalikan_ke_pemohon', expectedStage: 'pemeriksaan', reason: 'Berkas tidak lengkap.', checklist: null, decidedAt: new Date().toISOString(), evidence: null }] },
    });
    expect(push.text).toContain('accepted');

    await penata.callOk('sync.now', {});
    const kept = await penata.callOk('application.get', { applicationId: passed.id });
    expect(kept.application.stage).toBe('verifikasi_draf');
    // out of the penata's queue, but found by a search, at its current stage
    expect((await penata.callOk('queue.list', {})).items.some((i) => i.id === passed.id)).toBe(false);
    const found = await penata.callOk('queue.list', { search: passed.registrationNumber });
    expect(found.items.find((i) => i.id === passed.id)?.stage).toBe('verifikasi_draf');
    const forgotten = await penata.call('application.get', { applicationId: takenAway.id });
    expect(forgotten.ok === false && forgotten.error.code).toBe('NOT_FOUND');
  });

  it('when another official signs in on the same desk, the desk holds their view and forgets the previous one\'s', async () => {
    const desk = await office.openDesk('shared-desk');
    await desk.signIn('penata');
    const penataFiles = (await desk.callOk('queue.list', {})).items.map((i) => i.id);
    expect(penataFiles.length).toBeGreaterThan(0);
    await desk.callOk('session.signOut', {});
    await desk.signIn('koordinator');
    const expected = (await pullAll('kadis')).page.applications.filter((a) => a.application.stage === 'verifikasi_draf').map((a) => a.application.id);
    const koordinatorQueue = (await desk.callOk('queue.list', {})).items.map((i) => i.id);
    expect(new Set(koordinatorQueue)).toEqual(new Set(expected));
    for (const id of penataFiles) {
      const gone = await desk.call('application.get', { applicationId: id });
      expect(gone.ok === false && gone.error.code).toBe('NOT_FOUND');
    }
  });
});
