import type { Kysely, Selectable } from 'kysely';
import { findStage } from '../../shared/workflow';
import type { ClaimResponse } from '../../shared/sync-protocol';
import { loadWorkflow } from './server-records';
import type { ClaimTable, ServerDatabase, UserTable } from '../db/server-database';
import { markApplicationChanged } from './change-sequence';
import { lockOfficeApplication } from './application-lock';
import { officeApplication } from './access-scope';
import { DomainRefusal, notFound } from './domain-refusal';

/** A claim refused: the answer's `error` is `refused` whatever the status (the desk reads the status). */
const refused = (status: 403 | 404 | 409, message: string, value?: ClaimResponse) => new DomainRefusal(status, 'refused', message, value ? { ...value } : {});

const heldBy = (applicationId: string, holder: Selectable<ClaimTable>): ClaimResponse => ({
  applicationId,
  claimedBy: { userId: holder.user_id, name: holder.user_name, at: holder.claimed_at },
});

/** Another office's file answers 404, as one that does not exist. */
async function requireOfficeApplication(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string): Promise<void> {
  if (!(await officeApplication(db, user, applicationId))) throw notFound('application not found');
}

/**
 * "Ambil": one official of the acting role takes a file so that a colleague does not work on
 * it at the same time. The server is the arbiter: the first claim wins, a second is refused
 * (409) with who holds it, and transitions by anyone else are refused until it is released.
 *
 * Won by exactly one, also with several server processes on one database: the file's row is
 * locked before the claim is judged (application-lock.ts), so racing claims run one after the
 * other, and the claim row is inserted with ON CONFLICT DO NOTHING on its primary key as the
 * last guard; whoever inserts nothing reads the winner.
 */
export async function claimApplication(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string, now = new Date()): Promise<ClaimResponse> {
  await requireOfficeApplication(db, user, applicationId);
  return db.transaction().execute(async (trx): Promise<ClaimResponse> => {
    const app = await lockOfficeApplication(trx, user, applicationId);
    if (!app) throw refused(404, 'application not found');
    const stage = findStage(await loadWorkflow(trx, app.workflow_id), app.stage);
    if (!stage || stage.role !== user.role) throw refused(403, `role ${user.role} does not act at stage ${app.stage}`);
    const at = now.toISOString();
    const won = await trx
      .insertInto('claims')
      .values({ application_id: applicationId, user_id: user.id, user_name: user.full_name, claimed_at: at })
      .onConflict((oc) => oc.column('application_id').doNothing())
      .returning('application_id')
      .executeTakeFirst();
    if (!won) {
      const holder = await trx.selectFrom('claims').selectAll().where('application_id', '=', applicationId).executeTakeFirstOrThrow();
      if (holder.user_id === user.id) return heldBy(applicationId, holder);
      throw refused(409, `claimed by ${holder.user_name}`, heldBy(applicationId, holder));
    }
    await markApplicationChanged(trx, applicationId);
    return { applicationId, claimedBy: { userId: user.id, name: user.full_name, at } };
  });
}

/** "Lepas": the official gives the file back; releasing what someone else holds is refused (409). */
export async function releaseApplication(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string): Promise<ClaimResponse> {
  await requireOfficeApplication(db, user, applicationId);
  return db.transaction().execute(async (trx): Promise<ClaimResponse> => {
    const app = await lockOfficeApplication(trx, user, applicationId);
    if (!app) throw refused(404, 'application not found');
    const existing = await trx.selectFrom('claims').selectAll().where('application_id', '=', applicationId).executeTakeFirst();
    if (existing && existing.user_id !== user.id) throw refused(409, `claimed by ${existing.user_name}`, heldBy(applicationId, existing));
    if (existing) {
      await trx.deleteFrom('claims').where('application_id', '=', applicationId).where('user_id', '=', user.id).execute();
      await markApplicationChanged(trx, applicationId);
    }
    return { applicationId, claimedBy: null };
  });
}
