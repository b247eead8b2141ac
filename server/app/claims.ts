import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { findStage, stagesForRole } from '../../shared/workflow';
import type { ClaimResponse } from '../../shared/sync-protocol';
import { loadWorkflow } from './server-records';
import { DEFINITIONS_VERSION_COLUMN, officeDefinitions } from './definitions-cache';
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
  if (engineOf(db) === 'postgres') return claimOnPostgres(db, user, applicationId, now);
  return db.transaction().execute(async (trx): Promise<ClaimResponse> => {
    const app = await lockOfficeApplication(trx, user, applicationId);
    if (!app) throw notFound('application not found');
    const stage = findStage(await loadWorkflow(trx, app.workflow_id), app.stage);
    if (!stage || stage.role !== user.role) throw refused(403, `role ${user.role} does not act at stage ${app.stage}`);
    const at = now.toISOString();
    const claim = { application_id: applicationId, user_id: user.id, user_name: user.full_name, claimed_at: at };
    const won = await trx.insertInto('claims').values(claim).onConflict((oc) => oc.column('application_id').doNothing()).returning('application_id').executeTakeFirst();
    if (!won) return answerTaken(trx, user, applicationId);
    await markApplicationChanged(trx, applicationId);
    return { applicationId, claimedBy: { userId: user.id, name: user.full_name, at } };
  });
}

/**
 * PostgreSQL: the claim as one statement, so one round trip with no BEGIN and COMMIT of its
 * own (a busy office takes files far more often than it decides them). The statement locks the
 * file's row (FOR UPDATE: a racing claim or decision waits, and then this one sees the row as
 * that one left it), checks that the official's role acts at the file's stage, inserts the
 * claim unless the file has one (ON CONFLICT DO NOTHING on its key), and stamps the file with a
 * change value after its transaction id (change-sequence.ts). Which stages the role acts at comes
 * from the office's definitions as the request's sign-in check read their version (at most a
 * second old, auth-tokens.ts); the statement claims and refuses only while that version is still
 * current as of its start, else the definitions are read again and the claim judged anew. A
 * decision on the file is judged again under the lock with the definitions as they are then.
 */
async function claimOnPostgres(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string, now: Date, readWith: UserTable | null = user): Promise<ClaimResponse> {
  const { workflows, version } = await officeDefinitions(db, user.office_id, readWith ?? undefined);
  const checkedVersion = version >= 0 ? version : null;
  const acting = workflows.flatMap((w) => stagesForRole(w, user.role).map((stage) => ({ workflowId: w.id, stage })));
  const at = now.toISOString();
  const { rows } = await sql<{ stage: string; acting: boolean; won: boolean; definitions_moved: boolean }>`
    WITH tx AS MATERIALIZED (SELECT pg_current_xact_id() AS xid),
    judged AS (
      SELECT ${checkedVersion}::integer IS NULL OR ${DEFINITIONS_VERSION_COLUMN} = ${checkedVersion}::integer AS current
    ),
    app AS (
      SELECT id, stage, workflow_id FROM applications WHERE id = ${applicationId} AND office_id = ${user.office_id} FOR UPDATE
    ),
    acting AS (
      SELECT app.id FROM app, judged
      WHERE judged.current
        AND (app.workflow_id, app.stage) IN (SELECT * FROM unnest(${acting.map((a) => a.workflowId)}::text[], ${acting.map((a) => a.stage)}::text[]))
    ),
    won AS (
      INSERT INTO claims (application_id, user_id, user_name, claimed_at)
      SELECT acting.id, ${user.id}, ${user.full_name}, ${at} FROM acting
      ON CONFLICT (application_id) DO NOTHING
      RETURNING application_id
    ),
    stamped AS (
      UPDATE applications SET change_seq = nextval('change_seq'), version = applications.version + 1
      FROM tx, won WHERE applications.id = won.application_id
      RETURNING applications.id
    )
    SELECT app.stage, EXISTS (SELECT 1 FROM acting) AS acting, EXISTS (SELECT 1 FROM stamped) AS won, NOT judged.current AS definitions_moved FROM app, judged`.execute(db);
  const row = rows[0];
  if (!row) throw notFound('application not found');
  // the definitions changed since the sign-in check read their version: nothing was written; judged again with them as they are now
  if (row.definitions_moved) return claimOnPostgres(db, user, applicationId, now, null);
  if (!row.acting) throw refused(403, `role ${user.role} does not act at stage ${row.stage}`);
  if (row.won) return { applicationId, claimedBy: { userId: user.id, name: user.full_name, at } };
  // taken meanwhile: the holder as committed (the statement's own snapshot may be older than its lock wait)
  return answerTaken(db, user, applicationId);
}

/** The file is taken: by this official already (answered as theirs), or by a colleague (409, naming them). */
async function answerTaken(db: Kysely<ServerDatabase> | Transaction<ServerDatabase>, user: UserTable, applicationId: string): Promise<ClaimResponse> {
  const holder = await db.selectFrom('claims').selectAll().where('application_id', '=', applicationId).executeTakeFirst();
  // released again between the statement and this read: as taken by someone, then gone; the desk may take it again
  if (!holder) throw refused(409, 'the file was taken and released meanwhile: take it again');
  if (holder.user_id === user.id) return heldBy(applicationId, holder);
  throw refused(409, `claimed by ${holder.user_name}`, heldBy(applicationId, holder));
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
