import type { Kysely } from 'kysely';
import { AppFailure } from '../../shared/result';
import { readFile } from 'node:fs/promises';
import type { CommandResult, PullResponse, TransitionCommand } from '../../shared/sync-protocol';
import { outboxCommandSchema, type IssueOutboxCommand } from './outbox-command';
import type { SyncStatus } from '../../shared/contract';
import type { CacheDatabase } from '../../db/cache-database';
import { holidaySet, readMeta, writeMeta, type CacheDbOrTrx } from './cache-reads';
import { deadlineDate } from './deadline';
import type { ServerClient } from './server-client';

const MAX_BACKOFF_MS = 60_000;
const PUSH_BATCH = 50;

export type PushOutcome = { status: 'accepted' } | { status: 'rejected'; code: string; message: string } | { status: 'pending' };

/**
 * Keeps the cache in step with the office server: pushes the outbox (each command once, by
 * its id; the server ignores repeats) and pulls what changed since the last cursor. Each pulled
 * page and each command's outcome is written in one transaction.
 */
export class SyncService {
  private online = false;
  private lastError: string | null = null;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Kysely<CacheDatabase>,
    private readonly client: ServerClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  startTimer(intervalMs: number): void {
    this.stopTimer();
    this.timer = setInterval(() => {
      if (this.client.signedIn) void this.syncNow().catch(() => undefined);
    }, intervalMs);
    this.timer.unref();
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Push then pull; concurrent callers share one run. Network trouble is recorded, not thrown. */
  async syncNow(options: { forcePush?: boolean } = {}): Promise<SyncStatus> {
    if (!this.running) {
      this.running = this.runOnce(options.forcePush ?? true).finally(() => {
        this.running = null;
      });
    }
    await this.running;
    return this.status();
  }

  private async runOnce(forcePush: boolean): Promise<void> {
    try {
      await this.pushOutbox(forcePush);
      await this.pullAll();
      this.online = true;
      this.lastError = null;
      await writeMeta(this.db, 'last_sync_at', this.now().toISOString());
    } catch (error) {
      if (!(error instanceof AppFailure)) throw error;
      this.online = error.code !== 'SERVER_UNREACHABLE';
      this.lastError = error.code;
    }
  }

  async status(): Promise<SyncStatus> {
    const pending = await this.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
    const rejected = await this.db
      .selectFrom('outbox')
      .innerJoin('applications', 'applications.id', 'outbox.application_id')
      .select(['outbox.id', 'outbox.application_id', 'outbox.command', 'outbox.result_code', 'outbox.result_message', 'applications.registration_number'])
      .where('outbox.status', '=', 'rejected')
      .orderBy('outbox.created_at', 'desc')
      .limit(20)
      .execute();
    return {
      online: this.online,
      lastSyncAt: await readMeta(this.db, 'last_sync_at'),
      lastError: this.lastError,
      pendingCommands: Number(pending.n),
      rejectedCommands: rejected.map((r) => ({
        commandId: r.id,
        applicationId: r.application_id,
        registrationNumber: r.registration_number,
        action: (JSON.parse(r.command) as { action: string }).action,
        code: r.result_code ?? '',
        message: r.result_message ?? '',
      })),
    };
  }

  /**
   * Sends pending commands in the order they were made. `force` ignores the backoff (the
   * official pressed "sync" or just decided); the timer respects it.
   */
  async pushOutbox(force: boolean): Promise<Map<string, PushOutcome>> {
    const outcomes = new Map<string, PushOutcome>();
    for (;;) {
      let query = this.db.selectFrom('outbox').selectAll().where('status', '=', 'pending').orderBy('created_at').orderBy('id').limit(PUSH_BATCH);
      if (!force) query = query.where('next_attempt_at', '<=', this.now().toISOString());
      const batch = await query.execute();
      const fresh = batch.filter((row) => !outcomes.has(row.id));
      if (fresh.length === 0) return outcomes;
      const commands = fresh.map((row) => outboxCommandSchema.parse(JSON.parse(row.command)));
      const transitions = commands.filter((c): c is TransitionCommand => c.type === 'transition');
      const issues = commands.filter((c): c is IssueOutboxCommand => c.type === 'issue');
      const results: CommandResult[] = [];
      try {
        if (transitions.length) results.push(...(await this.client.push(transitions)).results);
        for (const issue of issues) results.push(await this.deliverIssue(issue));
      } catch (error) {
        const answered = new Set(results.map((r) => r.id));
        await this.recordFailedAttempt(fresh.filter((r) => !answered.has(r.id)).map((r) => ({ id: r.id, attempts: r.attempts })));
        await this.applyResults(fresh.filter((r) => answered.has(r.id)), results, outcomes);
        throw error;
      }
      await this.applyResults(fresh, results, outcomes);
    }
  }

  private async deliverIssue(command: IssueOutboxCommand): Promise<CommandResult> {
    let pdf: Buffer;
    try {
      pdf = await readFile(command.filePath);
    } catch {
      return { id: command.id, status: 'rejected', code: 'NOT_FOUND', message: `signed file ${command.filePath} is missing on this computer` };
    }
    return this.client.issue({
      commandId: command.id,
      applicationId: command.applicationId,
      expectedStage: command.expectedStage,
      signedAt: command.signedAt,
      sha256: command.sha256,
      pdfBase64: pdf.toString('base64'),
    });
  }

  private async applyResults(rows: Array<{ id: string; application_id: string; attempts: number }>, results: CommandResult[], outcomes: Map<string, PushOutcome>) {
    for (const row of rows) {
      const result = results.find((r) => r.id === row.id);
      if (!result) {
        outcomes.set(row.id, { status: 'pending' });
        continue;
      }
      await this.db.transaction().execute(async (trx) => {
        if (result.status === 'accepted') {
          await trx.updateTable('outbox').set({ status: 'delivered', attempts: row.attempts + 1 }).where('id', '=', row.id).execute();
          // The server's own event replaces the provisional one on the next pull.
        } else {
          await trx
            .updateTable('outbox')
            .set({ status: 'rejected', attempts: row.attempts + 1, result_code: result.code, result_message: result.message })
            .where('id', '=', row.id)
            .execute();
          await trx.deleteFrom('events').where('id', '=', provisionalEventId(row.id)).execute();
          await revertToServerStage(trx, row.application_id);
        }
      });
      outcomes.set(row.id, result.status === 'accepted' ? { status: 'accepted' } : { status: 'rejected', code: result.code, message: result.message });
    }
  }

  private async recordFailedAttempt(rows: Array<{ id: string; attempts: number }>) {
    await this.db.transaction().execute(async (trx) => {
      for (const row of rows) {
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** row.attempts);
        await trx
          .updateTable('outbox')
          .set({ attempts: row.attempts + 1, next_attempt_at: new Date(this.now().getTime() + delay).toISOString() })
          .where('id', '=', row.id)
          .execute();
      }
    });
  }

  async pullAll(): Promise<number> {
    let applied = 0;
    for (;;) {
      const since = Number((await readMeta(this.db, 'cursor')) ?? '0');
      const page = await this.client.pull(since);
      await this.db.transaction().execute((trx) => applyPulledPage(trx, page));
      applied += page.applications.length;
      if (!page.hasMore) return applied;
    }
  }
}

export function provisionalEventId(commandId: string): string {
  return `local-${commandId}`;
}

async function revertToServerStage(trx: CacheDbOrTrx, applicationId: string) {
  const row = await trx.selectFrom('applications').select('server_stage').where('id', '=', applicationId).executeTakeFirst();
  if (row) await trx.updateTable('applications').set({ stage: row.server_stage }).where('id', '=', applicationId).execute();
}

export async function applyPulledPage(trx: CacheDbOrTrx, page: PullResponse): Promise<void> {
  await writeMeta(trx, 'office', JSON.stringify(page.office));
  const holidays = holidaySet(page.office);
  for (const workflow of page.workflows) {
    const definition = JSON.stringify(workflow);
    await trx.insertInto('workflows').values({ id: workflow.id, definition }).onConflict((oc) => oc.column('id').doUpdateSet({ definition })).execute();
  }
  for (const type of page.permitTypes) {
    const definition = JSON.stringify(type);
    await trx.insertInto('permit_types').values({ id: type.id, definition }).onConflict((oc) => oc.column('id').doUpdateSet({ definition })).execute();
  }
  for (const item of page.applications) {
    const app = item.application;
    const pending = await trx.selectFrom('outbox').select('id').where('application_id', '=', app.id).where('status', '=', 'pending').executeTakeFirst();
    const existing = await trx.selectFrom('applications').select('stage').where('id', '=', app.id).executeTakeFirst();
    const permitType = page.permitTypes.find((t) => t.id === app.permitTypeId);
    const values = {
      deadline_date: app.completeAt && permitType ? deadlineDate(app.completeAt, permitType.slaWorkingDays, page.office, holidays) : null,
      registration_number: app.registrationNumber,
      permit_type_id: app.permitTypeId,
      workflow_id: app.workflowId,
      stage: pending && existing ? existing.stage : app.stage,
      server_stage: app.stage,
      applicant_name: app.applicant.fullName,
      nik: app.applicant.nik,
      submitted_at: app.submittedAt,
      complete_at: app.completeAt,
      data: JSON.stringify(app),
      change_seq: item.changeSeq,
    };
    await trx.insertInto('applications').values({ id: app.id, ...values }).onConflict((oc) => oc.column('id').doUpdateSet(values)).execute();
    await trx.deleteFrom('events').where('application_id', '=', app.id).where('pending', '=', 0).execute();
    for (const event of item.events) {
      await trx.insertInto('events').values({ id: event.id, application_id: app.id, at: event.at, data: JSON.stringify(event), pending: 0 }).execute();
      if (event.commandId) await trx.deleteFrom('events').where('id', '=', provisionalEventId(event.commandId)).execute();
    }
    for (const doc of item.documents) {
      const meta = { application_id: doc.applicationId, kind: doc.kind, file_name: doc.fileName, mime_type: doc.mimeType, size_bytes: doc.sizeBytes, sha256: doc.sha256 };
      const cached = await trx.selectFrom('documents').select('sha256').where('id', '=', doc.id).executeTakeFirst();
      if (!cached) await trx.insertInto('documents').values({ id: doc.id, ...meta, content: null }).execute();
      else if (cached.sha256 !== doc.sha256) await trx.updateTable('documents').set({ ...meta, content: null }).where('id', '=', doc.id).execute();
    }
    for (const ref of item.references) {
      const data = JSON.stringify(ref);
      await trx
        .insertInto('reference_records')
        .values({ nik: ref.nik, source: ref.source, data })
        .onConflict((oc) => oc.columns(['nik', 'source']).doUpdateSet({ data }))
        .execute();
    }
  }
  await writeMeta(trx, 'cursor', String(page.cursor));
}
