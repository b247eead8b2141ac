import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { complaintCommandSchema } from '../../shared/complaint-rules';
import { monitoringPeriodSchema } from '../../shared/monitoring';
import type { Role } from '../../shared/roles';
import { API_PREFIX } from '../../shared/sync-protocol';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { userForToken } from './auth-tokens';
import { applyComplaintCommand, listComplaints, loadComplaintReport } from './complaint-store';
import { computeMonitoringFigures } from './monitoring-figures';
import { buildMonthlyReport, monthlyReportPdf, monthlyReportXlsx } from './monthly-report';
import { eventFromRow, loadOffice, loadPermitTypes, loadWorkflow } from './server-records';
import { officeApplication } from './access-scope';

/** Who oversees the office: monitoring and the monthly report. */
const OVERSIGHT_ROLES: readonly Role[] = ['kepala_dinas', 'sekretaris'];
/** Who works the Buku Pengaduan: the complaints unit, the Sekretaris who checks, the Kepala Dinas. */
const COMPLAINT_ROLES: readonly Role[] = ['penata_perizinan', 'sekretaris', 'kepala_dinas'];

const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);

/**
 * Office oversight on the central server: the monitoring figures, the monthly performance
 * report (PDF or XLSX) and the Buku Pengaduan. Its own authentication hook (bearer token, as
 * the rest of the API) and its own role checks: 403 for anyone outside the roles.
 */
export async function oversightRoutes(app: FastifyInstance, options: { db: Kysely<ServerDatabase>; now?: () => Date }) {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const userOf = new WeakMap<FastifyRequest, UserTable>();

  app.addHook('preHandler', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const user = header.startsWith('Bearer ') ? await userForToken(db, header.slice(7)) : null;
    if (!user) return reply.code(401).send({ error: 'unauthorized', message: 'sign in again' });
    userOf.set(request, user);
  });

  const allowed = (request: FastifyRequest, reply: FastifyReply, roles: readonly Role[]): UserTable | null => {
    const user = userOf.get(request)!;
    if (roles.includes(user.role as Role)) return user;
    void reply.code(403).send({ error: 'forbidden', message: `role ${user.role} may not see this` });
    return null;
  };

  app.get(`${API_PREFIX}/oversight/monitoring`, async (request, reply) => {
    if (!allowed(request, reply, OVERSIGHT_ROLES)) return reply;
    const parsed = monitoringPeriodSchema.safeParse(request.query);
    if (!parsed.success) return reply.code(400).send({ error: 'invalid_request', message: z.prettifyError(parsed.error) });
    return computeMonitoringFigures(db, userOf.get(request)!.office_id, parsed.data, now());
  });

  app.get(`${API_PREFIX}/oversight/report`, async (request, reply) => {
    if (!allowed(request, reply, OVERSIGHT_ROLES)) return reply;
    const parsed = z.object({ month: monthSchema, format: z.enum(['pdf', 'xlsx']).default('pdf') }).safeParse(request.query);
    if (!parsed.success) return reply.code(400).send({ error: 'invalid_request', message: z.prettifyError(parsed.error) });
    const report = await buildMonthlyReport(db, userOf.get(request)!.office_id, parsed.data.month, now());
    const name = `laporan-kinerja-${parsed.data.month}.${parsed.data.format}`;
    const body = parsed.data.format === 'pdf' ? Buffer.from(await monthlyReportPdf(report)) : await monthlyReportXlsx(report);
    return reply
      .header('content-type', parsed.data.format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(body);
  });

  app.get(`${API_PREFIX}/complaints`, async (request, reply) => {
    const user = allowed(request, reply, COMPLAINT_ROLES);
    if (!user) return reply;
    return { complaints: await listComplaints(db, user.office_id) };
  });

  app.get<{ Params: { month: string } }>(`${API_PREFIX}/complaints/reports/:month`, async (request, reply) => {
    const user = allowed(request, reply, COMPLAINT_ROLES);
    if (!user) return reply;
    if (!monthSchema.safeParse(request.params.month).success) return reply.code(400).send({ error: 'invalid_request', message: 'month is YYYY-MM' });
    return { report: await loadComplaintReport(db, user.office_id, request.params.month) };
  });

  app.post(`${API_PREFIX}/complaints/commands`, async (request, reply) => {
    const user = allowed(request, reply, COMPLAINT_ROLES);
    if (!user) return reply;
    const parsed = complaintCommandSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: 'invalid_request', message: z.prettifyError(parsed.error) });
    return applyComplaintCommand(db, user, parsed.data, now());
  });

  // The kartu kendali of a file a complaint names: attached to the complaint, so the officials
  // handling it see where the time went (seeds: the cards are collected when someone complains).
  app.get<{ Params: { id: string } }>(`${API_PREFIX}/complaints/:id/kartu`, async (request, reply) => {
    const user = allowed(request, reply, COMPLAINT_ROLES);
    if (!user) return reply;
    const complaint = await db.selectFrom('complaints').select('application_id').where('id', '=', request.params.id).where('office_id', '=', user.office_id).executeTakeFirst();
    if (!complaint?.application_id) return reply.code(404).send({ error: 'not_found', message: 'the complaint names no application' });
    const app = await officeApplication(db, user, complaint.application_id);
    if (!app) return reply.code(404).send({ error: 'not_found', message: 'the complaint names no application' });
    const office = await loadOffice(db, user.office_id);
    const permitType = (await loadPermitTypes(db, user.office_id)).find((p) => p.id === app.permit_type_id);
    const events = (await db.selectFrom('events').selectAll().where('application_id', '=', app.id).orderBy('seq').execute()).map(eventFromRow);
    return {
      applicationId: app.id,
      registrationNumber: app.registration_number,
      applicantName: (JSON.parse(app.applicant) as { fullName: string }).fullName,
      permitTypeName: permitType?.name ?? app.permit_type_id,
      slaWorkingDays: permitType?.slaWorkingDays ?? 3,
      completeAt: app.complete_at,
      workflow: await loadWorkflow(db, app.workflow_id),
      events,
      timeZone: office.timeZone,
      holidays: office.holidays.map((h) => h.date),
      officeName: `${office.name} ${office.city}`,
    };
  });
}
