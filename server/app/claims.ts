import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import { findStage } from '../../shared/workflow';
import type { ClaimResponse } from '../../shared/sync-protocol';
import { loadWorkflow } from './server-records';
import type { ClaimTable, ServerDatabase, UserTable } from '../db/server-database';
import { markApplicationChanged } from './change-sequence';
import { lockOfficeApplication } from './application-lock';
import { DomainRefusal, notFound } from './domain-refusal';
import { engineOf } from '../db/server-engine';

/** A claim refused: the answer's `error` is `refused` whatever the status (the desk reads the status). */
const refused = (status: 403 | 404 | 409, message: string, value?: ClaimResponse) => new DomainRefusal(status, 'refused', message, value ? { ...value } : {});

const heldBy = (applicationId: string, holder: Selectable<ClaimTable>): ClaimResponse => ({
  applicationId,
  claimedBy: { userId: holder.user_id, name: holder.user_name, at: holder.claimed_at },
});

/**
 * "Ambil": one official of the acting role takes a file so that a colleague does not work on
 * it at the same time. The server is the arbiter: the first claim wins, a second is refused
 * (409) with who holds it, and transitions by anyone else are refused until it is released.
 *
 * Won by exactly one, also with several server processes on one database: the file's row is
 * locked before the claim is judged (application-lock.ts), so racing claims run one after the
 * other, and the claim row is inserted with ON CONFLICT DO NOTHING on its primary key as the
 * last guard; whoever inserts nothing reads the winner. Another office's file is not found by
 * the lock, so it answers 404 as one that does not exist.
 */
export async function claimApplication(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string, now = new Date()): Promise<ClaimResponse> {
  return db.transaction().execute(async (trx): Promise<ClaimResponse> => {
    const app = await lockOfficeApplication(trx, user, applicationId);
    if (!app) throw notFound('application not found');
    const stage = findStage(await loadWorkflow(trx, app.workflow_id), app.stage);
    if (!stage || stage.role !== user.role) throw refused(403, `role ${user.role} does not act at stage ${app.stage}`);
    const at = now.toISOString();
    const claim = { application_id: applicationId, user_id: user.id, user_name: user.full_name, claimed_at: at };
    if (!(await insertClaim(trx, claim))) {
      const holder = await trx.selectFrom('claims').selectAll().where('application_id', '=', applicationId).executeTakeFirstOrThrow();
      if (holder.user_id === user.id) return heldBy(applicationId, holder);
      throw refused(409, `claimed by ${holder.user_name}`, heldBy(applicationId, holder));
    }
    return { applicationId, claimedBy: { userId: user.id, name: user.full_name, at } };
  });
}

/**
 * Inserts the claim unless the file has one, and when it did, marks the file changed so that
 * desks pull it again; answers whether it did. On PostgreSQL one statement: the claim and the
 * change value (taken after the transaction id, as change-sequence.ts requires).
 */
async function insertClaim(trx: Transaction<ServerDatabase>, claim: Insertable<ClaimTable>): Promise<boolean> {
  if (engineOf(trx) === 'postgres') {
    const { rows } = await sql<{ id: string }>`
      WITH tx AS MATERIALIZED (SELECT pg_current_xact_id() AS xid),
      won AS (
        INSERT INTO claims (application_id, user_id, user_name, claimed_at)
        VALUES (${claim.application_id}, ${claim.user_id}, ${claim.user_name}, ${claim.claimed_at})
        ON CONFLICT (application_id) DO NOTHING
        RETURNING application_id
      )
      UPDATE applications SET change_seq = nextval('change_seq'), version = applications.version + 1
      FROM tx, won WHERE applications.id = won.application_id
      RETURNING applications.id`.execute(trx);
    return rows.length === 1;
  }
  const won = await trx.insertInto('claims').values(claim).onConflict((oc) => oc.column('application_id').doNothing()).returning('application_id').executeTakeFirst();
  if (!won) return false;
  await markApplicationChanged(trx, claim.application_id);
  return true;
}

/** "Lepas": the official gives the file back; releasing what someone else holds is refused (409). */
export async function releaseApplication(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string): Promise<ClaimResponse> {
  return db.transaction().execute(async (trx): Promise<ClaimResponse> => {
    const app = await lockOfficeApplication(trx, user, applicationId);
    if (!app) throw notFound('application not found');
    const existing = await trx.selectFrom('claims').selectAll().where('application_id', '=', applicationId).executeTakeFirst();
    if (existing && existing.user_id !== user.id) throw refused(409, `claimed by ${existing.user_name}`, heldBy(applicationId, existing));
    if (existing) {
      await trx.deleteFrom('claims').where('application_id', '=', applicationId).where('user_id', '=', user.id).execute();
      await markApplicationChanged(trx, applicationId);
    }
    return { applicationId, claimedBy: null };
  });
}
