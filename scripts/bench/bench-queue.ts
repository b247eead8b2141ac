// `npm run bench:queue`: seeds 100,000 files into a desk cache, times the queue's
// filter+sort+page and its search, and times the initial sync of 10,000 files from the
// reference server on loopback. Each time is the whole path the official waits for: the call
// exactly as the renderer makes it (the first page of a filter or a search asks for the chip
// counts too), through the contract dispatcher, and the answer copied as IPC copies it; the
// sync is timed from sign-in to the first page of the queue on screen. The last line is one JSON object.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MethodInput } from '../../shared/contract';
import { createDeskServices } from '../../main/services/create-desk-services';
import { createDeskClient } from '../../main/services/desk-client';
import { startCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD, DEMO_PERMIT_TYPES } from '../../server/seed/demo-configuration';
import { seededRandom } from '../../server/seed/demo-people';
import { seedLargeCache } from './large-cache';

const QUEUE_ROWS = 100_000;
const SYNC_ROWS = 10_000;
const RUNS = 300;
const dir = mkdtempSync(join(tmpdir(), 'meja-izin-bench-queue-'));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2));
}

try {
  let started = performance.now();
  const server = await startCentralServer({ dbFile: join(dir, 'server.sqlite'), seedDemoIfEmpty: { applications: SYNC_ROWS, documents: false } });
  console.log(`seeded the reference server with ${SYNC_ROWS} files in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const cacheFile = join(dir, 'cache.sqlite');
  const desk = await createDeskServices({ cacheFile, serverUrl: server.url, syncIntervalMs: 0 });
  started = performance.now();
  await desk.session.signIn('penata', DEMO_PASSWORD);
  await desk.sync.syncNow();
  const firstPage = await createDeskClient(desk).call('queue.list', { sort: 'deadline', offset: 0, limit: 100, withCounts: true });
  const syncSeconds = (performance.now() - started) / 1000;
  if (!firstPage.ok || firstPage.value.total === 0) throw new Error('the queue is empty after the initial sync');
  const status = await desk.sync.status();
  if (status.lastError) throw new Error(`initial sync failed: ${status.lastError}`);
  console.log(`initial sync of ${SYNC_ROWS} files, from sign-in to the first page: ${syncSeconds.toFixed(2)} s`);
  await desk.close();

  started = performance.now();
  seedLargeCache(cacheFile, QUEUE_ROWS);
  console.log(`added ${QUEUE_ROWS} files to the cache in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const again = await createDeskServices({ cacheFile, serverUrl: server.url, syncIntervalMs: 0 });
  await again.session.signIn('penata', DEMO_PASSWORD);
  const client = createDeskClient(again);
  const list = async (input: MethodInput<'queue.list'>) => {
    const t0 = performance.now();
    const result = await client.call('queue.list', input);
    // the structured clone of IPC, approximated by a JSON round trip
    const value = JSON.parse(JSON.stringify(result)) as typeof result;
    const ms = performance.now() - t0;
    if (!value.ok) throw new Error(value.error.message);
    return { ms, value: value.value };
  };
  const total = (await list({})).value.total;
  const random = seededRandom(5);
  const sorts = ['deadline', 'submitted', 'name'] as const;
  const deadlines = [undefined, 'overdue', 'today', 'soon', 'on_time'] as const;
  // warm-up: the first calls after seeding pay for SQLite's page cache and the JIT, not the query
  for (let i = 0; i < 30; i += 1) await list({ sort: sorts[i % 3], offset: (i % 10) * 1000, limit: 100 });
  const filterTimes: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const input: MethodInput<'queue.list'> = {
      sort: sorts[i % 3],
      ...(deadlines[i % 5] ? { deadline: deadlines[i % 5] } : {}),
      ...(i % 4 === 0 ? { permitTypeId: DEMO_PERMIT_TYPES[i % 3]!.id } : {}),
      offset: i % 2 === 0 ? 0 : Math.floor(random() * 200) * 100,
      limit: 100,
    };
    // the renderer asks the chip counts with the first page of every filter
    if (input.offset === 0) input.withCounts = true;
    const { ms } = await list(input);
    filterTimes.push(ms);
    if (process.env.BENCH_QUEUE_DETAIL && ms > 20) console.log(`slow ${ms.toFixed(1)} ms: ${JSON.stringify(input)}`);
  }
  const countTimes: number[] = [];
  for (let i = 0; i < 50; i += 1) countTimes.push((await list({ withCounts: true, limit: 100 })).ms);
  // broad ("1872" is in every NIK), narrow, and from the middle of a NIK, name or STR number
  const words = ['siti', 'agus', 'dewi', 'wijaya', 'saputra', '187201', '18720', '1872', 'mppd 2026 5001', '0105', 'lestari', '051808', 'hmaw', 'si', '4471'];
  const searchTimes: number[] = [];
  const searchTimesByWord = new Map<string, number[]>();
  for (let i = 0; i < RUNS; i += 1) {
    const search = words[i % words.length]!;
    const { ms } = await list({ search, sort: 'deadline', offset: 0, limit: 100, withCounts: true });
    searchTimes.push(ms);
    searchTimesByWord.set(search, [...(searchTimesByWord.get(search) ?? []), ms]);
  }
  if (process.env.BENCH_QUEUE_DETAIL) for (const [word, times] of searchTimesByWord) console.log(`search ${JSON.stringify(word)}: p50 ${percentile(times, 50)} ms, max ${percentile(times, 100)} ms`);
  await again.close();
  await server.close();

  console.log(`queue holds ${total} files for the penata; ${RUNS} filter+sort+page calls and ${RUNS} searches, each through the contract dispatcher`);
  console.log(
    JSON.stringify({
      queue_rows: total,
      filter_sort_page_ms: { p50: percentile(filterTimes, 50), p95: percentile(filterTimes, 95) },
      search_ms: { p50: percentile(searchTimes, 50), p95: percentile(searchTimes, 95) },
      first_page_with_counts_ms: { p50: percentile(countTimes, 50), p95: percentile(countTimes, 95) },
      initial_sync_10k_s: Number(syncSeconds.toFixed(2)),
    }),
  );
} finally {
  if (process.env.BENCH_QUEUE_KEEP) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
