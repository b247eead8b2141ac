import type { Kysely } from 'kysely';
import { findStage } from '../../shared/workflow';
import type { ReserveNumberResponse } from '../../shared/sync-protocol';
import { loadWorkflow } from './server-records';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { markApplicationChanged } from './change-sequence';
import { reservePermitNumber } from './reserve-permit-number';

export type ReserveOutcome = { ok: true; value: ReserveNumberResponse } | { ok: false; status: 403 | 404 | 409; message: string };

/**
 * A draft needs its number before it is verified. Only the official who acts at the file's
 * current stage may ask, and only at a stage whose next step fixes the number.
 */
export async function reserveDraftNumber(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string, now = new Date()): Promise<ReserveOutcome> {
  return db.transaction().execute(async (trx): Promise<ReserveOutcome> => {
    const app = await trx.selectFrom('applications').selectAll().where('id', '=', applicationId).executeTakeFirst();
    if (!app) return { ok: false, status: 404, message: 'application not found' };
    if (app.permit_number && app.verification_id) {
      return { ok: true, value: { applicationId, permitNumber: app.permit_number, verificationId: app.verification_id } };
    }
    const stage = findStage(await loadWorkflow(trx, app.workflow_id), app.stage);
    if (!stage || stage.role !== user.role) return { ok: false, status: 403, message: `role ${user.role} does not act at stage ${app.stage}` };
    if (!stage.actions.some((a) => a.reservesPermitNumber)) return { ok: false, status: 409, message: `no permit number is given at stage ${app.stage}` };
    const reserved = await reservePermitNumber(trx, applicationId, now);
    await markApplicationChanged(trx, applicationId, app.version);
    return { ok: true, value: { applicationId, permitNumber: reserved.permit_number, verificationId: reserved.verification_id } };
  });
}
