import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeskServices, type DeskServices } from '../../main/services/create-desk-services';
import { createDeskClient } from '../../main/services/desk-client';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { makeTempDir } from '../support/temp-dir';

const temp = makeTempDir('office-switch');
let server: RunningCentralServer;
let desk: DeskServices;
const call: ReturnType<typeof createDeskClient>['callOk'] = (method, input) => createDeskClient(desk).callOk(method, input);

beforeAll(async () => {
  server = await startCentralServer({ dbFile: join(temp.dir, 'server.sqlite'), seedDemoIfEmpty: { applications: 8, pekanbaruFiles: 5, balikpapanFiles: 10, documents: false } });
  desk = await createDeskServices({ cacheFile: join(temp.dir, 'cache.sqlite'), serverUrl: server.url, syncIntervalMs: 0 });
});
afterAll(async () => {
  await desk?.close();
  await server?.close();
  temp.remove();
});

describe('one desk, officials of different offices signing in on it in turn', () => {
  it("caches the signed-in official's office only: its settings, files and permit types, and forgets the previous office's", async () => {
    await call('session.signIn', { username: 'sekretaris', password: DEMO_PASSWORD });
    expect((await call('session.current', {})).office).toMatchObject({ city: 'Kota Pekanbaru', timeZone: 'Asia/Jakarta' });
    const pekanbaru = await call('queue.list', { withCounts: true });
    expect(pekanbaru.items.length).toBeGreaterThan(0);
    expect(pekanbaru.counts!.permitTypes.map((t: { id: string }) => t.id)).toEqual(['sikro-pekanbaru']);

    await call('session.signOut', {});
    await call('session.signIn', { username: 'penatabpp', password: DEMO_PASSWORD });
    expect((await call('session.current', {})).office).toMatchObject({ city: 'Kota Balikpapan', timeZone: 'Asia/Makassar' });
    const balikpapan = await call('queue.list', { withCounts: true });
    expect(balikpapan.items.length).toBeGreaterThan(0);
    const ids = new Set(balikpapan.items.map((i: { id: string }) => i.id));
    for (const item of pekanbaru.items) expect(ids.has(item.id)).toBe(false);
    expect(balikpapan.counts!.permitTypes.length).toBeGreaterThan(0);
    expect(balikpapan.counts!.permitTypes.every((t: { id: string }) => t.id.endsWith('-balikpapan'))).toBe(true);
    for (const item of balikpapan.items) expect(item.registrationNumber).toMatch(/^MPPD-\d{4}-\d{6}$/);
    for (const item of pekanbaru.items) {
      const seen = await createDeskClient(desk).call('application.get', { applicationId: item.id });
      expect(seen.ok).toBe(false);
    }
  });
});
