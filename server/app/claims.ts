import type { Kysely } from 'kysely';
import { findStage } from '../../shared/workflow';
import type { ClaimResponse } from '../../shared/sync-protocol';
import { loadWorkflow } from './server-records';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { markApplicationChanged } from './change-sequence';
import { lockOfficeApplication } from './application-lock';

export type ClaimOutcome = { ok: true; value: ClaimResponse } | { ok: false; status: 403 | 404 | 409; message: string; value?: ClaimResponse };

/**
 * "Ambil": one official of the acting role takes a file so that a colleague does not work on
 * it at the same time. The server is the arbiter: the first claim wins, a second is refused
 * with who holds it, and transitions by anyone else are refused until it is released.
 *
 * Won by exactly one, also with several server processes on one database: the file's row is
 * locked before the claim is judged (application-lock.ts), so racing claims run one after the
 * other, and the claim row is inserted with ON CONFLICT DO NOTHING on its primary key as the
 * last guard; whoever inserts nothing reads the winner.
 */
export async function claimApplication(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string, now = new Date()): Promise<ClaimOutcome> {
  return db.transaction().execute(async (trx): Promise<ClaimOutcome> => {
    const app = await lockOfficeApplication(trx, user, applicationId);
    if (!app) return { ok: false, status: 404, message: 'application not found' };
    const stage = findStage(await loadWorkflow(trx, app.workflow_id), app.stage);
    if (!stage || stage.role !== user.role) return { ok: false, status: 403, message: `role ${user.role} does not act at stage ${app.stage}` };
    const at = now.toISOString();
    const won = await trx
      .insertInto('claims')
      .values({ application_id: applicationId, user_id: user.id, user_name: user.full_name, claimed_at: at })
      .onConflict((oc) => oc.column('application_id').doNothing())
      .returning('application_id')
      .executeTakeFirst();
    if (!won) {
      const holder = await trx.selectFrom('claims').selectAll().where('application_id', '=', applicationId).executeTakeFirstOrThrow();
      const claimedBy = { userId: holder.user_id, name: holder.user_name, at: holder.claimed_at };
      if (holder.user_id === user.id) return { ok: true, value: { applicationId, claimedBy } };
      return { ok: false, status: 409, message: `claimed by ${holder.user_name}`, value: { applicationId, claimedBy } };
    }
    await markApplicationChanged(trx, applicationId);
    return { ok: true, value: { applicationId, claimedBy: { userId: user.id, name: user.full_name, at } } };
  });
}

export async function releaseApplication(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string): Promise<ClaimOutcome> {
  return db.transaction().execute(async (trx): Promise<ClaimOutcome> => {
    const app = await lockOfficeApplication(trx, user, applicationId);
    if (!app) return { ok: false, status: 404, message: 'application not found' };
    const existing = await trx.selectFrom('claims').selectAll().where('application_id', '=', applicationId).executeTakeFirst();
    if (existing && existing.user_id !== user.id) {
      return { ok: false, status: 409, message: `claimed by ${existing.user_name}`, value: { applicationId, claimedBy: { userId: existing.user_id, name: existing.user_name, at: existing.claimed_at } } };
    }
    if (existing) {
      await trx.deleteFrom('claims').where('application_id', '=', applicationId).where('user_id', '=', user.id).execute();
      await markApplicationChanged(trx, applicationId);
    }
    return { ok: true, value: { applicationId, claimedBy: null } };
  });
}
