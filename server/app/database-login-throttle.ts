import { sql, type Kysely, type Transaction } from 'kysely';
import type { ServerDatabase } from '../db/server-database';
import { engineOf } from '../db/server-engine';
import {
  DEFAULT_THROTTLE_POLICY,
  accountKey,
  failureDelayMs,
  knownAddressKey,
  KNOWN_ADDRESS_MS,
  recordFailure,
  waitBefore,
  type Attempt,
  type CounterState,
  type SignInThrottle,
  type ThrottlePolicy,
  type ThrottleVerdict,
} from './login-throttle';

/** An attempt under way longer than this was left by a process that stopped mid-check: it no longer counts. */
const IN_FLIGHT_STALE_MS = 60_000;
const DAY_MS = 24 * 60 * 60_000;
/** Idle rows are swept at most this often per process, apart from any sign-in's own transaction. */
const SWEEP_EVERY_MS = 60_000;

interface StoredCounter extends CounterState {
  inFlight: number[];
}

/** `known`: an address this account signed in from (key: account and address), see knownAddressKey. */
type Scope = 'account' | 'address' | 'known';

/**
 * The login throttle's rules (login-throttle.ts) with its counts in the database (migration 024):
 * every server process on the database counts the same failures, and a restart forgets none.
 * Each begin and finish is one short transaction on the account's and the address's rows, taken
 * in that order (row locks on PostgreSQL; SQLite's one writer), so parallel attempts through
 * several processes are counted one after the other, attempts still being checked included.
 */
export class DatabaseLoginThrottle implements SignInThrottle {
  constructor(
    private readonly db: Kysely<ServerDatabase>,
    private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
    private readonly clock: () => number = Date.now,
  ) {}

  private lastSweep = 0;

  async begin(username: string, address: string): Promise<ThrottleVerdict> {
    const now = this.clock();
    const attempt: Attempt = { account: accountKey(username), address, startedAt: now };
    return this.db.transaction().execute(async (trx) => {
      const account = await this.lock(trx, 'account', attempt.account, now);
      const origin = await this.lock(trx, 'address', attempt.address, now);
      const known = await this.knows(trx, attempt, now);
      const wait = Math.max(
        known ? 0 : waitBefore(account, account.inFlight.length, this.policy.accountFailures, now, this.policy),
        waitBefore(origin, origin.inFlight.length, this.policy.addressFailures, now, this.policy),
      );
      if (wait > 0) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
      account.inFlight.push(now);
      origin.inFlight.push(now);
      await this.save(trx, 'account', attempt.account, account, now);
      await this.save(trx, 'address', attempt.address, origin, now);
      return { allowed: true, attempt };
    });
  }

  async finish(attempt: Attempt, succeeded: boolean): Promise<{ delayMs: number }> {
    const now = this.clock();
    const outcome = await this.db.transaction().execute(async (trx) => {
      const account = await this.lock(trx, 'account', attempt.account, now);
      const origin = await this.lock(trx, 'address', attempt.address, now);
      for (const counter of [account, origin]) {
        const index = counter.inFlight.indexOf(attempt.startedAt ?? -1);
        counter.inFlight.splice(index >= 0 ? index : 0, 1);
      }
      let delayMs = 0;
      if (succeeded) {
        // the address keeps its count: one valid account must not wash away guesses at others
        await trx.deleteFrom('login_throttle').where('scope', '=', 'account').where('key', '=', attempt.account).execute();
        await this.remember(trx, attempt, now);
      } else {
        delayMs = failureDelayMs(recordFailure(account, this.policy.accountFailures, now, this.policy), this.policy);
        recordFailure(origin, this.policy.addressFailures, now, this.policy);
        await this.save(trx, 'account', attempt.account, account, now);
      }
      await this.save(trx, 'address', attempt.address, origin, now);
      return { delayMs };
    });
    await this.sweep(now);
    return outcome;
  }

  /** Forgets everything (an administrator's unlock; tests). */
  async reset(): Promise<void> {
    await this.db.deleteFrom('login_throttle').execute();
  }

  /**
   * The counter's row, made to exist and locked for the rest of the transaction, in one
   * statement: an upsert that always updates locks the row it answers, even when a concurrent
   * attempt deleted it meanwhile (PostgreSQL then inserts it anew), where an insert-if-missing
   * followed by SELECT … FOR UPDATE could find nothing once that attempt committed.
   */
  private async lock(trx: Transaction<ServerDatabase>, scope: Scope, key: string, now: number): Promise<StoredCounter> {
    const row = await trx
      .insertInto('login_throttle')
      .values({ scope, key, failures: '[]', in_flight: '[]', lockouts: '[]', locked_until: 0, updated_at: now })
      .onConflict((oc) => oc.columns(['scope', 'key']).doUpdateSet((eb) => ({ key: eb.ref('excluded.key') })))
      .returningAll()
      .executeTakeFirstOrThrow();
    return {
      failures: JSON.parse(row.failures) as number[],
      inFlight: (JSON.parse(row.in_flight) as number[]).filter((t) => t > now - IN_FLIGHT_STALE_MS),
      lockouts: JSON.parse(row.lockouts) as number[],
      lockedUntil: Number(row.locked_until),
    };
  }

  /**
   * Whether this account signed in from this address lately. Such an address is not held back by
   * the account's lockout (its own address count still holds it): whoever guesses at an account
   * from elsewhere locks it for everyone else, but not for the official at the desk they use.
   */
  private async knows(trx: Transaction<ServerDatabase>, attempt: Attempt, now: number): Promise<boolean> {
    const row = await trx
      .selectFrom('login_throttle')
      .select('updated_at')
      .where('scope', '=', 'known')
      .where('key', '=', knownAddressKey(attempt))
      .executeTakeFirst();
    return row !== undefined && Number(row.updated_at) > now - KNOWN_ADDRESS_MS;
  }

  private async remember(trx: Transaction<ServerDatabase>, attempt: Attempt, now: number): Promise<void> {
    await trx
      .insertInto('login_throttle')
      .values({ scope: 'known', key: knownAddressKey(attempt), failures: '[]', in_flight: '[]', lockouts: '[]', locked_until: 0, updated_at: now })
      .onConflict((oc) => oc.columns(['scope', 'key']).doUpdateSet({ updated_at: now }))
      .execute();
  }

  /**
   * Rows that hold nothing that still counts (counters idle for a day, addresses not signed in
   * from for KNOWN_ADDRESS_MS) go, now and then, in a statement of their own: inside a sign-in's
   * transaction it would wait on (and deadlock with) rows other attempts hold. On PostgreSQL a
   * row some attempt holds is skipped, left for the next sweep.
   */
  private async sweep(now: number): Promise<void> {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    const idle = sql<boolean>`(scope <> 'known' AND updated_at < ${now - DAY_MS} AND locked_until < ${now}) OR (scope = 'known' AND updated_at < ${now - KNOWN_ADDRESS_MS})`;
    const sweep =
      engineOf(this.db) === 'postgres'
        ? sql`DELETE FROM login_throttle WHERE ctid IN (SELECT ctid FROM login_throttle WHERE ${idle} FOR UPDATE SKIP LOCKED)`
        : sql`DELETE FROM login_throttle WHERE ${idle}`;
    // housekeeping: a sign-in never fails because of it
    await sweep.execute(this.db).catch(() => undefined);
  }

  private async save(trx: Transaction<ServerDatabase>, scope: Scope, key: string, counter: StoredCounter, now: number): Promise<void> {
    const idle = counter.failures.length === 0 && counter.inFlight.length === 0 && counter.lockedUntil <= now && counter.lockouts.every((t) => t <= now - DAY_MS);
    if (idle) {
      await trx.deleteFrom('login_throttle').where('scope', '=', scope).where('key', '=', key).execute();
      return;
    }
    await trx
      .updateTable('login_throttle')
      .set({
        failures: JSON.stringify(counter.failures),
        in_flight: JSON.stringify(counter.inFlight),
        lockouts: JSON.stringify(counter.lockouts.filter((t) => t > now - DAY_MS)),
        locked_until: counter.lockedUntil,
        updated_at: now,
      })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .execute();
  }
}
