import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { findStage } from '../../shared/workflow';
import type { CommandResult, IssueRequest } from '../../shared/sync-protocol';
import { loadWorkflow } from './server-records';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { Rejection, runCommandOnce } from './command-ledger';
import { nextChangeSeq } from './change-sequence';

/**
 * Records a signed permit and issues it: the file moves to the stage its `issue` action leads
 * to, the signed PDF and its SHA-256 become what the QR verification answers with. Applied at
 * most once per command id, like every other command.
 */
export async function issuePermit(db: Kysely<ServerDatabase>, user: UserTable, request: IssueRequest, now = new Date()): Promise<CommandResult> {
  return runCommandOnce(db, user, request.commandId, now, (trx) => issue(trx, user, request, now));
}

async function issue(trx: Kysely<ServerDatabase>, user: UserTable, request: IssueRequest, now: Date): Promise<number> {
  const app = await trx.selectFrom('applications').selectAll().where('id', '=', request.applicationId).executeTakeFirst();
  if (!app) throw new Rejection('NOT_FOUND', `application ${request.applicationId} does not exist`);
  const stage = findStage(await loadWorkflow(trx, app.workflow_id), request.expectedStage);
  const action = stage?.actions.find((a) => a.requires.includes('signed_document'));
  if (!stage || !action) throw new Rejection('TRANSITION_NOT_ALLOWED', `no permit is signed at stage ${request.expectedStage}`);
  if (stage.role !== user.role) throw new Rejection('FORBIDDEN_ROLE', `role ${user.role} does not sign at stage ${stage.id}`);
  if (app.stage !== request.expectedStage) throw new Rejection('STAGE_CHANGED', `application is at stage ${app.stage}`);
  if (!app.permit_number || !app.verification_id) throw new Rejection('TRANSITION_NOT_ALLOWED', 'the file has no permit number to issue under');
  const pdf = Buffer.from(request.pdfBase64, 'base64');
  if (createHash('sha256').update(pdf).digest('hex') !== request.sha256 || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw new Rejection('TRANSITION_NOT_ALLOWED', 'the signed document arrived damaged');
  }
  const at = now.toISOString();
  await trx
    .insertInto('issued_permits')
    .values({ application_id: app.id, permit_number: app.permit_number, verification_id: app.verification_id, sha256: request.sha256, pdf, signer_name: user.full_name, issued_at: request.signedAt, revoked_at: null })
    .execute();
  const changeSeq = await nextChangeSeq(trx);
  await trx.updateTable('applications').set({ stage: action.to, stage_entered_at: at, version: app.version + 1, change_seq: changeSeq }).where('id', '=', app.id).execute();
  await trx
    .insertInto('events')
    .values({ id: randomUUID(), application_id: app.id, command_id: request.commandId, actor_name: user.full_name, actor_role: user.role, action: action.id, from_stage: app.stage, to_stage: action.to, reason: null, at, evidence: null })
    .execute();
  return changeSeq;
}
