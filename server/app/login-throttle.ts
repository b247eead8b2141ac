/**
 * Failed sign-ins, counted per account and per address. Each failure within the window makes the
 * next answer slower; past the threshold the account (or address) is locked for a while, and
 * each further lockout within a day lasts twice as long. Unknown usernames are counted exactly
 * like known ones, so a lockout does not tell which accounts exist. An account's lockout does not
 * hold back an address it signed in from in the last 30 days: guesses from elsewhere cannot lock
 * the official out of their own desk (the address's own count still limits guesses from it).
 *
 * The server counts in its database (DatabaseLoginThrottle), so several server processes on one
 * database count failures together and a restart forgets nothing; LoginThrottle keeps the same
 * rules in one process's memory (tests that bring their own policy).
 */
export interface ThrottlePolicy {
  windowMs: number;
  /** failures within the window that lock an account */
  accountFailures: number;
  /** failures within the window, over all accounts, that lock an address */
  addressFailures: number;
  lockoutMs: number;
  maxLockoutMs: number;
  /** the second failure in the window waits this long before it is answered, each further one twice as long */
  delayBaseMs: number;
  maxDelayMs: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  accountFailures: 5,
  addressFailures: 20,
  lockoutMs: 15 * 60_000,
  maxLockoutMs: 24 * 60 * 60_000,
  delayBaseMs: 250,
  maxDelayMs: 2_000,
};

/** What is counted for one account or address. */
export interface CounterState {
  failures: number[];
  lockedUntil: number;
  /** lockouts started in the last day: each doubles the next one */
  lockouts: number[];
}

interface Counter extends CounterState {
  inFlight: number;
}

const DAY_MS = 24 * 60 * 60_000;
const SWEEP_ABOVE = 10_000;

export type ThrottleVerdict = { allowed: true; attempt: Attempt } | { allowed: false; retryAfterSeconds: number };

export interface Attempt {
  account: string;
  address: string;
  /** when it began (the database throttle's record of it while it is being checked) */
  startedAt?: number;
}

/** A sign-in throttle as the login route uses it: in memory (sync) or in the database (async). */
export interface SignInThrottle {
  begin(username: string, address: string): ThrottleVerdict | Promise<ThrottleVerdict>;
  finish(attempt: Attempt, succeeded: boolean): { delayMs: number } | Promise<{ delayMs: number }>;
}

/** One key per account whatever its spelling: `Penata` and `penata` share their failures. */
export function accountKey(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

/** How long an attempt must wait (ms) given what is counted and how many are being checked; 0: it may go ahead. */
export function waitBefore(counter: CounterState, inFlight: number, threshold: number, now: number, policy: ThrottlePolicy): number {
  if (counter.lockedUntil > now) return counter.lockedUntil - now;
  counter.failures = counter.failures.filter((t) => t > now - policy.windowMs);
  // not locked, but as many guesses under way as would lock it: wait for them to finish
  return counter.failures.length + inFlight >= threshold ? 1000 : 0;
}

/** Counts one failure (a lockout past the threshold); answers how many there are in the window with it. */
export function recordFailure(counter: CounterState, threshold: number, now: number, policy: ThrottlePolicy): number {
  counter.failures = counter.failures.filter((t) => t > now - policy.windowMs);
  counter.failures.push(now);
  const n = counter.failures.length;
  if (n < threshold || counter.lockedUntil > now) return n;
  counter.lockouts = counter.lockouts.filter((t) => t > now - DAY_MS);
  const duration = Math.min(policy.maxLockoutMs, policy.lockoutMs * 2 ** counter.lockouts.length);
  counter.lockouts.push(now);
  counter.lockedUntil = now + duration;
  // the lockout is the penalty: after it, the count starts again
  counter.failures = [];
  return n;
}

/** The answer's delay after the n-th failure in the window. */
export function failureDelayMs(n: number, policy: ThrottlePolicy): number {
  return n <= 1 ? 0 : Math.min(policy.maxDelayMs, policy.delayBaseMs * 2 ** (n - 2));
}

/** How long an address an account signed in from stays known to it: its lockout does not hold that address back. */
export const KNOWN_ADDRESS_MS = 30 * DAY_MS;

export function knownAddressKey(attempt: Pick<Attempt, 'account' | 'address'>): string {
  return `${attempt.account}\n${attempt.address}`;
}

export class LoginThrottle implements SignInThrottle {
  private readonly accounts = new Map<string, Counter>();
  private readonly addresses = new Map<string, Counter>();
  /** when each account last signed in from each address (knownAddressKey) */
  private readonly known = new Map<string, number>();

  constructor(
    private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
    private readonly clock: () => number = Date.now,
  ) {}

  /** One key per account whatever its spelling: `Penata` and `penata` share their failures. */
  static accountKey(username: string): string {
    return accountKey(username);
  }

  /**
   * Whether a sign-in may be tried now. Attempts still being checked count as failures, so a
   * burst of parallel guesses cannot slip past the threshold. Call finish() after.
   */
  begin(username: string, address: string): ThrottleVerdict {
    const now = this.clock();
    const attempt = { account: LoginThrottle.accountKey(username), address };
    // an address this account signed in from lately is not held back by the account's lockout (see DatabaseLoginThrottle.knows)
    const known = (this.known.get(knownAddressKey(attempt)) ?? -Infinity) > now - KNOWN_ADDRESS_MS;
    const waits = [known ? 0 : this.waitFor(this.accounts, attempt.account, this.policy.accountFailures, now), this.waitFor(this.addresses, attempt.address, this.policy.addressFailures, now)];
    const wait = Math.max(...waits);
    if (wait > 0) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
    this.counter(this.accounts, attempt.account).inFlight += 1;
    this.counter(this.addresses, attempt.address).inFlight += 1;
    return { allowed: true, attempt };
  }

  /** Records the outcome; a failure answers how long to wait before saying so. */
  finish(attempt: Attempt, succeeded: boolean): { delayMs: number } {
    const now = this.clock();
    const account = this.counter(this.accounts, attempt.account);
    const address = this.counter(this.addresses, attempt.address);
    account.inFlight = Math.max(0, account.inFlight - 1);
    address.inFlight = Math.max(0, address.inFlight - 1);
    if (succeeded) {
      // the address keeps its count: one valid account must not wash away guesses at others
      this.accounts.delete(attempt.account);
      this.known.set(knownAddressKey(attempt), now);
      return { delayMs: 0 };
    }
    const n = recordFailure(account, this.policy.accountFailures, now, this.policy);
    recordFailure(address, this.policy.addressFailures, now, this.policy);
    if (this.accounts.size + this.addresses.size + this.known.size > SWEEP_ABOVE) this.sweep(now);
    return { delayMs: failureDelayMs(n, this.policy) };
  }

  /** Forgets everything (an administrator's unlock; tests). */
  reset(): void {
    this.accounts.clear();
    this.addresses.clear();
    this.known.clear();
  }

  private counter(map: Map<string, Counter>, key: string): Counter {
    let counter = map.get(key);
    if (!counter) {
      counter = { failures: [], inFlight: 0, lockedUntil: 0, lockouts: [] };
      map.set(key, counter);
    }
    return counter;
  }

  private waitFor(map: Map<string, Counter>, key: string, threshold: number, now: number): number {
    const counter = map.get(key);
    return counter ? waitBefore(counter, counter.inFlight, threshold, now, this.policy) : 0;
  }

  private sweep(now: number): void {
    for (const [key, at] of this.known) if (at <= now - KNOWN_ADDRESS_MS) this.known.delete(key);
    for (const map of [this.accounts, this.addresses]) {
      for (const [key, counter] of map) {
        const idle = counter.inFlight === 0 && counter.lockedUntil <= now && counter.failures.every((t) => t <= now - this.policy.windowMs);
        if (idle && counter.lockouts.every((t) => t <= now - DAY_MS)) map.delete(key);
      }
    }
  }
}
