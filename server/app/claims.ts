import type { Kysely } from 'kysely';
import { findStage } from '../../shared/workflow';
import type { ClaimResponse } from '../../shared/sync-protocol';
import { loadWorkflow } from './server-records';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { markApplicationChanged } from './change-sequence';

export type ClaimOutcome = { ok: true; value: ClaimResponse } | { ok: false; status: 403 | 404 | 409; message: string; value?: ClaimResponse };

/**
 * "Ambil": one official of the acting role takes a file so that a colleague does not work on
 * it at the same time. The server is the arbiter: the first claim wins, a second is refused
 * with who holds it, and transitions by anyone else are refused until it is released.
 */
export async function claimApplication(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string, now = new Date()): Promise<ClaimOutcome> {
  return db.transaction().execute(async (trx): Promise<ClaimOutcome> => {
    const app = await trx.selectFrom('applications').select(['stage', 'workflow_id', 'version']).where('id', '=', applicationId).executeTakeFirst();
    if (!app) return { ok: false, status: 404, message: 'application not found' };
    const stage = findStage(await loadWorkflow(trx, app.workflow_id), app.stage);
    if (!stage || stage.role !== user.role) return { ok: false, status: 403, message: `role ${user.role} does not act at stage ${app.stage}` };
    const existing = await trx.selectFrom('claims').selectAll().where('application_id', '=', applicationId).executeTakeFirst();
    if (existing) {
      const claimedBy = { userId: existing.user_id, name: existing.user_name, at: existing.claimed_at };
      if (existing.user_id === user.id) return { ok: true, value: { applicationId, claimedBy } };
      return { ok: false, status: 409, message: `claimed by ${existing.user_name}`, value: { applicationId, claimedBy } };
    }
    const at = now.toISOString();
    await trx.insertInto('claims').values({ application_id: applicationId, user_id: user.id, user_name: user.full_name, claimed_at: at }).execute();
    await markApplicationChanged(trx, applicationId, app.version);
    return { ok: true, value: { applicationId, claimedBy: { userId: user.id, name: user.full_name, at } } };
  });
}

export async function releaseApplication(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string): Promise<ClaimOutcome> {
  return db.transaction().execute(async (trx): Promise<ClaimOutcome> => {
    const app = await trx.selectFrom('applications').select(['version']).where('id', '=', applicationId).executeTakeFirst();
    if (!app) return { ok: false, status: 404, message: 'application not found' };
    const existing = await trx.selectFrom('claims').selectAll().where('application_id', '=', applicationId).executeTakeFirst();
    if (existing && existing.user_id !== user.id) {
      return { ok: false, status: 409, message: `claimed by ${existing.user_name}`, value: { applicationId, claimedBy: { userId: existing.user_id, name: existing.user_name, at: existing.claimed_at } } };
    }
    if (existing) {
      await trx.deleteFrom('claims').where('application_id', '=', applicationId).execute();
      await markApplicationChanged(trx, applicationId, app.version);
    }
    return { ok: true, value: { applicationId, claimedBy: null } };
  });
}
