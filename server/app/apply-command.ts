import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { findAction, findStage } from '../../shared/workflow';
import { permitTypeSchema } from '../../shared/domain';
import type { CommandResult, TransitionCommand } from '../../shared/sync-protocol';
import { loadWorkflow } from './server-records';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { nextChangeSeq } from './change-sequence';
import { Rejection, runCommandOnce } from './command-ledger';
import { reservePermitNumber } from './reserve-permit-number';

/**
 * Applies one transition command at most once. The server is the judge of every role and
 * transition: the desk's own checks are a convenience, never trusted.
 */
export async function applyCommand(db: Kysely<ServerDatabase>, user: UserTable, command: TransitionCommand, now = new Date()): Promise<CommandResult> {
  return runCommandOnce(db, user, command.id, now, (trx) => transition(trx, user, command, now));
}

async function transition(trx: Transaction<ServerDatabase>, user: UserTable, command: TransitionCommand, now: Date): Promise<number> {
  const app = await trx.selectFrom('applications').selectAll().where('id', '=', command.applicationId).executeTakeFirst();
  if (!app) throw new Rejection('NOT_FOUND', `application ${command.applicationId} does not exist`);
  const workflow = await loadWorkflow(trx, app.workflow_id);

  const action = findAction(workflow, command.expectedStage, command.action);
  if (!action) throw new Rejection('TRANSITION_NOT_ALLOWED', `action ${command.action} is not allowed at stage ${command.expectedStage}`);
  const stage = findStage(workflow, command.expectedStage);
  if (!stage || stage.role !== user.role) {
    throw new Rejection('FORBIDDEN_ROLE', `role ${user.role} may not act at stage ${command.expectedStage}`);
  }
  if (app.stage !== command.expectedStage) {
    throw new Rejection('STAGE_CHANGED', `application is at stage ${app.stage}, not ${command.expectedStage}`);
  }
  const claim = await trx.selectFrom('claims').select(['user_id', 'user_name']).where('application_id', '=', app.id).executeTakeFirst();
  if (claim && claim.user_id !== user.id) throw new Rejection('CLAIMED_BY_OTHER', `${claim.user_name} is working on this file`);

  if (action.requires.includes('signed_document')) {
    throw new Rejection('TRANSITION_NOT_ALLOWED', `action ${action.id} is taken only by delivering the signed permit`);
  }

  const checklist = { ...(JSON.parse(app.checklist) as Record<string, boolean>), ...(command.checklist ?? {}) };
  if (action.requires.includes('checklist_complete')) {
    const typeRow = await trx.selectFrom('permit_types').select('definition').where('id', '=', app.permit_type_id).executeTakeFirstOrThrow();
    const permitType = permitTypeSchema.parse(JSON.parse(typeRow.definition));
    const missing = permitType.requirements.filter((r) => checklist[r.id] !== true).map((r) => r.id);
    if (missing.length > 0) throw new Rejection('CHECKLIST_INCOMPLETE', `requirements not met: ${missing.join(', ')}`);
  }
  const reason = command.reason?.trim() || null;
  if (action.requires.includes('reason') && !reason) throw new Rejection('REASON_REQUIRED', `action ${action.id} needs a reason`);

  if (action.reservesPermitNumber) await reservePermitNumber(trx, app.id, now);

  // the file moves on: whoever had taken it is done with it
  await trx.deleteFrom('claims').where('application_id', '=', app.id).execute();
  const changeSeq = await nextChangeSeq(trx);
  const at = now.toISOString();
  await trx
    .updateTable('applications')
    .set({ stage: action.to, checklist: JSON.stringify(checklist), stage_entered_at: at, version: app.version + 1, change_seq: changeSeq })
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
      action: action.id,
      from_stage: app.stage,
      to_stage: action.to,
      reason,
      at,
      evidence: command.evidence ? JSON.stringify(command.evidence) : null,
    })
    .execute();
  return changeSeq;
}
