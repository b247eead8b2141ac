import type { Kysely, Transaction } from 'kysely';
import type { ServerDatabase } from '../db/server-database';
import { engineOf } from '../db/server-engine';
import {
  DEFAULT_THROTTLE_POLICY,
  accountKey,
  failureDelayMs,
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

interface StoredCounter extends CounterState {
  inFlight: number[];
}

type Scope = 'account' | 'address';

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

  async begin(username: string, address: string): Promise<ThrottleVerdict> {
    const now = this.clock();
    const attempt: Attempt = { account: accountKey(username), address, startedAt: now };
    return this.db.transaction().execute(async (trx) => {
      const account = await this.lock(trx, 'account', attempt.account, now);
      const origin = await this.lock(trx, 'address', attempt.address, now);
      const wait = Math.max(
        waitBefore(account, account.inFlight.length, this.policy.accountFailures, now, this.policy),
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
    return this.db.transaction().execute(async (trx) => {
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
      } else {
        delayMs = failureDelayMs(recordFailure(account, this.policy.accountFailures, now, this.policy), this.policy);
        recordFailure(origin, this.policy.addressFailures, now, this.policy);
        await this.save(trx, 'account', attempt.account, account, now);
      }
      await this.save(trx, 'address', attempt.address, origin, now);
      // rows idle for a day hold nothing that still counts
      await trx.deleteFrom('login_throttle').where('updated_at', '<', now - DAY_MS).where('locked_until', '<', now).execute();
      return { delayMs };
    });
  }

  /** Forgets everything (an administrator's unlock; tests). */
  async reset(): Promise<void> {
    await this.db.deleteFrom('login_throttle').execute();
  }

  /** The counter's row, made to exist and locked for the rest of the transaction. */
  private async lock(trx: Transaction<ServerDatabase>, scope: Scope, key: string, now: number): Promise<StoredCounter> {
    await trx
      .insertInto('login_throttle')
      .values({ scope, key, failures: '[]', in_flight: '[]', lockouts: '[]', locked_until: 0, updated_at: now })
      .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
      .execute();
    let query = trx.selectFrom('login_throttle').selectAll().where('scope', '=', scope).where('key', '=', key);
    if (engineOf(trx) === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirstOrThrow();
    return {
      failures: JSON.parse(row.failures) as number[],
      inFlight: (JSON.parse(row.in_flight) as number[]).filter((t) => t > now - IN_FLIGHT_STALE_MS),
      lockouts: JSON.parse(row.lockouts) as number[],
      lockedUntil: Number(row.locked_until),
    };
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
