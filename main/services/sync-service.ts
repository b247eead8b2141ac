import type { Kysely } from 'kysely';
import { AppFailure } from '../../shared/result';
import { readFile } from 'node:fs/promises';
import type { CommandResult, PullResponse, TransitionCommand } from '../../shared/sync-protocol';
import { outboxCommandSchema, type IssueOutboxCommand } from './outbox-command';
import type { SyncStatus } from '../../shared/contract';
import type { CacheDatabase } from '../../db/cache-database';
import { holidaySet, readMeta, writeMeta, type CacheDbOrTrx } from './cache-reads';
import { NO_DEADLINE, deadlineDate } from './deadline';
import type { ServerClient } from './server-client';

const MAX_BACKOFF_MS = 60_000;
const PUSH_BATCH = 50;
const PULL_PAGE = 1000;

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
    this.timer = setInterval(() => void this.syncNow({ forcePush: false }).catch(() => undefined), intervalMs);
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
      if (!this.client.signedIn) {
        // signed in on this desk only (or not at all): just learn whether the server is back
        await this.client.health();
        this.online = true;
        this.lastError = 'SESSION_EXPIRED';
        return;
      }
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
      needsSignIn: !this.client.signedIn,
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
      const page = await this.client.pull(since, PULL_PAGE);
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

const CHUNK = 150;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** One pulled page, written in bulk: a page of 500 files is a handful of statements, not thousands. */
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
  const permitTypes = new Map(page.permitTypes.map((t) => [t.id, t]));
  for (const items of chunks(page.applications)) {
    const ids = items.map((i) => i.application.id);
    const pending = new Set((await trx.selectFrom('outbox').select('application_id').where('status', '=', 'pending').where('application_id', 'in', ids).execute()).map((r) => r.application_id));
    const localStage = new Map((await trx.selectFrom('applications').select(['id', 'stage']).where('id', 'in', ids).execute()).map((r) => [r.id, r.stage]));
    await trx
      .insertInto('applications')
      .values(
        items.map(({ application: app, changeSeq }) => {
          const permitType = permitTypes.get(app.permitTypeId);
          return {
            id: app.id,
            registration_number: app.registrationNumber,
            permit_type_id: app.permitTypeId,
            workflow_id: app.workflowId,
            stage: pending.has(app.id) && localStage.has(app.id) ? localStage.get(app.id)! : app.stage,
            server_stage: app.stage,
            applicant_name: app.applicant.fullName,
            nik: app.applicant.nik,
            submitted_at: app.submittedAt,
            complete_at: app.completeAt,
            deadline_date: app.completeAt && permitType ? deadlineDate(app.completeAt, permitType.slaWorkingDays, page.office, holidays) : NO_DEADLINE,
            data: JSON.stringify(app),
            change_seq: changeSeq,
          };
        }),
      )
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          registration_number: eb.ref('excluded.registration_number'),
          permit_type_id: eb.ref('excluded.permit_type_id'),
          workflow_id: eb.ref('excluded.workflow_id'),
          stage: eb.ref('excluded.stage'),
          server_stage: eb.ref('excluded.server_stage'),
          applicant_name: eb.ref('excluded.applicant_name'),
          nik: eb.ref('excluded.nik'),
          submitted_at: eb.ref('excluded.submitted_at'),
          complete_at: eb.ref('excluded.complete_at'),
          deadline_date: eb.ref('excluded.deadline_date'),
          data: eb.ref('excluded.data'),
          change_seq: eb.ref('excluded.change_seq'),
        })),
      )
      .execute();

    await trx.deleteFrom('events').where('application_id', 'in', ids).where('pending', '=', 0).execute();
    const events = items.flatMap((i) => i.events);
    for (const part of chunks(events)) {
      await trx.insertInto('events').values(part.map((e) => ({ id: e.id, application_id: e.applicationId, at: e.at, data: JSON.stringify(e), pending: 0 }))).execute();
    }
    const confirmed = events.filter((e) => e.commandId).map((e) => provisionalEventId(e.commandId!));
    for (const part of chunks(confirmed)) await trx.deleteFrom('events').where('id', 'in', part).execute();

    const documents = items.flatMap((i) => i.documents);
    const cached = new Map(
      documents.length ? (await trx.selectFrom('documents').select(['id', 'sha256']).where('id', 'in', documents.map((d) => d.id)).execute()).map((r) => [r.id, r.sha256]) : [],
    );
    const fresh = documents.filter((d) => !cached.has(d.id));
    for (const part of chunks(fresh)) {
      await trx
        .insertInto('documents')
        .values(part.map((d) => ({ id: d.id, application_id: d.applicationId, kind: d.kind, file_name: d.fileName, mime_type: d.mimeType, size_bytes: d.sizeBytes, sha256: d.sha256, content: null })))
        .execute();
    }
    for (const doc of documents.filter((d) => cached.has(d.id) && cached.get(d.id) !== d.sha256)) {
      await trx
        .updateTable('documents')
        .set({ application_id: doc.applicationId, kind: doc.kind, file_name: doc.fileName, mime_type: doc.mimeType, size_bytes: doc.sizeBytes, sha256: doc.sha256, content: null })
        .where('id', '=', doc.id)
        .execute();
    }

    const references = items.flatMap((i) => i.references);
    for (const part of chunks(references)) {
      await trx
        .insertInto('reference_records')
        .values(part.map((ref) => ({ nik: ref.nik, source: ref.source, data: JSON.stringify(ref) })))
        .onConflict((oc) => oc.columns(['nik', 'source']).doUpdateSet((eb) => ({ data: eb.ref('excluded.data') })))
        .execute();
    }
  }
  await writeMeta(trx, 'cursor', String(page.cursor));
}
