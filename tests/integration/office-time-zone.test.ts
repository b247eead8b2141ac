import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarDateIn, deadlineAfterWorkingDays } from '../../shared/working-days';
import { createDeskServices, type DeskServices } from '../../main/services/create-desk-services';
import { createDeskClient } from '../../main/services/desk-client';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD, demoOffice } from '../../server/seed/demo-configuration';
import { makeTempDir } from '../support/temp-dir';

const temp = makeTempDir('time-zone');
let server: RunningCentralServer;
let desk: DeskServices;
const call: ReturnType<typeof createDeskClient>['callOk'] = (method, input) => createDeskClient(desk).callOk(method, input);

beforeAll(async () => {
  server = await startCentralServer({ dbFile: join(temp.dir, 'server.sqlite'), seedDemoIfEmpty: { applications: 12, timeZone: 'Asia/Jayapura', documents: false } });
  desk = await createDeskServices({ cacheFile: join(temp.dir, 'cache.sqlite'), serverUrl: server.url, syncIntervalMs: 0 });
  await call('session.signIn', { username: 'penata', password: DEMO_PASSWORD });
});
afterAll(async () => {
  await desk.close();
  await server.close();
  temp.remove();
});

describe('an office in WIT (Asia/Jayapura)', () => {
  it('counts deadlines from the calendar day in the office zone, and tells the renderer the zone', async () => {
    expect((await call('session.current', {})).office!.timeZone).toBe('Asia/Jayapura');
    const holidays = new Set(demoOffice('http://x').holidays.map((h) => h.date));
    const { items } = await call('queue.list', {});
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      const detail = await call('application.get', { applicationId: item.id });
      const expected = deadlineAfterWorkingDays(calendarDateIn(new Date(detail.application.completeAt!), 'Asia/Jayapura'), 3, holidays);
      expect(item.deadline).toBe(expected);
      expect(detail.deadline).toBe(expected);
    }
  });
});
