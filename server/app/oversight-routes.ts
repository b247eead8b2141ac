import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { complaintCommandSchema } from '../../shared/complaint-rules';
import { monitoringPeriodSchema } from '../../shared/monitoring';
import { calendarMonthSchema } from '../../shared/calendar-date-schema';
import type { Role } from '../../shared/roles';
import { API_PREFIX } from '../../shared/sync-protocol';
import type { ServerDatabase } from '../db/server-database';
import { requireRole, requireSignedIn } from './bearer-auth';
import { applyComplaintCommand, listComplaints, loadComplaintReport } from './complaint-store';
import { complaintKartu } from './complaint-kartu';
import { invalidRequest, parseRequest } from './domain-refusal';
import { computeMonitoringFigures } from './monitoring-figures';
import { monthlyReportFile } from './monthly-report';

/** Who oversees the office: monitoring and the monthly report. */
const OVERSIGHT_ROLES: readonly Role[] = ['kepala_dinas', 'sekretaris'];
/** Who works the Buku Pengaduan: the complaints unit, the Sekretaris who checks, the Kepala Dinas. */
const COMPLAINT_ROLES: readonly Role[] = ['penata_perizinan', 'sekretaris', 'kepala_dinas'];

const reportQuerySchema = z.object({ month: calendarMonthSchema, format: z.enum(['pdf', 'xlsx']).default('pdf') });

/**
 * Office oversight on the central server: the monitoring figures, the monthly performance
 * report (PDF or XLSX) and the Buku Pengaduan. Bearer token as the rest of the API, and 403 for
 * anyone outside the roles of each route.
 */
export async function oversightRoutes(app: FastifyInstance, options: { db: Kysely<ServerDatabase>; now?: () => Date }) {
  const { db } = options;
  const now = options.now ?? (() => new Date());

  app.addHook('onRequest', requireSignedIn(db));

  app.get(`${API_PREFIX}/oversight/monitoring`, async (request) => {
    const user = requireRole(request, OVERSIGHT_ROLES);
    return computeMonitoringFigures(db, user.office_id, parseRequest(monitoringPeriodSchema, request.query), now());
  });

  app.get(`${API_PREFIX}/oversight/report`, async (request, reply) => {
    const user = requireRole(request, OVERSIGHT_ROLES);
    const { month, format } = parseRequest(reportQuerySchema, request.query);
    const file = await monthlyReportFile(db, user.office_id, month, format, now());
    return reply.header('content-type', file.contentType).header('content-disposition', `attachment; filename="${file.fileName}"`).send(file.body);
  });

  app.get(`${API_PREFIX}/complaints`, async (request) => {
    const user = requireRole(request, COMPLAINT_ROLES);
    return { complaints: await listComplaints(db, user.office_id) };
  });

  app.get<{ Params: { month: string } }>(`${API_PREFIX}/complaints/reports/:month`, async (request) => {
    const user = requireRole(request, COMPLAINT_ROLES);
    if (!calendarMonthSchema.safeParse(request.params.month).success) throw invalidRequest('month is YYYY-MM');
    return { report: await loadComplaintReport(db, user.office_id, request.params.month) };
  });

  app.post(`${API_PREFIX}/complaints/commands`, async (request) => {
    const user = requireRole(request, COMPLAINT_ROLES);
    return applyComplaintCommand(db, user, parseRequest(complaintCommandSchema, request.body), now());
  });

  app.get<{ Params: { id: string } }>(`${API_PREFIX}/complaints/:id/kartu`, async (request) => complaintKartu(db, requireRole(request, COMPLAINT_ROLES), request.params.id));
}
