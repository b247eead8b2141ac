import type { Kysely } from 'kysely';
import type { KartuSource } from '../../shared/monitoring';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { officeApplication, visibleApplicationIds } from './access-scope';
import { notFound } from './domain-refusal';
import { eventFromRow, loadOffice, loadPermitTypes, loadWorkflow } from './server-records';

/**
 * The kartu kendali of the file a complaint of the official's office names: attached to the
 * complaint, so the officials handling it see where the time went. Of a file outside the
 * official's own work, only the times, steps and officials: no reasons, no evidence. 404 when
 * the complaint names no file of the office.
 */
export async function complaintKartu(db: Kysely<ServerDatabase>, user: UserTable, complaintId: string): Promise<KartuSource> {
  const complaint = await db.selectFrom('complaints').select('application_id').where('id', '=', complaintId).where('office_id', '=', user.office_id).executeTakeFirst();
  const app = complaint?.application_id ? await officeApplication(db, user, complaint.application_id) : undefined;
  if (!app) throw notFound('the complaint names no application');
  const office = await loadOffice(db, user.office_id);
  const permitType = (await loadPermitTypes(db, user.office_id)).find((p) => p.id === app.permit_type_id);
  const events = (await db.selectFrom('events').selectAll().where('application_id', '=', app.id).orderBy('seq').execute()).map(eventFromRow);
  // where the time went is the complaint's business; what officials wrote and the national
  // records they saw are only for those whose work the file is (need-to-know, UU 27/2022 PDP)
  const timeOnly = !(await visibleApplicationIds(db, user, [app])).has(app.id);
  return {
    applicationId: app.id,
    registrationNumber: app.registration_number,
    applicantName: (JSON.parse(app.applicant) as { fullName: string }).fullName,
    permitTypeName: permitType?.name ?? app.permit_type_id,
    slaWorkingDays: permitType?.slaWorkingDays ?? 3,
    completeAt: app.complete_at,
    workflow: await loadWorkflow(db, app.workflow_id),
    events: timeOnly ? events.map((e) => ({ ...e, reason: null, evidence: null })) : events,
    timeZone: office.timeZone,
    holidays: office.holidays.map((h) => h.date),
    officeName: `${office.name} ${office.city}`,
  };
}
