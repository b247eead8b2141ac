import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CacheDatabase } from '../../db/cache-database';
import { complaintActionsFor, complaintSchema, reportActionsFor, type Complaint, type ComplaintCommand } from '../../shared/complaint-rules';
import type { Handlers } from '../../shared/contract';
import { monitoringCacheKey, monitoringFiguresSchema, type KartuSource, type MonitoringPeriod } from '../../shared/monitoring';
import { AppFailure } from '../../shared/result';
import type { Role } from '../../shared/roles';
import { z } from 'zod';
import { readApplication, readEvents, readMeta, readOffice, readPermitTypes, readWorkflows, writeMeta } from './cache-reads';
import { kartuKendaliPdf } from './kartu-pdf';
import type { OversightClient } from './oversight-client';
import type { SessionService } from './session-service';

type OversightMethods = 'monitoring.get' | 'monitoring.report' | 'kartu.get' | 'kartu.pdf' | 'complaints.list' | 'complaints.act' | 'complaints.kartu' | 'complaints.report';

const COMPLAINTS_KEY = 'complaints:last';
const RETRY_DELAYS_MS = [300, 1000, 3000];

/**
 * The desk side of office oversight: monitoring figures (the last answer per period kept in the
 * cache's meta table for offline viewing), the monthly report, the kartu kendali (card and PDF)
 * and the Buku Pengaduan. Complaint commands carry a client-made id and are sent straight to the
 * server's complaint route, retried with the same id (the server applies each id once); see the
 * report on why they do not ride the decision outbox yet.
 */
export function oversightHandlers(deps: { db: Kysely<CacheDatabase>; session: SessionService; client: OversightClient; now: () => Date }): Pick<Handlers, OversightMethods> {
  const { db, session, client, now } = deps;
  const role = () => session.requireUser().role as Role;

  async function monitoring(period: MonitoringPeriod) {
    session.requireUser();
    const key = monitoringCacheKey(period);
    try {
      const figures = await client.monitoring(period);
      await writeMeta(db, key, JSON.stringify(figures));
      return { figures, fromCache: false };
    } catch (error) {
      if (!(error instanceof AppFailure) || error.code !== 'SERVER_UNREACHABLE') throw error;
      const cached = await readMeta(db, key);
      if (!cached) throw error;
      return { figures: monitoringFiguresSchema.parse(JSON.parse(cached)), fromCache: true };
    }
  }

  async function localKartu(applicationId: string): Promise<KartuSource> {
    const { application } = await readApplication(db, applicationId);
    const workflow = (await readWorkflows(db)).get(application.workflowId);
    const permitType = (await readPermitTypes(db)).get(application.permitTypeId);
    const office = await readOffice(db);
    if (!workflow || !permitType || !office) throw new AppFailure('INTERNAL', 'workflow, permit type or office missing from cache');
    return {
      applicationId,
      registrationNumber: application.registrationNumber,
      applicantName: application.applicant.fullName,
      permitTypeName: permitType.name,
      slaWorkingDays: permitType.slaWorkingDays,
      completeAt: application.completeAt,
      workflow,
      events: await readEvents(db, applicationId),
      timeZone: office.timeZone,
      holidays: office.holidays.map((h) => h.date),
      officeName: `${office.name} ${office.city}`,
    };
  }

  async function sendOnce(command: ComplaintCommand) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const result = await client.sendComplaintCommand(command);
        if (result.status === 'rejected') throw new AppFailure(result.code === 'FORBIDDEN_ROLE' || result.code === 'REASON_REQUIRED' || result.code === 'NOT_FOUND' ? result.code : 'TRANSITION_NOT_ALLOWED', result.message);
        return;
      } catch (error) {
        const retriable = error instanceof AppFailure && error.code === 'SERVER_UNREACHABLE' && attempt < RETRY_DELAYS_MS.length;
        if (!retriable) throw error;
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
      }
    }
  }

  const withActions = (complaints: Complaint[], r: Role) => complaints.map((c) => ({ ...c, actions: complaintActionsFor(c, r) }));

  return {
    'monitoring.get': (period) => monitoring(period),
    'monitoring.report': async ({ month, format }) => {
      session.requireUser();
      const bytes = await client.report(month, format);
      return {
        fileName: `laporan-kinerja-${month}.${format}`,
        mimeType: format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        base64: bytes.toString('base64'),
      };
    },
    'kartu.get': async ({ applicationId }) => {
      session.requireUser();
      return localKartu(applicationId);
    },
    'kartu.pdf': async ({ applicationId, complaintId }) => {
      session.requireUser();
      const source = complaintId ? await client.complaintKartu(complaintId) : await localKartu(applicationId ?? '');
      const bytes = await kartuKendaliPdf(source, now());
      return { fileName: `kartu-kendali-${source.registrationNumber}.pdf`, mimeType: 'application/pdf', base64: Buffer.from(bytes).toString('base64') };
    },
    'complaints.list': async () => {
      const r = role();
      try {
        const { complaints } = await client.complaints();
        await writeMeta(db, COMPLAINTS_KEY, JSON.stringify(complaints));
        return { complaints: withActions(complaints, r), fromCache: false };
      } catch (error) {
        if (!(error instanceof AppFailure) || error.code !== 'SERVER_UNREACHABLE') throw error;
        const cached = await readMeta(db, COMPLAINTS_KEY);
        if (!cached) throw error;
        return { complaints: withActions(z.array(complaintSchema).parse(JSON.parse(cached)), r), fromCache: true };
      }
    },
    'complaints.act': async (input) => {
      session.requireUser();
      const command: ComplaintCommand = input.kind === 'complaint' ? { ...input, id: randomUUID(), complaintId: input.complaintId ?? randomUUID() } : { ...input, id: randomUUID() };
      await sendOnce(command);
      return { id: command.kind === 'complaint' ? command.complaintId : command.month };
    },
    'complaints.kartu': async ({ complaintId }) => {
      session.requireUser();
      return client.complaintKartu(complaintId);
    },
    'complaints.report': async ({ month }) => {
      const r = role();
      const { report } = await client.complaintReport(month);
      return { report, actions: reportActionsFor(report?.status ?? null, r) };
    },
  };
}
