import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { conformityFindings } from '../../shared/conformity';
import { permitTypeSchema, type Applicant } from '../../shared/domain';
import { transitionContent, type CommandResult, type TransitionCommand } from '../../shared/sync-protocol';
import { commandContentHash } from '../../shared/node/command-mac';
import { calendarDateIn } from '../../shared/working-days';
import { judgeAction, type ActionAttempt, type RuleVerdict } from '../../shared/workflow-rules';
import type { Role } from '../../shared/roles';
import { loadOffice, loadWorkflow, referenceFromRow } from './server-records';
import type { ApplicationTable, ServerDatabase, UserTable } from '../db/server-database';
import { nextChangeSeq } from './change-sequence';
import { Rejection, runCommandOnce } from './command-ledger';
import { resolveAuthor } from './command-authorship';
import { reservePermitNumber, voidPermitNumber } from './reserve-permit-number';

/**
 * Applies one transition command at most once. The server is the judge of every role and
 * transition (shared/workflow-rules.ts, the same rule the desk pre-checks with): the desk's own
 * checks are a convenience, never trusted. The command is booked to and judged as its verified
 * author (command-authorship.ts), whoever's token pushed it; a command whose authorship does
 * not verify is answered without touching the ledger, so it cannot use up its id.
 */
export async function applyCommand(db: Kysely<ServerDatabase>, pusher: UserTable, command: TransitionCommand, now = new Date()): Promise<CommandResult> {
  const content = transitionContent(command);
  const authorship = await resolveAuthor(db, pusher, content, command, now);
  if (!authorship.ok) return { id: command.id, status: 'rejected', code: authorship.code, message: authorship.message };
  const { author } = authorship;
  return runCommandOnce(db, { author, pushedBy: pusher, contentHash: commandContentHash(content, author.id) }, command.id, now, (trx) => transition(trx, author, command, now));
}

type Verdict = Extract<RuleVerdict, { ok: true }>;

/** Judges an attempt on a file as the server sees it: its stage, checklist, records, number and signature. */
export async function judgeOnServer(
  trx: Transaction<ServerDatabase>,
  user: UserTable,
  app: Selectable<ApplicationTable>,
  attempt: Pick<ActionAttempt, 'actionId' | 'expectedStage' | 'via' | 'reason'> & { checklist: Record<string, boolean> | null },
  now: Date,
): Promise<Verdict & { checklist: Record<string, boolean> }> {
  const workflow = await loadWorkflow(trx, app.workflow_id);
  const typeRow = await trx.selectFrom('permit_types').select('definition').where('id', '=', app.permit_type_id).executeTakeFirstOrThrow();
  const permitType = permitTypeSchema.parse(JSON.parse(typeRow.definition));
  const applicant = JSON.parse(app.applicant) as Applicant;
  const references = (await trx.selectFrom('reference_records').selectAll().where('nik', '=', applicant.nik).execute()).map(referenceFromRow);
  const office = await loadOffice(trx);
  const signed = await trx.selectFrom('issued_permits').select('application_id').where('application_id', '=', app.id).executeTakeFirst();
  const checklist = { ...(JSON.parse(app.checklist) as Record<string, boolean>), ...(attempt.checklist ?? {}) };
  const verdict = judgeAction({
    workflow,
    currentStage: app.stage,
    expectedStage: attempt.expectedStage,
    role: user.role as Role,
    actionId: attempt.actionId,
    via: attempt.via,
    requirementIds: permitType.requirements.map((r) => r.id),
    checklist,
    reason: attempt.reason,
    conformityFindings: conformityFindings(applicant, references, calendarDateIn(now, office.timeZone)).length,
    hasPermitNumber: app.permit_number !== null,
    hasVerifiedSignature: signed !== undefined,
  });
  if (!verdict.ok) throw new Rejection(verdict.code, verdict.message);
  const claim = await trx.selectFrom('claims').select(['user_id', 'user_name']).where('application_id', '=', app.id).executeTakeFirst();
  if (claim && claim.user_id !== user.id) throw new Rejection('CLAIMED_BY_OTHER', `${claim.user_name} is working on this file`);
  return { ...verdict, checklist };
}

/**
 * What follows a step on the server for any action: the chain's numbering step numbers the
 * file; a file that ends without a permit voids its number.
 */
export async function applyStepEffects(trx: Transaction<ServerDatabase>, applicationId: string, verdict: Verdict, now: Date): Promise<void> {
  if (verdict.action.reservesPermitNumber) await reservePermitNumber(trx, applicationId, now);
  if (verdict.target.outcome && verdict.target.outcome !== 'issued') await voidPermitNumber(trx, applicationId, now);
  // the file moves on: whoever had taken it is done with it
  await trx.deleteFrom('claims').where('application_id', '=', applicationId).execute();
}

async function transition(trx: Transaction<ServerDatabase>, user: UserTable, command: TransitionCommand, now: Date): Promise<number> {
  const app = await trx.selectFrom('applications').selectAll().where('id', '=', command.applicationId).executeTakeFirst();
  if (!app) throw new Rejection('NOT_FOUND', `application ${command.applicationId} does not exist`);
  const verdict = await judgeOnServer(trx, user, app, { actionId: command.action, expectedStage: command.expectedStage, via: 'decision', reason: command.reason, checklist: command.checklist }, now);
  const reason = command.reason?.trim() || null;
  await applyStepEffects(trx, app.id, verdict, now);

  const changeSeq = await nextChangeSeq(trx);
  const at = now.toISOString();
  await trx
    .updateTable('applications')
    .set({ stage: verdict.action.to, checklist: JSON.stringify(verdict.checklist), stage_entered_at: at, version: app.version + 1, change_seq: changeSeq })
    .where('id', '=', app.id)
    .execute();
  await trx
    .insertInto('events')
    .values({
      id: randomUUID(),
      application_id: app.id,
      command_id: command.id,
      actor_name: user.full_name,
      actor_role: user.role,
      action: verdict.action.id,
      from_stage: app.stage,
      to_stage: verdict.action.to,
      reason,
      at,
      evidence: command.evidence ? JSON.stringify(command.evidence) : null,
    })
    .execute();
  return changeSeq;
}
