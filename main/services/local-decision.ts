import type { ApplicationEvent } from '../../shared/domain';
import { AppFailure } from '../../shared/result';
import type { User } from '../../shared/sync-protocol';
import type { CacheDbOrTrx } from './cache-reads';
import type { ComplaintCommand } from '../../shared/complaint-rules';
import { complaintOutboxKey, outboxCommandSchema, type OutboxCommand } from './outbox-command';
import { enqueueCommands, provisionalEventId } from './outbox';

export interface LocalDecision {
  command: OutboxCommand;
  actor: User;
  fromStage: string;
  toStage: string;
  reason: string | null;
  at: string;
  evidence: ApplicationEvent['evidence'];
}

/**
 * What a decision changes on the desk, inside the caller's transaction: the command joins the
 * outbox, the file moves to its new stage, and the kartu kendali gets a provisional line that
 * the server's own event replaces once the command is accepted. The command is kept with the
 * official who decided (it waits for them and is never sent as another's) and within the
 * protocol's limits (a command the server would refuse for its size is refused here, at once).
 * The sync signs it with the official's session key before it is sent.
 */
export async function writeLocalDecision(trx: CacheDbOrTrx, decision: LocalDecision): Promise<void> {
  await writeLocalDecisions(trx, [decision]);
}

/**
 * Several decisions at once (a signing batch's group), each exactly as writeLocalDecision
 * writes it, in three statements instead of three per decision. All are checked before any
 * is written: one command outside the protocol refuses them all.
 */
export async function writeLocalDecisions(trx: CacheDbOrTrx, decisions: LocalDecision[]): Promise<void> {
  if (decisions.length === 0) return;
  const rows = decisions.map((decision) => {
    const { actor, at } = decision;
    const parsed = outboxCommandSchema.safeParse({
      ...decision.command,
      decidedBy: { userId: actor.id, fullName: actor.fullName, role: actor.role },
      signature: null,
    });
    if (!parsed.success) throw new AppFailure('INVALID_INPUT', `the decision exceeds the protocol's limits: ${parsed.error.issues[0]?.message ?? ''}`);
    const command = parsed.data;
    const event: ApplicationEvent = {
      id: provisionalEventId(command.id),
      applicationId: command.applicationId,
      commandId: command.id,
      actorName: actor.fullName,
      actorRole: actor.role,
      action: command.action,
      fromStage: decision.fromStage,
      toStage: decision.toStage,
      reason: decision.reason,
      at,
      evidence: decision.evidence,
    };
    return { command, event, at, toStage: decision.toStage };
  });
  await enqueueCommands(trx, rows);
  for (const toStage of new Set(rows.map((r) => r.toStage))) {
    const ids = rows.filter((r) => r.toStage === toStage).map((r) => r.command.applicationId);
    await trx.updateTable('applications').set({ stage: toStage }).where('id', 'in', ids).execute();
  }
  await trx.insertInto('events').values(rows.map(({ command, event, at }) => ({ id: event.id, application_id: command.applicationId, at, data: JSON.stringify(event), pending: 1 }))).execute();
}

/**
 * A Buku Pengaduan step taken on this desk, inside the caller's transaction: the command joins
 * the outbox (and so the encrypted outbox journal) with the official who took it; the sync
 * delivers it to the complaint route. Nothing else changes locally: the complaint list shows
 * the pending command from the outbox until the server's answer replaces it.
 */
export async function writeLocalComplaint(trx: CacheDbOrTrx, entry: { command: ComplaintCommand; actor: User; at: string }): Promise<void> {
  const { command, actor, at } = entry;
  const parsed = outboxCommandSchema.safeParse({
    id: command.id,
    type: 'complaint',
    applicationId: complaintOutboxKey(command),
    action: command.action,
    recordedAt: at,
    command,
    decidedBy: { userId: actor.id, fullName: actor.fullName, role: actor.role },
    signature: null,
  });
  if (!parsed.success) throw new AppFailure('INVALID_INPUT', `the complaint command exceeds the protocol's limits: ${parsed.error.issues[0]?.message ?? ''}`);
  await enqueueCommands(trx, [{ command: parsed.data, at }]);
}
