import type { Kysely } from 'kysely';
import { AppFailure } from '../../shared/result';
import type { SyncStatus } from '../../shared/contract';
import type { CacheDatabase } from '../../db/cache-database';
import { readMeta, writeMeta } from './cache-reads';
import type { DeskLog } from './desk-log';
import { outboxSummary, parseStored, provisionalActor, signOwnPendingCommands } from './outbox';
import { deliverableBy } from './outbox-push';
import type { ServerClient } from './server-client';

export interface SyncSteps {
  push(force: boolean): Promise<unknown>;
  pull(): Promise<unknown>;
}

/**
 * When the desk syncs and what it says of it: one run at a time (push, then pull), one more run
 * for callers who came while a run was under way, the background timer, and the status the
 * screen shows. Network trouble and the server's refusals are recorded in the status, not
 * thrown; anything else is a bug, logged and recorded as INTERNAL, never dropped silently.
 */
export class SyncScheduler {
  private online = false;
  private lastError: string | null = null;
  private running: Promise<void> | null = null;
  /** the one sync that follows the running one, for callers who came after it had started */
  private following: Promise<SyncStatus> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Kysely<CacheDatabase>,
    private readonly client: ServerClient,
    private readonly steps: SyncSteps,
    private readonly now: () => Date,
    private readonly log: DeskLog,
  ) {
    // any call to the server (a claim, a document, a sync) tells whether it is reachable now
    client.onReachability((reachable) => {
      this.online = reachable;
    });
  }

  startTimer(intervalMs: number): void {
    this.stopTimer();
    this.timer = setInterval(() => {
      this.syncNow({ forcePush: false }).catch((error: unknown) => this.log.error('sync.background_failed', error));
    }, intervalMs);
    this.timer.unref();
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Push then pull; callers while a run is under way share the one run after it. */
  async syncNow(options: { forcePush?: boolean } = {}): Promise<SyncStatus> {
    if (this.running) {
      // the running sync may have read the outbox before this call's decision was written: one
      // more runs after it (shared by every caller meanwhile), so nothing waits for the next tick
      this.following ??= this.running
        .catch(() => undefined)
        .then(() => {
          this.following = null;
          return this.syncNow(options);
        });
      return this.following;
    }
    this.running = this.runOnce(options.forcePush ?? true).finally(() => {
      this.running = null;
    });
    await this.running;
    return this.status();
  }

  private async runOnce(forcePush: boolean): Promise<void> {
    try {
      if (!this.client.signedIn) {
        // signed in on this desk only (or not at all): sign what was decided, and learn whether the server is back
        if (this.client.identity) await signOwnPendingCommands(this.db, this.client.identity);
        await this.client.health();
        this.online = true;
        this.lastError = 'SESSION_EXPIRED';
        return;
      }
      if (this.client.tokenDueForRefresh(this.now())) await this.refreshToken();
      await this.steps.push(forcePush);
      await this.steps.pull();
      this.online = true;
      this.lastError = null;
      await writeMeta(this.db, 'last_sync_at', this.now().toISOString());
    } catch (error) {
      if (error instanceof AppFailure) {
        this.online = error.code !== 'SERVER_UNREACHABLE';
        this.lastError = error.code;
      } else {
        this.log.error('sync.failed', error, { forcePush });
        this.lastError = 'INTERNAL';
      }
    }
  }

  /** A token near its end is exchanged; a server that will not (an older one) keeps the old until it expires. */
  private async refreshToken(): Promise<void> {
    try {
      await this.client.refresh();
    } catch (error) {
      if (!(error instanceof AppFailure) || error.code !== 'SERVER_ERROR') throw error;
    }
  }

  async status(): Promise<SyncStatus> {
    const outbox = await outboxSummary(this.db);
    return {
      online: this.online,
      restoredFromBackupAt: null,
      needsSignIn: !this.client.signedIn,
      lastSyncAt: await readMeta(this.db, 'last_sync_at'),
      lastError: this.lastError,
      pendingCommands: outbox.pending.length,
      waitingForOfficials: await this.waitingForOfficials(outbox.pending),
      quarantinedCommands: outbox.quarantined,
      rejectedCommands: outbox.rejected,
    };
  }

  /** Pending decisions of other officials that the signed-in one may not deliver, by author. */
  private async waitingForOfficials(rows: Array<{ id: string; command: string }>): Promise<Array<{ name: string; count: number }>> {
    const identity = this.client.identity;
    if (!identity) return [];
    const counts = new Map<string, number>();
    for (const row of rows) {
      const command = parseStored(row.command);
      if (!command || deliverableBy(command, identity, this.now())) continue;
      const name = command.decidedBy?.fullName ?? (await provisionalActor(this.db, row.id))?.name ?? '?';
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return [...counts].map(([name, count]) => ({ name, count }));
  }
}
