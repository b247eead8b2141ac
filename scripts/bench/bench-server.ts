// `npm run bench:server`: the central server under 200 desks, on PostgreSQL and on SQLite in the
// same run. Each engine gets a fresh database seeded with Metro files at the penata's stage, and
// the real server as its own process (`npm run server`; on PostgreSQL two of them, see
// SERVER_PROCESSES); 200 desks of 200 officials (half penata, half koordinator) then work for a
// bounded time as officials do: pull what changed, take a file (Ambil), read and decide it, push
// the decision signed with their session key as a desk signs it, and pull what changed every few
// seconds; a tenth of pushes is delivered twice, as a retry after a lost answer would be. The
// penata passes files on (teruskan); the koordinator approves the draft (setujui_draf), Metro's
// numbering step, where the server gives the permit number and prepares the final permit in the
// same transaction.
//
// Deciding takes an official minutes; here it takes BENCH_DECIDE_MS on average (500 ms, drawn
// evenly from half to one and a half times that), so that 200 desks offer up to about 400
// decisions a second: more than the target of 300, and few enough that the latencies measured
// are the server's and not those of a queue of 200 desks that never pause. With
// BENCH_DECIDE_MS=0 the desks never pause, and the run measures the most the server does at any
// latency. Afterwards the database is read to count decisions lost (answered accepted but not
// recorded) and duplicated (recorded more than once), and each engine's figures say where the
// machine's CPU went while the desks worked: the server processes, PostgreSQL's processes, the
// desks (this process). Last line: one JSON object.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { openServerDb } from '../../server/db/open-server-db';
import { currentChangeSeq } from '../../server/app/change-sequence';
import type { ServerDatabase } from '../../server/db/server-database';
import { seedDemoDatabase } from '../../server/seed/seed-demo-database';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { transitionContent, type CommandAuthor, type LoginResponse, type PullResponse, type TransitionCommand } from '../../shared/sync-protocol';
import { commandMac } from '../../shared/node/command-mac';
import { startPostgresCluster } from '../../tests/support/postgres-cluster';
import { startServerProcess } from '../../tests/support/server-process';
import { cpuShares, cpuSnapshot, type CpuShares } from './process-cpu';

const DESKS = Number(process.env.BENCH_DESKS ?? 200);
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 20) * 1000;
const FILES = Number(process.env.BENCH_FILES ?? 6000);
const OFFICE = 'dpmptsp-kota-metro';
// a desk syncs in the background every 15 s (and on demand); here every 5 s, so pulls weigh more than in an office
const PULL_EVERY_MS = Number(process.env.BENCH_PULL_EVERY_MS ?? 5000);
const DECIDE_MS = Number(process.env.BENCH_DECIDE_MS ?? 500);
const SERVER_PROCESSES = Number(process.env.BENCH_SERVER_PROCESSES ?? 2);

interface EngineFigures {
  commands_per_s: number;
  push_p95_ms: number;
  /** the penata's pass and the koordinator's approval (the numbering step) apart */
  push_p95_ms_by_role: Record<string, number>;
  pull_p95_ms: number;
  claim_p95_ms: number;
  commands: number;
  /** decisions accepted per role: the koordinator's approve is the numbering step, which also prepares the final permit */
  commands_by_role: Record<string, number>;
  claims: number;
  refused_claims: number;
  lost: number;
  duplicated: number;
  errors: number;
  /** HTTP statuses other than the expected ones, by status */
  error_statuses: Record<string, number>;
  /** where the machine's CPU went while the desks worked (percent of one core; null where /proc is not readable) */
  cpu: CpuShares | null;
}

const p95 = (values: number[]) => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]! * 10) / 10;
};

async function timed<T>(samples: number[], run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await run();
  } finally {
    samples.push(performance.now() - start);
  }
}

// The desks' HTTP client: node:http over kept-alive connections. Each desk would run on its own
// PC; here all 200 share the server's two cores, so the client spends as little CPU as it can
// (undici's fetch took several times more per request), and of a pull's answer it reads only what
// the desk's loop needs (the cursor) instead of parsing the whole page, which a real desk does on
// its own PC. The requests the server answers are the same.
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

function call(base: string, path: string, token: string, body?: unknown, read: 'json' | 'cursor' = 'json'): Promise<{ status: number; body: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const url = new URL(`${base}/api/v1${path}`);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: payload === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          try {
            if (read === 'cursor' && status === 200) {
              // the answer begins {"cursor":N,"hasMore":…}: the rest is the page a desk would store
              const head = /^\{"cursor":(\d+),"hasMore":(true|false)/.exec(text.slice(0, 64));
              resolve({ status, body: head ? { cursor: Number(head[1]), hasMore: head[2] === 'true' } : JSON.parse(text) });
            } else resolve({ status, body: text ? JSON.parse(text) : null });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** 200 officials of the office: desks of distinct officials, as in an MPP with many counters. */
async function addOfficials(db: Kysely<ServerDatabase>): Promise<Array<{ username: string; role: 'penata_perizinan' | 'koordinator' }>> {
  const template = await db.selectFrom('users').selectAll().where('username', '=', 'penata').executeTakeFirstOrThrow();
  const officials = Array.from({ length: DESKS }, (_, i) => ({ username: `bench${String(i).padStart(3, '0')}`, role: i % 2 === 0 ? ('penata_perizinan' as const) : ('koordinator' as const) }));
  await db
    .insertInto('users')
    .values(officials.map((o, i) => ({ ...template, id: randomUUID(), username: o.username, full_name: `Pejabat Uji ${i}`, nip: String(199_000_000 + i), role: o.role })))
    .execute();
  return officials;
}

async function runEngine(engine: 'pg' | 'sqlite', location: string, postmasterPid: number | null): Promise<EngineFigures> {
  const seeded = await openServerDb(location);
  await seedDemoDatabase(seeded.db, { applications: FILES, allAtStage: 'pemeriksaan', documents: false, pekanbaruFiles: 0, balikpapanFiles: 0 });
  const officials = await addOfficials(seeded.db);
  const files = (await seeded.db.selectFrom('applications').select('id').where('office_id', '=', OFFICE).where('stage', '=', 'pemeriksaan').orderBy('registration_number').execute()).map((r) => r.id);
  const types = await seeded.db.selectFrom('permit_types').select('definition').where('office_id', '=', OFFICE).execute();
  const checklist = Object.fromEntries(types.flatMap((t) => (JSON.parse(t.definition) as { requirements: Array<{ id: string }> }).requirements.map((r) => [r.id, true])));
  const startCursor = await currentChangeSeq(seeded.db);
  if (engine === 'pg' && PG_STATS) {
    await sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`.execute(seeded.db);
    await sql`SELECT pg_stat_statements_reset()`.execute(seeded.db);
  }
  await seeded.close();

  // BENCH_PROFILE_DIR: a V8 CPU profile of each server process, to see what limits it; BENCH_SERVER_NODE_ARGS: Node flags for them
  const profile = [...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), ...(process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [])];
  // PostgreSQL: BENCH_SERVER_PROCESSES server processes on the one database (default 2, one per
  // core, as the README's deployment runs them behind a proxy); each desk talks to one of them.
  // SQLite: one process (its file has one writer).
  const processes = engine === 'pg' ? SERVER_PROCESSES : 1;
  const servers = await Promise.all(
    Array.from({ length: processes }, () => startServerProcess([...(engine === 'pg' ? ['--pg', location] : ['--db', location]), '--log-level', 'warn'], {}, profile)),
  );
  const server = servers[0]!;
  try {
    // sign-ins are not measured; a few at a time (the throttle counts parallel sign-ins from one address)
    const desks: Array<{ token: string; role: string; url: string; author: CommandAuthor; sessionKey: Buffer }> = [];
    for (let i = 0; i < officials.length; i += 8) {
      const batch = officials.slice(i, i + 8);
      desks.push(
        ...(await Promise.all(
          batch.map(async (o) => {
            const response = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: o.username, password: DEMO_PASSWORD }) });
            if (response.status !== 200) throw new Error(`sign-in ${o.username}: HTTP ${response.status}`);
            // desks alternate roles; each role's desks are spread over the processes in turn, as a
            // load balancer spreads desks whatever their role (desk i on process i % n put every
            // koordinator, and so every numbering step, on one process of two)
            const ofRole = officials.filter((other) => other.role === o.role).indexOf(o);
            const signedIn = (await response.json()) as LoginResponse;
            if (!signedIn.session) throw new Error(`sign-in ${o.username}: no author session`);
            return {
              token: signedIn.token,
              role: o.role,
              url: servers[ofRole % servers.length]!.url,
              author: { userId: signedIn.user.id, sessionId: signedIn.session.id },
              sessionKey: Buffer.from(signedIn.session.key, 'base64url'),
            };
          }),
        )),
      );
    }

    // the office's queues, as the desks see them: files at the penata's stage, and those passed to the koordinator
    const queues: Record<string, string[]> = { penata_perizinan: [...files], koordinator: [] };
    const next: Record<string, number> = { penata_perizinan: 0, koordinator: 0 };
    const pushSamples: number[] = [];
    const pullSamples: number[] = [];
    const claimSamples: number[] = [];
    const accepted = new Set<string>();
    const acceptedBy: Record<string, number> = {};
    const pushByRole: Record<string, number[]> = {};
    let claims = 0;
    let refusedClaims = 0;
    let errors = 0;
    const errorStatuses: Record<string, number> = {};
    const failed = (status: number) => {
      errors += 1;
      errorStatuses[status] = (errorStatuses[status] ?? 0) + 1;
    };
    const end = performance.now() + DURATION_MS;
    const started = performance.now();
    const cpuBefore = cpuSnapshot();

    await Promise.all(
      desks.map(async (desk) => {
        let cursor = startCursor;
        // desks start their background sync at different moments
        let lastPull = performance.now() - Math.random() * PULL_EVERY_MS;
        while (performance.now() < end) {
          if (performance.now() - lastPull >= PULL_EVERY_MS) {
            lastPull = performance.now();
            const pulled = await timed(pullSamples, () => call(desk.url, `/sync/pull?since=${cursor}&limit=200`, desk.token, undefined, 'cursor'));
            if (pulled.status !== 200) {
              failed(pulled.status);
              continue;
            }
            cursor = (pulled.body as PullResponse).cursor;
          }
          const queue = queues[desk.role]!;
          // the top of the queue: usually the next file, sometimes one a colleague may be taking (a race for the same file)
          const racing = Math.random() < 0.2 && next[desk.role]! > 0;
          // nothing passed on to this role yet: wait for it (the place in the queue is not used up)
          if (!racing && next[desk.role]! >= queue.length) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            continue;
          }
          const applicationId = queue[racing ? next[desk.role]! - 1 : next[desk.role]!++]!;
          const claim = await timed(claimSamples, () => call(desk.url, '/claims', desk.token, { applicationId }));
          // 409: a colleague holds it; 403: it moved past this role's stage meanwhile
          if (claim.status === 409 || claim.status === 403) {
            refusedClaims += 1;
            continue;
          }
          if (claim.status !== 200) {
            failed(claim.status);
            continue;
          }
          claims += 1;
          if (DECIDE_MS > 0) await new Promise((resolve) => setTimeout(resolve, DECIDE_MS * (0.5 + Math.random())));
          const command: TransitionCommand =
            desk.role === 'penata_perizinan'
              ? { id: randomUUID(), type: 'transition', applicationId, action: 'teruskan', expectedStage: 'pemeriksaan', reason: 'Sesuai dengan data nasional.', checklist, decidedAt: new Date().toISOString(), evidence: null }
              : { id: randomUUID(), type: 'transition', applicationId, action: 'setujui_draf', expectedStage: 'verifikasi_draf', reason: null, checklist: null, decidedAt: new Date().toISOString(), evidence: null };
          // signed with the official's session key, as a desk signs every decision it sends
          const signed = { ...command, author: desk.author, mac: commandMac(desk.sessionKey, transitionContent(command), desk.author) };
          const deliveries = Math.random() < 0.1 ? 2 : 1;
          for (let d = 0; d < deliveries; d++) {
            const pushed = await timed(pushSamples, () => call(desk.url, '/sync/push', desk.token, { commands: [signed] }));
            (pushByRole[desk.role] ??= []).push(pushSamples[pushSamples.length - 1]!);
            if (pushed.status !== 200) {
              failed(pushed.status);
              continue;
            }
            const result = pushed.body.results[0] as { status: string };
            if (result.status === 'accepted' && !accepted.has(command.id)) {
              accepted.add(command.id);
              acceptedBy[desk.role] = (acceptedBy[desk.role] ?? 0) + 1;
              if (desk.role === 'penata_perizinan') queues.koordinator!.push(applicationId);
            }
          }
        }
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;
    const cpu = cpuShares(cpuBefore, cpuSnapshot(), {
      server_processes_pct: servers.map((s) => s.child.pid!),
      ...(engine === 'pg' && postmasterPid !== null ? { postgres_pct: [postmasterPid] } : {}),
    });

    // what the database recorded: every accepted decision once
    const check = await openServerDb(location);
    const recorded = new Map<string, number>();
    const ids = [...accepted];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await check.db
        .selectFrom('events')
        .select(['command_id', sql<number>`count(*)`.as('n')])
        .where('command_id', 'in', ids.slice(i, i + 500))
        .groupBy('command_id')
        .execute();
      for (const row of rows) recorded.set(row.command_id!, Number(row.n));
    }
    const ledger = await check.db.selectFrom('commands').select(sql<number>`count(*)`.as('n')).where('status', '=', 'accepted').executeTakeFirstOrThrow();
    if (engine === 'pg' && PG_STATS) await printStatementStats(check.db, accepted.size);
    await check.close();
    const lost = ids.filter((id) => !recorded.has(id)).length + Math.max(0, ids.length - Number(ledger.n));
    const duplicated = [...recorded.values()].reduce((n, count) => n + Math.max(0, count - 1), 0);
    return {
      commands_per_s: Math.round((accepted.size / elapsedS) * 10) / 10,
      push_p95_ms: p95(pushSamples),
      push_p95_ms_by_role: Object.fromEntries(Object.entries(pushByRole).map(([role, samples]) => [role, p95(samples)])),
      pull_p95_ms: p95(pullSamples),
      claim_p95_ms: p95(claimSamples),
      commands: accepted.size,
      commands_by_role: acceptedBy,
      claims,
      refused_claims: refusedClaims,
      lost,
      duplicated,
      errors,
      error_statuses: errorStatuses,
      cpu,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** What PostgreSQL spent its time on during the run, per statement shape, and statements per accepted command. */
async function printStatementStats(db: Kysely<ServerDatabase>, commands: number): Promise<void> {
  const { rows } = await sql<{ calls: number; total_ms: number; mean_ms: number; query: string }>`
    SELECT calls, round(total_exec_time::numeric, 1) AS total_ms, round(mean_exec_time::numeric, 3) AS mean_ms, left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 110) AS query
    FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat_statements%' ORDER BY calls DESC LIMIT 40`.execute(db);
  const { rows: totals } = await sql<{ calls: number; total_ms: number }>`SELECT sum(calls)::bigint AS calls, round(sum(total_exec_time)::numeric, 1) AS total_ms FROM pg_stat_statements`.execute(db);
  console.error(`PostgreSQL statements: ${totals[0]!.calls} in all (${(Number(totals[0]!.calls) / Math.max(1, commands)).toFixed(1)} per accepted command, pulls and claims included), ${totals[0]!.total_ms} ms executing`);
  for (const r of rows) console.error(`  ${String(r.calls).padStart(7)} calls ${String(r.total_ms).padStart(9)} ms ${String(r.mean_ms).padStart(7)} ms/call  ${r.query}`);
}

const work = mkdtempSync(join(tmpdir(), 'meja-izin-bench-server-'));
// BENCH_PG_STATS=1: pg_stat_statements on, and the statements that took PostgreSQL's time printed after the run
const PG_STATS = process.env.BENCH_PG_STATS === '1';
const PG_VIA = process.env.BENCH_PG_VIA === 'unix-socket' ? 'unix-socket' : 'tcp';
const cluster = await startPostgresCluster({ durable: true, maxConnections: 100, settings: PG_STATS ? ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all'] : [] });
try {
  console.error(`bench:server: ${DESKS} desks for ${DURATION_MS / 1000} s per engine, ${FILES} files seeded, ${DECIDE_MS} ms to decide a file on average`);
  // The server reaches PostgreSQL over 127.0.0.1; BENCH_PG_VIA=unix-socket uses the cluster's
  // Unix-domain socket instead, as a server on the database's own host may. The desks always use HTTP over TCP.
  const tcpUrl = await cluster.createDatabase('bench');
  // BENCH_ENGINES=pg or =sqlite: one engine only
  const pg = process.env.BENCH_ENGINES === 'sqlite' ? null : { ...(await runEngine('pg', PG_VIA === 'tcp' ? tcpUrl : cluster.socketUrlFor('bench'), cluster.postmasterPid())), via: PG_VIA };
  console.error(`PostgreSQL: ${JSON.stringify(pg)}`);
  const sqlite = process.env.BENCH_ENGINES === 'pg' ? null : await runEngine('sqlite', join(work, 'server.sqlite'), null);
  console.error(`SQLite: ${JSON.stringify(sqlite)}`);
  console.log(JSON.stringify({ desks: DESKS, seconds: DURATION_MS / 1000, decide_ms: DECIDE_MS, pg_server_processes: SERVER_PROCESSES, pg, sqlite }));
} finally {
  agent.destroy();
  cluster.stop();
  rmSync(work, { recursive: true, force: true });
}
