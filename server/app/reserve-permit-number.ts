import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { permitTypeSchema } from '../../shared/domain';
import { calendarDateIn } from '../../shared/working-days';
import type { ServerDatabase } from '../db/server-database';
import { loadOffice } from './server-records';

/**
 * Gives an application its permit number, once: a second call returns the same number. The
 * sequence is per office per year and only the server hands it out, inside the caller's
 * transaction, so two desks working offline can never be given the same number.
 */
export async function reservePermitNumber(trx: Transaction<ServerDatabase>, applicationId: string, now: Date) {
  const existing = await trx.selectFrom('permit_numbers').selectAll().where('application_id', '=', applicationId).executeTakeFirst();
  if (existing) return existing;
  const app = await trx.selectFrom('applications').select(['permit_type_id']).where('id', '=', applicationId).executeTakeFirstOrThrow();
  const typeRow = await trx.selectFrom('permit_types').select('definition').where('id', '=', app.permit_type_id).executeTakeFirstOrThrow();
  const permitType = permitTypeSchema.parse(JSON.parse(typeRow.definition));
  const office = await loadOffice(trx);
  const year = Number(calendarDateIn(now, office.timeZone).slice(0, 4));
  const last = await trx.selectFrom('permit_numbers').select((eb) => eb.fn.max('sequence').as('max')).where('year', '=', year).executeTakeFirst();
  const sequence = (last?.max ?? 0) + 1;
  const row = {
    application_id: applicationId,
    year,
    sequence,
    permit_number: `503/${permitType.template.numberCode}/${String(sequence).padStart(4, '0')}/DPMPTSP/${year}`,
    verification_id: randomBytes(12).toString('base64url'),
    reserved_at: now.toISOString(),
    voided_at: null,
  };
  await trx.insertInto('permit_numbers').values(row).execute();
  await trx.updateTable('applications').set({ permit_number: row.permit_number, verification_id: row.verification_id }).where('id', '=', applicationId).execute();
  return row;
}

/**
 * A file that ends without a permit (rejected, withdrawn, returned) gives up its number: it
 * stays in the register as batal, so the sequence keeps no hole and the number is never reused.
 */
export async function voidPermitNumber(trx: Transaction<ServerDatabase>, applicationId: string, now: Date): Promise<boolean> {
  const result = await trx
    .updateTable('permit_numbers')
    .set({ voided_at: now.toISOString() })
    .where('application_id', '=', applicationId)
    .where('voided_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
