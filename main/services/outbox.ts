import type { Kysely, Selectable } from 'kysely';
import type { CommandResult } from '../../shared/sync-protocol';
import type { CacheDatabase, OutboxTable } from '../../db/cache-database';
import type { CacheDbOrTrx } from './cache-reads';
import { complaintOutboxCommandSchema, outboxCommandSchema, signCommand, type ComplaintOutboxCommand, type StoredCommand } from './outbox-command';
import type { DeskIdentity } from './server-client';
import { holdsNulCharacter } from '../../shared/nul-character';

/**
 * The cache's outbox table: the desk's own decisions and complaint steps waiting for the office
 * server, each with its status. This module is the only code that reads or writes it; the push
 * (outbox-push.ts), the pull writer, the decisions written on the desk and the screens that
 * show "pending" all come through here.
 */

const MAX_BACKOFF_MS = 60_000;

export type OutboxRow = Selectable<OutboxTable>;

export type PushOutcome = { status: 'accepted' } | { status: 'rejected'; code: string; message: string } | { status: 'pending' };

/** A pending row with its command read back and validated. */
export interface Sendable {
  row: OutboxRow;
  command: StoredCommand;
}

/** The kartu kendali line a pending decision shows until the server's own event replaces it. */
export function provisionalEventId(commandId: string): string {
  return `local-${commandId}`;
}

/** Adds commands, each pending and due at once, inside the caller's transaction. */
export async function enqueueCommands(trx: CacheDbOrTrx, commands: Array<{ command: StoredCommand; at: string }>): Promise<void> {
  if (commands.length === 0) return;
  await trx
    .insertInto('outbox')
    .values(
      commands.map(({ command, at }) => ({
        id: command.id,
        application_id: command.applicationId,
        command: JSON.stringify(command),
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: at,
        created_at: at,
        result_code: null,
        result_message: null,
      })),
    )
    .execute();
}

export async function hasPendingCommand(db: CacheDbOrTrx, applicationId: string): Promise<boolean> {
  const row = await db.selectFrom('outbox').select('id').where('application_id', '=', applicationId).where('status', '=', 'pending').executeTakeFirst();
  return row !== undefined;
}

/** Of these files, those with a decision still waiting to be delivered. */
export async function pendingApplicationIds(db: CacheDbOrTrx, applicationIds: string[]): Promise<Set<string>> {
  if (applicationIds.length === 0) return new Set();
  const rows = await db.selectFrom('outbox').select('application_id').where('status', '=', 'pending').where('application_id', 'in', applicationIds).execute();
  return new Set(rows.map((r) => r.application_id));
}

export function parseStored(text: string): StoredCommand | null {
  try {
    const parsed = outboxCommandSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** What the sync status says of the outbox: pending commands in order, the quarantined count, the latest refusals. */
export async function outboxSummary(db: CacheDbOrTrx) {
  const pending = await db.selectFrom('outbox').select(['id', 'command']).where('status', '=', 'pending').orderBy('created_at').execute();
  const quarantined = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'quarantined').executeTakeFirstOrThrow();
  const rejected = await db
    .selectFrom('outbox')
    .innerJoin('applications', 'applications.id', 'outbox.application_id')
    .select(['outbox.id', 'outbox.application_id', 'outbox.command', 'outbox.result_code', 'outbox.result_message', 'applications.registration_number'])
    .where('outbox.status', '=', 'rejected')
    .orderBy('outbox.created_at', 'desc')
    .limit(20)
    .execute();
  return {
    pending,
    quarantined: Number(quarantined.n),
    rejected: rejected.map((r) => ({
      commandId: r.id,
      applicationId: r.application_id,
      registrationNumber: r.registration_number,
      action: parseStored(r.command)?.action ?? '',
      code: r.result_code ?? '',
      message: r.result_message ?? '',
    })),
  };
}

/**
 * The Buku Pengaduan's commands waiting (recorded on this desk, not yet delivered) and the
 * latest the server refused, with its reason.
 */
export async function complaintCommands(db: CacheDbOrTrx) {
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'command', 'status', 'result_code', 'result_message', 'created_at'])
    .where((eb) => eb.or([eb('application_id', 'like', 'complaint:%'), eb('application_id', 'like', 'complaint-report:%')]))
    .where('status', 'in', ['pending', 'rejected'])
    .orderBy('created_at')
    .execute();
  const pending: ComplaintOutboxCommand[] = [];
  const rejected: Array<{ commandId: string; kind: 'complaint' | 'report'; action: string; subject: string; code: string; message: string; at: string }> = [];
  for (const row of rows) {
    const parsed = complaintOutboxCommandSchema.safeParse(safeJson(row.command));
    if (!parsed.success) continue;
    const c = parsed.data;
    if (row.status === 'pending') pending.push(c);
    else
      rejected.push({
        commandId: c.id,
        kind: c.command.kind,
        action: c.command.action,
        subject: c.command.kind === 'complaint' ? (c.command.complaint?.complainantName ?? c.command.complaintId) : c.command.month,
        code: row.result_code ?? '',
        message: row.result_message ?? '',
        at: row.created_at,
      });
  }
  return { pending, rejected: rejected.reverse().slice(0, 20) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** One page of pending rows in the order they were made, after `after`; `dueBy` leaves out those still backing off. */
export async function pendingPage(db: CacheDbOrTrx, options: { after: { createdAt: string; id: string } | null; dueBy: string | null; limit: number }): Promise<OutboxRow[]> {
  let query = db.selectFrom('outbox').selectAll().where('status', '=', 'pending').orderBy('created_at').orderBy('id').limit(options.limit);
  if (options.dueBy !== null) query = query.where('next_attempt_at', '<=', options.dueBy);
  if (options.after) {
    const { createdAt, id } = options.after;
    query = query.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
  }
  return query.execute();
}

/**
 * A pending row's command, or null after setting aside a row too damaged to send: reported in
 * the sync status, never retried; the file shows again where the server has it.
 */
export async function readStoredOrQuarantine(db: Kysely<CacheDatabase>, row: OutboxRow): Promise<StoredCommand | null> {
  const command = parseStored(row.command);
  // a NUL character (queued before the desk refused them) the server refuses whole: set it aside
  if (command && command.id === row.id && command.applicationId === row.application_id && !holdsNulCharacter(command)) return command;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('outbox')
      .set({ status: 'quarantined', result_code: 'QUARANTINED', result_message: 'the stored command is damaged or outside the protocol: set aside, not sent' })
      .where('id', '=', row.id)
      .execute();
    // the file shows again where the server has it, so the decision can be made anew
    await withdrawProvisional(trx, row);
  });
  return null;
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

/** Who made a decision from before authorship, as its provisional kartu-kendali line says. */
export async function provisionalActor(db: CacheDbOrTrx, commandId: string): Promise<{ name: string; role: string | null } | null> {
  const row = await db.selectFrom('events').select('data').where('id', '=', provisionalEventId(commandId)).executeTakeFirst();
  if (!row) return null;
  try {
    const event = JSON.parse(row.data) as { actorName?: unknown; actorRole?: unknown };
    return typeof event.actorName === 'string' ? { name: event.actorName, role: typeof event.actorRole === 'string' ? event.actorRole : null } : null;
  } catch {
    return null;
  }
}

/** One request's answers, recorded in one transaction; a command the server did not answer stays pending. */
export async function recordResults(db: Kysely<CacheDatabase>, items: Sendable[], results: CommandResult[]): Promise<Array<[string, PushOutcome]>> {
  const answers = new Map(results.map((r) => [r.id, r]));
  const recorded: Array<[string, PushOutcome]> = [];
  await db.transaction().execute(async (trx) => {
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
        await withdrawProvisional(trx, row);
        recorded.push([row.id, { status: 'rejected', code: result.code, message: result.message }]);
      }
    }
  });
  return recorded;
}

/** A request that failed (network, server error): each row waits longer before the timer tries it again. */
export async function recordFailedAttempt(db: Kysely<CacheDatabase>, rows: Array<{ id: string; attempts: number }>, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const row of rows) {
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** row.attempts);
      await trx
        .updateTable('outbox')
        .set({ attempts: row.attempts + 1, next_attempt_at: new Date(now.getTime() + delay).toISOString() })
        .where('id', '=', row.id)
        .execute();
    }
  });
}

/** A command that will not be delivered: its provisional line goes and the file returns to the server's stage. */
async function withdrawProvisional(trx: CacheDbOrTrx, row: Pick<OutboxRow, 'id' | 'application_id'>): Promise<void> {
  await trx.deleteFrom('events').where('id', '=', provisionalEventId(row.id)).execute();
  const application = await trx.selectFrom('applications').select('server_stage').where('id', '=', row.application_id).executeTakeFirst();
  if (application) await trx.updateTable('applications').set({ stage: application.server_stage }).where('id', '=', row.application_id).execute();
}
