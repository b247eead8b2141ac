import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workingMinutesBetween } from '../../shared/working-days';
import { createDeskServices, type DeskServices } from '../../main/services/create-desk-services';
import { createDeskClient } from '../../main/services/desk-client';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD, demoOffice } from '../../server/seed/demo-configuration';
import { makeTempDir } from '../support/temp-dir';

const temp = makeTempDir('stage-time');
let server: RunningCentralServer;
const desks: DeskServices[] = [];

async function deskFor(username: string) {
  const desk = await createDeskServices({ cacheFile: join(temp.dir, `${username}.sqlite`), serverUrl: server.url, syncIntervalMs: 0 });
  desks.push(desk);
  const call = createDeskClient(desk).callOk;
  await call('session.signIn', { username, password: DEMO_PASSWORD });
  return call;
}

beforeAll(async () => {
  server = await startCentralServer({ dbFile: join(temp.dir, 'server.sqlite'), seedDemoIfEmpty: { applications: 3, pekanbaruFiles: 10, documents: false } });
});
afterAll(async () => {
  for (const desk of desks) await desk.close();
  await server.close();
  temp.remove();
});

describe("Pekanbaru's per-step standard times, from the workflow data", () => {
  it.each([
    ['frontoffice', 'penerimaan_berkas', 35],
    ['backoffice', 'cetak_blanko', 3],
    ['analismuda', 'paraf_analis_muda', 5],
    ['analismadya', 'paraf_analis_madya', 10],
    ['sekretaris', 'paraf_sekretaris', 10],
  ])('%s sees its step (%s) with %i minutes standard and what is left of them', async (username, stage, standard) => {
    const call = await deskFor(username);
    const { items } = await call('queue.list', {});
    expect(items.length).toBe(2);
    const holidays = new Set(demoOffice('http://x').holidays.map((h) => h.date));
    for (const item of items) {
      expect(item.stage).toBe(stage);
      expect(item.stageStandardMinutes).toBe(standard);
      const detail = await call('application.get', { applicationId: item.id });
      const used = workingMinutesBetween(new Date(detail.application.stageEnteredAt), new Date(), 'Asia/Jakarta', holidays);
      expect(Math.abs(detail.stageMinutesLeft! - (standard - used))).toBeLessThanOrEqual(1);
      expect(detail.events.at(-1)!.toStage).toBe(stage);
    }
  });

  it('leaves Metro files, whose stages have no per-step standard, without one', async () => {
    const call = await deskFor('penata');
    const { items } = await call('queue.list', {});
    expect(items.every((i: { stageStandardMinutes: number | null }) => i.stageStandardMinutes === null)).toBe(true);
  });
});
