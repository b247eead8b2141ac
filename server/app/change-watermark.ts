import { sql, type Kysely } from 'kysely';
import type { ServerDatabase } from '../db/server-database';

/**
 * The safe watermark of PostgreSQL's change sequence (change-sequence.ts says why it is safe):
 * the highest value below which every change has committed or rolled back. One per database
 * handle and process; concurrent pulls share its rounds, so a busy server spends a few small
 * statements per round, not per pull.
 *
 * Each round is one statement, `SELECT <sequence's last value>, pg_current_snapshot()`: its
 * snapshot is taken when the statement starts, its last value read after that. So the last value
 * L of round r is read before the snapshot of round r+1, whose in-progress transactions are what
 * L waits for; L becomes safe in the first later round whose snapshot shows them all finished.
 * A pull waits for a value read by a round that started after the pull did (a desk sees what it
 * pushed before); if a long transaction keeps it waiting past MAX_WAIT_MS, it reads up to the
 * highest value already proven safe instead, which is also correct, only older.
 */
const MAX_WAIT_MS = 2_000;
/**
 * Between rounds while transactions are still in flight: they take a few milliseconds, so the
 * first pause is short; it doubles while the same wait goes on (a long transaction elsewhere in
 * the cluster shows in every snapshot: no statement a millisecond for the 2 s a pull may wait).
 */
const ROUND_PAUSE_MS = 1;
const ROUND_PAUSE_MAX_MS = 64;

interface Snapshot {
  xmin: bigint;
  xmax: bigint;
  xip: Set<bigint>;
}

interface Candidate {
  round: number;
  value: number;
  /** the transactions in progress in the next round's snapshot; null until that round */
  waitFor: bigint[] | null;
}

interface Waiter {
  round: number;
  resolve(value: number): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

function parseSnapshot(text: string): Snapshot {
  const [xmin, xmax, xip] = text.split(':');
  return { xmin: BigInt(xmin!), xmax: BigInt(xmax!), xip: new Set(xip ? xip.split(',').map((x) => BigInt(x)) : []) };
}

function finishedIn(snapshot: Snapshot, xid: bigint): boolean {
  return xid < snapshot.xmin || (xid < snapshot.xmax && !snapshot.xip.has(xid));
}

export class ChangeWatermark {
  private safe = -1;
  private startedRounds = 0;
  private running = false;
  private candidates: Candidate[] = [];
  private waiters: Waiter[] = [];

  constructor(private readonly db: Kysely<ServerDatabase>) {}

  /** A safe upper bound for a pull starting now, covering every change committed before the call. */
  safeUpTo(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = {
        round: this.startedRounds + 1,
        resolve,
        reject,
        timer: setTimeout(() => this.settle(waiter, this.safe), MAX_WAIT_MS),
      };
      this.waiters.push(waiter);
      if (!this.running) void this.run();
    });
  }

  private settle(waiter: Waiter, value: number | Error): void {
    const index = this.waiters.indexOf(waiter);
    if (index < 0) return;
    this.waiters.splice(index, 1);
    clearTimeout(waiter.timer);
    if (value instanceof Error) waiter.reject(value);
    // nothing proven yet (a long transaction since this process started): nothing new to pull, which is safe
    else waiter.resolve(Math.max(value, 0));
  }

  private async run(): Promise<void> {
    this.running = true;
    let pause = ROUND_PAUSE_MS;
    try {
      while (this.waiters.length > 0) {
        const round = ++this.startedRounds;
        const { rows } = await sql<{ value: string | number; snapshot: string }>`
          SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS value, pg_current_snapshot()::text AS snapshot FROM change_seq`.execute(this.db);
        const snapshot = parseSnapshot(rows[0]!.snapshot);
        for (const candidate of this.candidates) {
          if (candidate.waitFor === null) candidate.waitFor = [...snapshot.xip];
          else candidate.waitFor = candidate.waitFor.filter((xid) => !finishedIn(snapshot, xid));
        }
        this.candidates.push({ round, value: Number(rows[0]!.value), waitFor: null });
        let provenRound = 0;
        for (const candidate of this.candidates) {
          if (candidate.waitFor?.length !== 0) continue;
          this.safe = Math.max(this.safe, candidate.value);
          provenRound = Math.max(provenRound, candidate.round);
        }
        this.candidates = this.candidates.filter((c) => c.round > provenRound);
        for (const waiter of [...this.waiters]) if (waiter.round <= provenRound) this.settle(waiter, this.safe);
        if (provenRound > 0) pause = ROUND_PAUSE_MS;
        if (this.waiters.length > 0 && this.candidates.some((c) => c.waitFor && c.waitFor.length > 0)) {
          await new Promise((resolve) => setTimeout(resolve, pause));
          pause = Math.min(ROUND_PAUSE_MAX_MS, pause * 2);
        }
      }
    } catch (error) {
      for (const waiter of [...this.waiters]) this.settle(waiter, error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.running = false;
      // nothing waits: what is pending is worth nothing to the next pull, which needs a newer round
      this.candidates = [];
    }
  }
}

const watermarks = new WeakMap<object, ChangeWatermark>();

/** The watermark of this database handle (one per process and pool). */
export function changeWatermark(db: Kysely<ServerDatabase>): ChangeWatermark {
  const key = db.getExecutor().adapter;
  let watermark = watermarks.get(key);
  if (!watermark) watermarks.set(key, (watermark = new ChangeWatermark(db)));
  return watermark;
}
