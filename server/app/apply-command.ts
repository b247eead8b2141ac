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
import { stampApplicationChange } from './change-sequence';
import { lockOfficeApplication } from './application-lock';
import { Rejection, runCommandOnce } from './command-ledger';
import { resolveAuthor } from './command-authorship';
import { reservePermitNumber, voidPermitNumber } from './reserve-permit-number';
import { preparePermit, readPreparedPermit, warmPermitPreparation } from './prepare-permit';

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
  // a numbering step prepares the final permit in its transaction: its signer's revocation data is fetched before, not under the write lock
  await warmPermitPreparation(db, author.office_id, now);
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
  if (app.office_id !== user.office_id) throw new Rejection('NOT_FOUND', `application ${app.id} does not exist`);
  const workflow = await loadWorkflow(trx, app.workflow_id);
  const typeRow = await trx.selectFrom('permit_types').select('definition').where('id', '=', app.permit_type_id).executeTakeFirstOrThrow();
  const permitType = permitTypeSchema.parse(JSON.parse(typeRow.definition));
  const applicant = JSON.parse(app.applicant) as Applicant;
  const references = (await trx.selectFrom('reference_records').selectAll().where('nik', '=', applicant.nik).execute()).map(referenceFromRow);
  const office = await loadOffice(trx, app.office_id);
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
 * file and prepares its final permit (prepare-permit.ts), in the same transaction; a file that
 * ends without a permit voids its number.
 */
export async function applyStepEffects(trx: Transaction<ServerDatabase>, applicationId: string, verdict: Verdict, now: Date): Promise<void> {
  if (verdict.action.reservesPermitNumber) {
    await reservePermitNumber(trx, applicationId, now);
    await preparePermit(trx, applicationId, now);
  }
  if (verdict.target.outcome && verdict.target.outcome !== 'issued') await voidPermitNumber(trx, applicationId, now);
  // the file moves on: whoever had taken it is done with it
  await trx.deleteFrom('claims').where('application_id', '=', applicationId).execute();
}

async function transition(trx: Transaction<ServerDatabase>, user: UserTable, command: TransitionCommand, now: Date): Promise<number> {
  // another office's file answers as one that does not exist; the row is locked before judging,
  // so a racing command on the same file is judged against the stage this one leaves
  const app = await lockOfficeApplication(trx, user, command.applicationId);
  if (!app) throw new Rejection('NOT_FOUND', `application ${command.applicationId} does not exist`);
  const verdict = await judgeOnServer(trx, user, app, { actionId: command.action, expectedStage: command.expectedStage, via: 'decision', reason: command.reason, checklist: command.checklist }, now);
  const reason = command.reason?.trim() || null;
  const evidence = verdict.action.initialsPreparedPermit
    ? { references: command.evidence?.references ?? [], preparedPermitSha256: await initialledHash(trx, app.id, command.preparedPermitSha256) }
    : command.evidence;
  await applyStepEffects(trx, app.id, verdict, now);

  const at = now.toISOString();
  // guarded by the stage judged: under the row lock it always holds; it is the last guard if a writer ever skips the lock
  const moved = await trx
    .updateTable('applications')
    .set({ stage: verdict.action.to, checklist: JSON.stringify(verdict.checklist), stage_entered_at: at })
    .where('id', '=', app.id)
    .where('stage', '=', app.stage)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) throw new Rejection('STAGE_CHANGED', `the file is no longer at stage ${app.stage}`);
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
      evidence: evidence ? JSON.stringify(evidence) : null,
    })
    .execute();
  // the change counter last: it is held until commit (change-sequence.ts)
  return stampApplicationChange(trx, app.id);
}

/**
 * A paraf initials the prepared permit: the hash the desk showed must be the stored prepared
 * permit's, else the official initialled other bytes (an older preparation, or none at all).
 */
async function initialledHash(trx: Transaction<ServerDatabase>, applicationId: string, shown: string | undefined): Promise<string> {
  const prepared = await readPreparedPermit(trx, applicationId);
  if (!prepared) throw new Rejection('PARAF_HASH_MISMATCH', 'no permit has been prepared for this file: there is nothing to initial');
  if (shown !== prepared.sha256) {
    throw new Rejection('PARAF_HASH_MISMATCH', `the permit initialled (${shown ?? 'no hash'}) is not the permit prepared (${prepared.sha256})`);
  }
  return prepared.sha256;
}
