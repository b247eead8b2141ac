import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { permitTypeSchema } from '../../shared/domain';
import { calendarDateIn } from '../../shared/working-days';
import type { ServerDatabase } from '../db/server-database';
import { loadOffice } from './server-records';

/**
 * Gives an application its permit number, once: a second call returns the same number. The
 * sequence runs per office, per year (in the office's zone) and per permit code, and only the
 * server hands it out, inside the caller's transaction, so two desks working offline can never
 * be given the same number. The counter is taken with one atomic UPDATE … RETURNING after its
 * zero row is made to exist (INSERT … ON CONFLICT DO NOTHING): the row lock it takes makes a
 * concurrent writer wait for this transaction, on SQLite and on PostgreSQL alike, and never
 * max()+1. The unique (office, year, code, sequence) constraint is the last guard.
 */
export async function reservePermitNumber(trx: Transaction<ServerDatabase>, applicationId: string, now: Date) {
  const existing = await trx.selectFrom('permit_numbers').selectAll().where('application_id', '=', applicationId).executeTakeFirst();
  if (existing) return existing;
  const app = await trx.selectFrom('applications').select(['permit_type_id', 'office_id']).where('id', '=', applicationId).executeTakeFirstOrThrow();
  const typeRow = await trx
    .selectFrom('permit_types')
    .select('definition')
    .where('id', '=', app.permit_type_id)
    .where('office_id', '=', app.office_id)
    .executeTakeFirstOrThrow();
  const permitType = permitTypeSchema.parse(JSON.parse(typeRow.definition));
  const office = await loadOffice(trx, app.office_id);
  const year = Number(calendarDateIn(now, office.timeZone).slice(0, 4));
  const code = permitType.template.numberCode;
  const sequence = await nextPermitSequence(trx, app.office_id, year, code);
  const row = {
    application_id: applicationId,
    office_id: app.office_id,
    year,
    code,
    sequence,
    permit_number: `503/${code}/${String(sequence).padStart(4, '0')}/${office.permitNumberUnit}/${year}`,
    verification_id: randomBytes(12).toString('base64url'),
    reserved_at: now.toISOString(),
    voided_at: null,
  };
  await trx.insertInto('permit_numbers').values(row).execute();
  await trx.updateTable('applications').set({ permit_number: row.permit_number, verification_id: row.verification_id }).where('id', '=', applicationId).execute();
  return row;
}

/** The next sequence of an office's year and code: the counter's new value, taken atomically. */
export async function nextPermitSequence(trx: Transaction<ServerDatabase>, officeId: string, year: number, code: string): Promise<number> {
  await trx
    .insertInto('permit_number_counters')
    .values({ office_id: officeId, year, code, value: 0 })
    .onConflict((oc) => oc.columns(['office_id', 'year', 'code']).doNothing())
    .execute();
  const taken = await trx
    .updateTable('permit_number_counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('office_id', '=', officeId)
    .where('year', '=', year)
    .where('code', '=', code)
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(taken.value);
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
