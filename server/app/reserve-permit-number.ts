import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { permitTypeSchema, type PermitType } from '../../shared/domain';
import type { Office } from '../../shared/office';
import { calendarDateIn } from '../../shared/working-days';
import type { PermitNumberTable, ServerDatabase } from '../db/server-database';
import { loadOffice } from './server-records';

/**
 * Gives an application its permit number, once: a second call returns the same number. The
 * sequence runs per office, per year (in the office's zone) and per permit code, and only the
 * server hands it out, inside the caller's transaction, so two desks working offline can never
 * be given the same number. The counter is taken with one atomic upsert (INSERT … ON CONFLICT
 * DO UPDATE … RETURNING), never max()+1: the row lock it takes makes a concurrent writer of the
 * same office, year and code wait for this transaction, on SQLite and on PostgreSQL alike. The
 * unique (office, year, code, sequence) constraint is the last guard.
 *
 * That wait is what keeps the register gapless, and it lasts from the counter to the commit: a
 * caller reads whatever else it needs before (`office` and `permitType` here; prepare-permit.ts
 * its signer) and writes as little as it can after.
 */
export async function reservePermitNumber(trx: Transaction<ServerDatabase>, applicationId: string, now: Date): Promise<PermitNumberRow> {
  const existing = await existingPermitNumber(trx, applicationId);
  if (existing) return existing;
  const row = await takePlannedPermitNumber(trx, applicationId, planPermitNumber(await numberingDefinitions(trx, applicationId), now));
  await recordPermitNumber(trx, row);
  return row;
}

export type PermitNumberRow = PermitNumberTable;

/** A number about to be taken: everything of it but the sequence, settled before the counter is taken. */
export interface PermitNumberPlan {
  officeId: string;
  year: number;
  code: string;
  unit: string;
  verificationId: string;
  reservedAt: string;
}

/** The sequence no number has (they start at 1): what a permit rendered before its number shows in its place. */
export const PLACEHOLDER_SEQUENCE = 0;

export function planPermitNumber(known: { officeId: string; office: Office; permitType: PermitType }, now: Date): PermitNumberPlan {
  return {
    officeId: known.officeId,
    year: Number(calendarDateIn(now, known.office.timeZone).slice(0, 4)),
    code: known.permitType.template.numberCode,
    unit: known.office.permitNumberUnit,
    verificationId: randomBytes(12).toString('base64url'),
    reservedAt: now.toISOString(),
  };
}

/** The number as printed: 503/code/sequence (four digits at least)/unit/year. */
export function permitNumberText(plan: PermitNumberPlan, sequence: number): string {
  return `503/${plan.code}/${String(sequence).padStart(4, '0')}/${plan.unit}/${plan.year}`;
}

/** The number the file was given earlier, if any (a file may come back to the numbering step). */
export async function existingPermitNumber(trx: Transaction<ServerDatabase>, applicationId: string): Promise<PermitNumberRow | undefined> {
  return trx.selectFrom('permit_numbers').selectAll().where('application_id', '=', applicationId).executeTakeFirst();
}

/** Takes the counter for a planned number: from here until commit the office's next numbering of this code waits. */
export async function takePlannedPermitNumber(trx: Transaction<ServerDatabase>, applicationId: string, plan: PermitNumberPlan): Promise<PermitNumberRow> {
  const sequence = await nextPermitSequence(trx, plan.officeId, plan.year, plan.code);
  return {
    application_id: applicationId,
    office_id: plan.officeId,
    year: plan.year,
    code: plan.code,
    sequence,
    permit_number: permitNumberText(plan, sequence),
    verification_id: plan.verificationId,
    reserved_at: plan.reservedAt,
    voided_at: null,
  };
}

/** Writes a number taken by takePlannedPermitNumber: into the register, and onto the file (on PostgreSQL the step's closing statement does instead). */
export async function recordPermitNumber(trx: Transaction<ServerDatabase>, row: PermitNumberRow): Promise<void> {
  await trx.insertInto('permit_numbers').values(row).execute();
  await trx.updateTable('applications').set({ permit_number: row.permit_number, verification_id: row.verification_id }).where('id', '=', row.application_id).execute();
}

async function numberingDefinitions(trx: Transaction<ServerDatabase>, applicationId: string): Promise<{ officeId: string; office: Office; permitType: PermitType }> {
  const app = await trx.selectFrom('applications').select(['permit_type_id', 'office_id']).where('id', '=', applicationId).executeTakeFirstOrThrow();
  const typeRow = await trx
    .selectFrom('permit_types')
    .select('definition')
    .where('id', '=', app.permit_type_id)
    .where('office_id', '=', app.office_id)
    .executeTakeFirstOrThrow();
  return { officeId: app.office_id, office: await loadOffice(trx, app.office_id), permitType: permitTypeSchema.parse(JSON.parse(typeRow.definition)) };
}

/** The next sequence of an office's year and code: the counter's new value, taken atomically in one statement. */
export async function nextPermitSequence(trx: Transaction<ServerDatabase>, officeId: string, year: number, code: string): Promise<number> {
  const taken = await trx
    .insertInto('permit_number_counters')
    .values({ office_id: officeId, year, code, value: 1 })
    .onConflict((oc) => oc.columns(['office_id', 'year', 'code']).doUpdateSet((eb) => ({ value: eb('permit_number_counters.value', '+', 1) })))
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
