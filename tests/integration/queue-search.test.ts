import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEncrypted } from '../../db/sqlite-cipher';
import { seedLargeCache } from '../../scripts/bench/large-cache';
import { searchWords } from '../../shared/search-words';
import { calendarDateIn, deadlineAfterWorkingDays } from '../../shared/working-days';
import type { MethodInput, MethodName } from '../../shared/contract';
import { createDeskServices, type DeskServices } from '../../main/services/create-desk-services';
import { createDeskClient } from '../../main/services/desk-client';
import { stageMinutesLeft } from '../../main/services/deadline';
import { stageOverdueSince } from '../../main/services/stage-overdue';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD, demoOffice, pekanbaruOffice } from '../../server/seed/demo-configuration';
import { startOfficeAndDesk } from '../support/desk-under-test';
import { makeTempDir } from '../support/temp-dir';

type Desk = Awaited<ReturnType<Awaited<ReturnType<typeof startOfficeAndDesk>>['openDesk']>>;
type Row = { rowid: number; id: string; nik: string; applicant_name: string; registration_number: string; str: string; permit_type_id: string; deadline_date: string | null; submitted_at: string; stage: string };

let office: Awaited<ReturnType<typeof startOfficeAndDesk>>;
let kadis: Desk;
let cacheFile: string;

/** Every file in the desk's cache, read straight from the encrypted file: the answer a search must agree with. */
function cachedFiles(): Row[] {
  const db = openEncrypted(cacheFile, readFileSync(join(dirname(cacheFile), 'cache.key')), { fileMustExist: true, readonly: true });
  try {
    return db
      .prepare(
        `SELECT rowid, id, nik, applicant_name, registration_number, json_extract(data, '$.applicant.strNumber') AS str, permit_type_id, deadline_date, submitted_at, stage FROM applications`,
      )
      .all() as Row[];
  } finally {
    db.close();
  }
}

/** The search by brute force: every word somewhere in the name, NIK, registration or STR number, any case. */
function expected(rows: Row[], search: string) {
  const words = searchWords(search);
  return rows.filter((r) => words.every((w) => [r.applicant_name, r.nik, r.registration_number, r.str].some((v) => v.toLowerCase().includes(w))));
}
const byDeadline = (a: Row, b: Row) => ((a.deadline_date ?? '') < (b.deadline_date ?? '') ? -1 : (a.deadline_date ?? '') > (b.deadline_date ?? '') ? 1 : a.submitted_at < b.submitted_at ? -1 : a.submitted_at > b.submitted_at ? 1 : a.rowid - b.rowid);

beforeAll(async () => {
  office = await startOfficeAndDesk(40);
  kadis = await office.openDesk('kadis');
  await kadis.signIn('kadis');
  await kadis.callOk('sync.now', {});
  cacheFile = join(dirname(office.serverDb), 'kadis.sqlite');
});
afterAll(async () => {
  await office.close();
});

describe('search in the queue', () => {
  it('finds a file by the middle of its NIK, name and STR number, at its current stage', async () => {
    const files = cachedFiles();
    const target = files[7]!;
    for (const part of [target.nik.slice(6, 12), target.applicant_name.split(' ').at(-1)!.slice(1, 5), target.str.slice(4, 11)]) {
      const result = await kadis.callOk('queue.list', { search: part, withCounts: true });
      const want = expected(files, part);
      expect(want.length, part).toBeGreaterThan(0);
      expect(result.items.map((i) => i.id).sort(), part).toEqual(want.map((r) => r.id).sort());
      expect(result.total).toBe(want.length);
      expect(result.counts!.all).toBe(want.length);
      const found = result.items.find((i) => i.id === target.id)!;
      expect(found.stage).toBe(target.stage);
    }
  });

  it('treats a search of punctuation only as no search, and a search that matches nothing as nothing', async () => {
    const queue = await kadis.callOk('queue.list', { withCounts: true });
    for (const punctuation of ['"', '*', '-', ' - "" ']) {
      const result = await kadis.callOk('queue.list', { search: punctuation, withCounts: true });
      expect(result.total, punctuation).toBe(queue.total);
      expect(result.items.map((i) => i.id)).toEqual(queue.items.map((i) => i.id));
    }
    // a quote or an FTS operator inside a search is text, never query syntax
    for (const nothing of ['zzqxw', 'zzqxw AND 1872', '1872"* OR "x', 'NEAR(']) {
      const result = await kadis.callOk('queue.list', { search: nothing, withCounts: true });
      expect(result.total, nothing).toBe(expected(cachedFiles(), nothing).length);
    }
    const none = await kadis.callOk('queue.list', { search: 'zzqxw', withCounts: true });
    expect(none.items).toEqual([]);
    expect(none.counts).toMatchObject({ all: 0, deadline: { overdue: 0, today: 0, soon: 0, on_time: 0 }, permitTypes: [] });
  });

  it('over 5,000 more files agrees with a search by brute force, for a search matching few files and one matching all', { timeout: 60_000 }, async () => {
    await kadis.desk.close();
    seedLargeCache(cacheFile, 5000, 'pemeriksaan');
    kadis = await office.openDesk('kadis');
    await kadis.signIn('kadis');
    const files = cachedFiles();
    const timeZone = demoOffice('http://127.0.0.1').timeZone;
    const today = calendarDateIn(new Date(), timeZone);
    const sample = files.find((r) => r.id === 'bulk-001234')!;
    // few matches (trigram index), many (the sort order walked: "1872" is in every NIK), and a two-letter word (no trigram)
    for (const search of [sample.nik.slice(5, 11), '1872', 'mppd 2026 5012', 'si', sample.applicant_name.split(' ')[0]!.toUpperCase()]) {
      const want = expected(files, search).sort(byDeadline);
      expect(want.length, search).toBeGreaterThan(0);
      const first = await kadis.callOk('queue.list', { search, withCounts: true, limit: 50 });
      expect(first.total, search).toBe(want.length);
      expect(first.items.map((i) => i.id), search).toEqual(want.slice(0, 50).map((r) => r.id));
      const deeper = await kadis.callOk('queue.list', { search, offset: 50, limit: 50 });
      expect(deeper.items.map((i) => i.id)).toEqual(want.slice(50, 100).map((r) => r.id));
      expect(first.counts!.deadline.overdue).toBe(want.filter((r) => r.deadline_date !== null && r.deadline_date < today).length);
      const overdue = await kadis.callOk('queue.list', { search, deadline: 'overdue', sort: 'name', limit: 20 });
      const wantOverdue = want.filter((r) => r.deadline_date !== null && r.deadline_date < today);
      expect(overdue.total).toBe(wantOverdue.length);
      expect(overdue.items.map((i) => i.applicantName)).toEqual(wantOverdue.map((r) => r.applicant_name).sort().slice(0, 20));
    }
  });

  it('keeps the chip counts right as files change stage, arrive and leave', async () => {
    const files = cachedFiles();
    const soon = deadlineAfterWorkingDays(calendarDateIn(new Date(), 'Asia/Jakarta'), 1, new Set(demoOffice('http://127.0.0.1').holidays.map((h) => h.date)));
    const result = await kadis.callOk('queue.list', { withCounts: true });
    const stages = new Set(result.stageNames);
    const mine = files.filter((r) => stages.has(r.stage));
    expect(result.total).toBe(mine.length);
    expect(result.counts!.deadline.on_time).toBe(mine.filter((r) => r.deadline_date !== null && r.deadline_date > soon).length);
    // a stage change through the cache (as a local decision or a sync makes) moves the counts with it
    const db = openEncrypted(cacheFile, readFileSync(join(dirname(cacheFile), 'cache.key')), { fileMustExist: true });
    const moved = mine[0]!;
    db.prepare(`UPDATE applications SET stage = 'selesai' WHERE id = ?`).run(moved.id);
    db.prepare(`DELETE FROM applications WHERE id = ?`).run(mine[1]!.id);
    db.close();
    const after = await kadis.callOk('queue.list', { withCounts: true });
    expect(after.total).toBe(mine.length - 2);
    expect(after.counts!.all).toBe(mine.length - 2);
    // the file that left the queue is still found by a search, at its new stage; the deleted one is gone
    const found = await kadis.callOk('queue.list', { search: moved.registration_number });
    expect(found.items.map((i) => [i.id, i.stage])).toEqual([[moved.id, 'selesai']]);
    expect((await kadis.callOk('queue.list', { search: mine[1]!.registration_number })).total).toBe(0);
  });
});

describe("the queue's two lateness chips, in Pekanbaru where each step has its standard time", () => {
  const temp = makeTempDir('queue-stage-time');
  let server: RunningCentralServer;
  let front: DeskServices;
  const holidays = new Set(pekanbaruOffice('http://127.0.0.1').holidays.map((h) => h.date));
  const call = <M extends MethodName>(method: M, input: MethodInput<M>) => createDeskClient(front).callOk(method, input);

  beforeAll(async () => {
    server = await startCentralServer({ dbFile: join(temp.dir, 'server.sqlite'), seedDemoIfEmpty: { applications: 3, pekanbaruFiles: 10, documents: false } });
    const file = join(temp.dir, 'frontoffice.sqlite');
    front = await createDeskServices({ cacheFile: file, serverUrl: server.url, syncIntervalMs: 0 });
    await call('session.signIn', { username: 'frontoffice', password: DEMO_PASSWORD });
    await call('sync.now', {});
    // copies of a file at the front office's step (35 minutes standard), entered from just now to
    // five days ago: some past the step's time, some not, whatever the weekday the test runs on
    const db = openEncrypted(file, readFileSync(join(temp.dir, 'cache.key')), { fileMustExist: true });
    const source = db.prepare(`SELECT * FROM applications WHERE stage = 'penerimaan_berkas' LIMIT 1`).get() as Record<string, unknown>;
    const insert = db.prepare(
      `INSERT INTO applications (id, registration_number, permit_type_id, workflow_id, stage, server_stage, applicant_name, nik, submitted_at, complete_at, deadline_date, data, change_seq)
       VALUES (@id, @registration_number, @permit_type_id, @workflow_id, @stage, @server_stage, @applicant_name, @nik, @submitted_at, @complete_at, @deadline_date, json_set(@data, '$.id', @id, '$.stageEnteredAt', @entered), 0)`,
    );
    for (let k = 0; k < 40; k += 1) {
      insert.run({ ...source, id: `copy-${k}`, registration_number: `MPPD-2026-COPY-${k}`, entered: new Date(Date.now() - k * 3 * 3600_000 - (k % 7) * 6 * 60_000).toISOString() });
    }
    db.close();
  });
  afterAll(async () => {
    await front?.close();
    await server?.close();
    temp.remove();
  });

  it('counts the files past their step’s standard time exactly as the rows’ timers show, and filters by it', async () => {
    const all = await call('queue.list', { withCounts: true, limit: 500 });
    expect(all.total).toBeGreaterThan(40);
    const over = all.items.filter((i) => i.stageMinutesLeft !== null && i.stageMinutesLeft < 0);
    expect(over.length).toBeGreaterThan(0);
    expect(over.length).toBeLessThan(all.items.length);
    expect(all.counts!.stageOverdue).toBe(over.length);
    // the permit's deadline is another count, of another deadline
    expect(all.counts!.deadline.overdue).toBe(all.items.filter((i) => i.workingDaysLeft !== null && i.workingDaysLeft < 0).length);

    const filtered = await call('queue.list', { stageTime: 'over', withCounts: true, limit: 500 });
    expect(filtered.total).toBe(over.length);
    expect(filtered.items.map((i) => i.id).sort()).toEqual(over.map((i) => i.id).sort());
    expect(filtered.items.every((i) => i.stageMinutesLeft! < 0)).toBe(true);
    const narrowed = await call('queue.list', { stageTime: 'over', sort: 'name', limit: 10 });
    expect(narrowed.items.map((i) => i.applicantName)).toEqual(over.map((i) => i.applicantName).sort().slice(0, 10));

    // a search counts over what it finds, at every step with a standard time
    const found = await call('queue.list', { search: 'copy', withCounts: true, limit: 500 });
    expect(found.total).toBe(40);
    expect(found.counts!.stageOverdue).toBe(found.items.filter((i) => i.stageMinutesLeft! < 0).length);
    const foundOver = await call('queue.list', { search: 'copy', stageTime: 'over', limit: 500 });
    expect(foundOver.total).toBe(found.counts!.stageOverdue);
  });

  it('draws the line to the millisecond where the rows’ timers turn red', () => {
    const office = pekanbaruOffice('http://127.0.0.1');
    for (const [standard, now] of [
      [35, new Date('2026-11-24T03:10:00.000Z')],
      [24 * 60, new Date('2026-11-23T01:00:00.000Z')],
      [3, new Date('2026-11-21T05:00:00.000Z')],
    ] as const) {
      const since = Date.parse(stageOverdueSince(standard, office, holidays, now));
      const left = (ms: number) => stageMinutesLeft(standard, new Date(ms).toISOString(), office, holidays, now)!;
      expect(left(since)).toBeLessThan(0);
      expect(left(since + 1)).toBeGreaterThanOrEqual(0);
      expect(left(since - 86_400_000)).toBeLessThan(0);
    }
  });

  it('leaves a plain queue page on its sort-order index, even with statistics older than the stage-entry index', () => {
    const db = openEncrypted(join(temp.dir, 'frontoffice.sqlite'), readFileSync(join(temp.dir, 'cache.key')), { fileMustExist: true });
    try {
      // a queue of thousands at one step, analysed before the index came (as a cache migrated after an ANALYZE)
      db.exec(`WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 5000)
        INSERT INTO applications (id, registration_number, permit_type_id, workflow_id, stage, server_stage, applicant_name, nik, submitted_at, complete_at, deadline_date, data, change_seq)
        SELECT 'many-' || n, 'MPPD-MANY-' || n, permit_type_id, workflow_id, stage, server_stage, applicant_name, nik, submitted_at, complete_at, deadline_date, data, 0
        FROM k, (SELECT * FROM applications WHERE id = 'copy-0')`);
      const definition = (db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'applications_stage_entered'`).get() as { sql: string }).sql;
      db.exec('DROP INDEX applications_stage_entered; ANALYZE;');
      db.exec(definition);
      const plan = (q: string, ...params: string[]) => (db.prepare(`EXPLAIN QUERY PLAN ${q}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join('\n');
      expect(plan(`SELECT rowid FROM applications WHERE stage IN ('penerimaan_berkas') ORDER BY deadline_date, submitted_at, rowid LIMIT 100`)).not.toContain('applications_stage_entered');
      expect(plan(`SELECT count(*) FROM applications WHERE stage = 'penerimaan_berkas' AND workflow_id = 'w' AND json_extract(data, '$.stageEnteredAt') <= ?`, '2026-11-24')).toContain(
        'COVERING INDEX applications_stage_entered',
      );
    } finally {
      db.exec(`DELETE FROM applications WHERE id LIKE 'many-%'; DELETE FROM sqlite_stat1;`);
      db.close();
    }
  });

  it('gives no stage-time count where the official’s steps have no standard time', async () => {
    const metro = await kadis.callOk('queue.list', { withCounts: true });
    expect(metro.counts!.stageOverdue).toBeNull();
    expect((await kadis.callOk('queue.list', { stageTime: 'over' })).total).toBe(0);
  });
});
