import type { Kysely, Selectable } from 'kysely';
import { readFile } from 'node:fs/promises';
import { AppFailure } from '../../shared/result';
import { COMMAND_LIMITS, type CommandResult, type IssueRequest, type PullResponse, type TransitionCommand } from '../../shared/sync-protocol';
import { ISSUE_BATCH_LIMITS } from '../../shared/issue-batch-protocol';
import { outboxCommandSchema, signCommand, wireComplaint, wireIssue, wireTransition, type StoredCommand } from './outbox-command';
import type { SyncStatus } from '../../shared/contract';
import type { CacheDatabase, OutboxTable } from '../../db/cache-database';
import { holidaySet, readMeta, writeMeta, type CacheDbOrTrx } from './cache-reads';
import { NO_DEADLINE, deadlineDate } from './deadline';
import type { DeskIdentity, ServerClient } from './server-client';

const MAX_BACKOFF_MS = 60_000;
/** a signed permit's fields besides its PDF, generously, in a bulk request's JSON */
const ISSUE_FIELDS_BYTES = 2048;
/** one bulk request of signed permits stays under the server's body limit */
const ISSUE_BATCH_BODY_BUDGET = ISSUE_BATCH_LIMITS.bodyBytes - 64 * 1024;
const PULL_PAGE = 1000;
/** pages one sync pulls at most (200,000 files); what is left comes with the next sync */
const MAX_PULL_PAGES = 200;
/** outbox rows looked at per round */
const OUTBOX_PAGE = 200;
/** one push request stays well under the server's body limit */
const PUSH_BODY_BUDGET = COMMAND_LIMITS.pushBodyBytes / 2;
/**
 * An outbox row too damaged to send (unreadable JSON, or outside the protocol): set aside,
 * reported in the sync status, never retried; the rest still go. The cache's status column is
 * text; its type in db/cache-database.ts does not list this value yet.
 */
export const QUARANTINED = 'quarantined' as string as OutboxTable['status'];

type OutboxRow = Selectable<OutboxTable>;
type Sendable = { row: OutboxRow; command: StoredCommand };

export type PushOutcome = { status: 'accepted' } | { status: 'rejected'; code: string; message: string } | { status: 'pending' };

/**
 * Keeps the cache in step with the office server: pushes the outbox (each command once, by
 * its id; the server ignores repeats) and pulls what changed since the last cursor. Each pulled
 * page and each command's outcome is written in one transaction.
 *
 * Each decision goes out under the name of the official who made it: the signed-in official's
 * own, signed with their session key, and a colleague's only when they share the role and the
 * colleague's signature is still valid. Any other waits for its author to sign in again, and
 * the status says so.
 */
export class SyncService {
  private online = false;
  private lastError: string | null = null;
  private running: Promise<void> | null = null;
  /** the one sync that follows the running one, for callers who came after it had started */
  private following: Promise<SyncStatus> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** whether the server has POST /permits/issue-batch; learnt at the first 404 */
  private bulkIssue = true;

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

  /** Push then pull; callers while a run is under way share the one run after it. Network trouble is recorded, not thrown. */
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

  /** A token near its end is exchanged; a server that will not (an older one) keeps the old until it expires. */
  private async refreshToken(): Promise<void> {
    try {
      await this.client.refresh();
    } catch (error) {
      if (!(error instanceof AppFailure) || error.code !== 'SERVER_ERROR') throw error;
    }
  }

  async status(): Promise<SyncStatus> {
    const pendingRows = await this.db.selectFrom('outbox').select(['id', 'command']).where('status', '=', 'pending').orderBy('created_at').execute();
    const quarantined = await this.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', QUARANTINED).executeTakeFirstOrThrow();
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
      restoredFromBackupAt: null,
      needsSignIn: !this.client.signedIn,
      lastSyncAt: await readMeta(this.db, 'last_sync_at'),
      lastError: this.lastError,
      pendingCommands: pendingRows.length,
      waitingForOfficials: await this.waitingForOfficials(pendingRows),
      quarantinedCommands: Number(quarantined.n),
      rejectedCommands: rejected.map((r) => ({
        commandId: r.id,
        applicationId: r.application_id,
        registrationNumber: r.registration_number,
        action: parseStored(r.command)?.action ?? '',
        code: r.result_code ?? '',
        message: r.result_message ?? '',
      })),
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

  /**
   * Sends pending commands in the order they were made, those the signed-in official may
   * deliver (deliverableBy); the others wait. `force` ignores the backoff (the official pressed
   * "sync" or just decided); the timer respects it.
   */
  async pushOutbox(force: boolean): Promise<Map<string, PushOutcome>> {
    const outcomes = new Map<string, PushOutcome>();
    const identity = this.client.identity;
    if (identity) await signOwnPendingCommands(this.db, identity);
    let after: { createdAt: string; id: string } | null = null;
    for (;;) {
      let query = this.db.selectFrom('outbox').selectAll().where('status', '=', 'pending').orderBy('created_at').orderBy('id').limit(OUTBOX_PAGE);
      if (!force) query = query.where('next_attempt_at', '<=', this.now().toISOString());
      if (after) {
        const { createdAt, id } = after;
        query = query.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
      }
      const rows = await query.execute();
      if (rows.length === 0) return outcomes;
      after = { createdAt: rows.at(-1)!.created_at, id: rows.at(-1)!.id };
      const sendable: Sendable[] = [];
      for (const row of rows) {
        const command = await readStoredOrQuarantine(this.db, row);
        if (!command) continue;
        if (identity && deliverableBy(command, identity, this.now())) sendable.push({ row, command });
        else outcomes.set(row.id, { status: 'pending' });
      }
      await this.deliver(sendable, outcomes);
      if (rows.length < OUTBOX_PAGE) return outcomes;
    }
  }

  private async deliver(items: Sendable[], outcomes: Map<string, PushOutcome>): Promise<void> {
    const transitions = items.filter((i) => i.command.type === 'transition');
    for (const batch of pushBatches(transitions)) {
      await this.send(batch.map((b) => b.item), async () => (await this.client.push(batch.map((b) => b.wire))).results, outcomes);
    }
    await this.deliverIssues(items.filter((i) => i.command.type === 'issue'), outcomes);
    for (const item of items.filter((i) => i.command.type === 'complaint')) {
      await this.send([item], async () => [await this.client.complaint(wireComplaint(item.command as Extract<StoredCommand, { type: 'complaint' }>))], outcomes);
    }
  }

  private async send(items: Sendable[], call: () => Promise<CommandResult[]>, outcomes: Map<string, PushOutcome>): Promise<void> {
    let results: CommandResult[];
    try {
      results = await call();
    } catch (error) {
      await this.recordFailedAttempt(items.map((i) => i.row));
      throw error;
    }
    await this.applyResults(items, results, outcomes);
  }

  /**
   * Signed permits, several to a request (ISSUE_BATCH_LIMITS: a count and a byte budget), each
   * PDF read from disk when its request is packed. Each request's answers are recorded before the
   * next request goes: a push cut off mid-way keeps what the server answered, and what it did not
   * answer is sent again, which the server answers from its ledger for any id it already applied.
   * A server without the bulk route gets them one request each.
   */
  private async deliverIssues(items: Sendable[], outcomes: Map<string, PushOutcome>): Promise<void> {
    let packed: Array<{ item: Sendable; wire: IssueRequest }> = [];
    let bytes = 0;
    const sendPacked = async () => {
      const requests = packed;
      packed = [];
      bytes = 0;
      if (requests.length > 0) await this.send(requests.map((r) => r.item), () => this.issueAll(requests.map((r) => r.wire)), outcomes);
    };
    for (const item of items) {
      const command = item.command as Extract<StoredCommand, { type: 'issue' }>;
      let pdf: Buffer;
      try {
        pdf = await readFile(command.filePath);
      } catch {
        await this.applyResults([item], [{ id: command.id, status: 'rejected', code: 'NOT_FOUND', message: `signed file ${command.filePath} is missing on this computer` }], outcomes);
        continue;
      }
      const wire = wireIssue(command, pdf);
      const size = wire.pdfBase64.length + ISSUE_FIELDS_BYTES;
      if (packed.length > 0 && (packed.length >= ISSUE_BATCH_LIMITS.permitsPerRequest || bytes + size > ISSUE_BATCH_BODY_BUDGET)) await sendPacked();
      packed.push({ item, wire });
      bytes += size;
    }
    await sendPacked();
  }

  private async issueAll(requests: IssueRequest[]): Promise<CommandResult[]> {
    if (this.bulkIssue) {
      const answer = await this.client.issueBatch(requests);
      if (answer) return answer.results;
      this.bulkIssue = false;
    }
    const results: CommandResult[] = [];
    for (const request of requests) results.push(await this.client.issue(request));
    return results;
  }

  /** One request's answers, recorded in one transaction; a command the server did not answer stays pending. */
  private async applyResults(items: Sendable[], results: CommandResult[], outcomes: Map<string, PushOutcome>) {
    const answers = new Map(results.map((r) => [r.id, r]));
    const recorded: Array<[string, PushOutcome]> = [];
    await this.db.transaction().execute(async (trx) => {
      for (const { row, command } of items) {
        const result = answers.get(row.id);
        if (!result) {
          recorded.push([row.id, { status: 'pending' }]);
        } else if (result.status === 'rejected' && result.code === 'AUTHOR_SESSION_EXPIRED') {
          // not refused for what it says: its author's session ended. It waits, unsigned, until
          // they sign in again and sign it anew; never sent under another name, never dropped.
          await trx
            .updateTable('outbox')
            .set({ command: JSON.stringify({ ...command, signature: null }), attempts: row.attempts + 1 })
            .where('id', '=', row.id)
            .execute();
          recorded.push([row.id, { status: 'pending' }]);
        } else if (result.status === 'accepted') {
          // The server's own event replaces the provisional one on the next pull.
          await trx.updateTable('outbox').set({ status: 'delivered', attempts: row.attempts + 1 }).where('id', '=', row.id).execute();
          recorded.push([row.id, { status: 'accepted' }]);
        } else {
          await trx
            .updateTable('outbox')
            .set({ status: 'rejected', attempts: row.attempts + 1, result_code: result.code, result_message: result.message })
            .where('id', '=', row.id)
            .execute();
          await trx.deleteFrom('events').where('id', '=', provisionalEventId(row.id)).execute();
          await revertToServerStage(trx, row.application_id);
          recorded.push([row.id, { status: 'rejected', code: result.code, message: result.message }]);
        }
      }
    });
    for (const [id, outcome] of recorded) outcomes.set(id, outcome);
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

  /**
   * Pulls page after page while the server says there is more, within bounds: a page that says
   * "more" without moving the cursor is the server's error (asking again would loop forever),
   * and one sync takes at most MAX_PULL_PAGES pages.
   */
  async pullAll(): Promise<number> {
    let applied = 0;
    // Each official is sent only their own work (need-to-know): when another official signs in on
    // this desk, pull their view from the start and forget what the previous one could see.
    const userId = this.client.identity?.user.id ?? null;
    const resync = userId !== null && (await readMeta(this.db, PULLED_FOR_USER)) !== userId;
    if (resync) await writeMeta(this.db, 'cursor', '0');
    const seen = new Set<string>();
    for (let pages = 0; pages < MAX_PULL_PAGES; pages += 1) {
      const since = Number((await readMeta(this.db, 'cursor')) ?? '0');
      const page = await this.client.pull(since, PULL_PAGE);
      if (page.hasMore && page.cursor <= since) {
        throw new AppFailure('SERVER_ERROR', `the server's pull cursor did not advance (since ${since}, answered ${page.cursor} with more to come): stopped rather than ask again forever`);
      }
      await this.db.transaction().execute((trx) => applyPulledPage(trx, page));
      applied += page.applications.length;
      for (const item of page.applications) seen.add(item.application.id);
      if (!page.hasMore) {
        if (resync) {
          await this.db.transaction().execute(async (trx) => {
            const cached = (await trx.selectFrom('applications').select('id').execute()).map((r) => r.id);
            await forgetApplications(trx, cached.filter((id) => !seen.has(id)));
            // an official of another office signed in before: their office's chains and permit types go too
            const workflowIds = page.workflows.map((w) => w.id);
            const permitTypeIds = page.permitTypes.map((t) => t.id);
            if (workflowIds.length > 0) await trx.deleteFrom('workflows').where('id', 'not in', workflowIds).execute();
            if (permitTypeIds.length > 0) await trx.deleteFrom('permit_types').where('id', 'not in', permitTypeIds).execute();
            await writeMeta(trx, PULLED_FOR_USER, userId!);
          });
        }
        return applied;
      }
    }
    return applied;
  }
}

function parseStored(text: string): StoredCommand | null {
  try {
    const parsed = outboxCommandSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A pending row's command, or null after setting aside a row too damaged to send. */
async function readStoredOrQuarantine(db: Kysely<CacheDatabase>, row: OutboxRow): Promise<StoredCommand | null> {
  const command = parseStored(row.command);
  if (command && command.id === row.id && command.applicationId === row.application_id) return command;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('outbox')
      .set({ status: QUARANTINED, result_code: 'QUARANTINED', result_message: 'the stored command is damaged or outside the protocol: set aside, not sent' })
      .where('id', '=', row.id)
      .execute();
    // the file shows again where the server has it, so the decision can be made anew
    await trx.deleteFrom('events').where('id', '=', provisionalEventId(row.id)).execute();
    await revertToServerStage(trx, row.application_id);
  });
  return null;
}

/**
 * Whether the signed-in official may send this command: their own always (signed with their
 * session, or unsigned to a server before authorship); a colleague's only when they share the
 * role and the colleague's signature is valid by what the desk knows of their session.
 */
function deliverableBy(command: StoredCommand, identity: DeskIdentity, now: Date): boolean {
  const by = command.decidedBy;
  if (!by) return false;
  if (by.userId === identity.user.id) return true;
  // a complaint command is booked to whoever delivers it: only its author does
  if (command.type === 'complaint') return false;
  return by.role === identity.user.role && command.signature !== null && command.signature.expiresAt > now.toISOString();
}

/** Who made a decision from before authorship, as its provisional kartu-kendali line says. */
async function provisionalActor(db: CacheDbOrTrx, commandId: string): Promise<{ name: string; role: string | null } | null> {
  const row = await db.selectFrom('events').select('data').where('id', '=', provisionalEventId(commandId)).executeTakeFirst();
  if (!row) return null;
  try {
    const event = JSON.parse(row.data) as { actorName?: unknown; actorRole?: unknown };
    return typeof event.actorName === 'string' ? { name: event.actorName, role: typeof event.actorRole === 'string' ? event.actorRole : null } : null;
  } catch {
    return null;
  }
}

/**
 * Signs the official's own pending decisions with their current session key (a decision made
 * offline, or under an earlier session, is signed anew by its author), so they can be
 * delivered by a colleague of the same role if need be. A decision from before authorship is
 * adopted by the official its provisional kartu-kendali line names. Damaged rows are set aside.
 */
export async function signOwnPendingCommands(db: Kysely<CacheDatabase>, identity: DeskIdentity): Promise<void> {
  const { user, session } = identity;
  const rows = await db.selectFrom('outbox').selectAll().where('status', '=', 'pending').execute();
  for (const row of rows) {
    const command = await readStoredOrQuarantine(db, row);
    if (!command || command.type === 'complaint') continue;
    let signed = command;
    if (!command.decidedBy) {
      const actor = await provisionalActor(db, row.id);
      if (!actor || actor.name !== user.fullName || actor.role !== user.role) continue;
      signed = { ...command, decidedBy: { userId: user.id, fullName: user.fullName, role: user.role } };
    }
    if (signed.decidedBy!.userId !== user.id) continue;
    if (session && signed.signature?.sessionId !== session.id) signed = { ...signed, signature: signCommand(signed, user.id, session) };
    if (signed !== command) {
      await db.updateTable('outbox').set({ command: JSON.stringify(signed) }).where('id', '=', row.id).where('status', '=', 'pending').execute();
    }
  }
}

function* pushBatches(items: Sendable[]): Generator<Array<{ item: Sendable; wire: TransitionCommand }>> {
  let batch: Array<{ item: Sendable; wire: TransitionCommand }> = [];
  let bytes = 0;
  for (const item of items) {
    const wire = wireTransition(item.command as Extract<StoredCommand, { type: 'transition' }>);
    const size = Buffer.byteLength(JSON.stringify(wire));
    if (batch.length > 0 && (batch.length >= COMMAND_LIMITS.commandsPerPush || bytes + size > PUSH_BODY_BUDGET)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push({ item, wire });
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

/** Whose view of the office the cache holds: the official the last full pull was for. */
const PULLED_FOR_USER = 'pulled_for_user';

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
  await forgetApplications(trx, page.removed);
  await writeMeta(trx, 'cursor', String(page.cursor));
}

/**
 * Deletes from the cache files the signed-in official may no longer see (need-to-know): their
 * data, documents, kartu kendali and national records. A file with a decision still waiting in
 * the outbox keeps its row until the decision is delivered, so nothing acknowledged is lost.
 */
export async function forgetApplications(trx: CacheDbOrTrx, ids: string[]): Promise<void> {
  for (const part of chunks(ids)) {
    const pending = new Set((await trx.selectFrom('outbox').select('application_id').where('status', '=', 'pending').where('application_id', 'in', part).execute()).map((r) => r.application_id));
    const gone = part.filter((id) => !pending.has(id));
    if (gone.length === 0) continue;
    const niks = (await trx.selectFrom('applications').select('nik').where('id', 'in', gone).execute()).map((r) => r.nik);
    await trx.deleteFrom('documents').where('application_id', 'in', gone).execute();
    await trx.deleteFrom('events').where('application_id', 'in', gone).execute();
    await trx.deleteFrom('applications').where('id', 'in', gone).execute();
    // a national record stays only while a file the official may see still names its NIK
    if (niks.length > 0) {
      await trx
        .deleteFrom('reference_records')
        .where('nik', 'in', niks)
        .where('nik', 'not in', trx.selectFrom('applications').select('nik').where('nik', 'in', niks))
        .execute();
    }
  }
}
