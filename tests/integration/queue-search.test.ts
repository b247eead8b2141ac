import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEncrypted } from '../../db/sqlite-cipher';
import { seedLargeCache } from '../../scripts/bench/large-cache';
import { searchWords } from '../../shared/search-words';
import { calendarDateIn, deadlineAfterWorkingDays } from '../../shared/working-days';
import { demoOffice } from '../../server/seed/demo-configuration';
import { startOfficeAndDesk } from '../support/desk-under-test';

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
