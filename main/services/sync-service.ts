import type { Kysely } from 'kysely';
import type { SyncStatus } from '../../shared/contract';
import type { CacheDatabase } from '../../db/cache-database';
import { silentLog, type DeskLog } from './desk-log';
import type { PushOutcome } from './outbox';
import { OutboxPush } from './outbox-push';
import { pullAll } from './pull-writer';
import type { ServerClient } from './server-client';
import { SyncScheduler } from './sync-scheduler';

/**
 * Keeps the cache in step with the office server: the outbox pushed (outbox-push.ts), then what
 * changed pulled and written (pull-writer.ts), run and reported by the scheduler (sync-scheduler.ts).
 */
export class SyncService {
  private readonly outboxPush: OutboxPush;
  private readonly scheduler: SyncScheduler;

  constructor(
    private readonly db: Kysely<CacheDatabase>,
    private readonly client: ServerClient,
    now: () => Date = () => new Date(),
    log: DeskLog = silentLog,
  ) {
    this.outboxPush = new OutboxPush(db, client, now);
    this.scheduler = new SyncScheduler(db, client, { push: (force) => this.pushOutbox(force), pull: () => this.pullAll() }, now, log);
  }

  startTimer(intervalMs: number): void {
    this.scheduler.startTimer(intervalMs);
  }

  stopTimer(): void {
    this.scheduler.stopTimer();
  }

  /** Push then pull; callers while a run is under way share the one run after it. Trouble is recorded in the status, not thrown. */
  syncNow(options: { forcePush?: boolean } = {}): Promise<SyncStatus> {
    return this.scheduler.syncNow(options);
  }

  status(): Promise<SyncStatus> {
    return this.scheduler.status();
  }

  /** Sends what the signed-in official may deliver; `force` ignores the backoff. */
  pushOutbox(force: boolean): Promise<Map<string, PushOutcome>> {
    return this.outboxPush.push(force);
  }

  /** Pulls and writes everything new since the cache's cursor; the number of files written. */
  pullAll(): Promise<number> {
    return pullAll(this.db, this.client);
  }
}
