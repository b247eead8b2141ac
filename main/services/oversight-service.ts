import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CacheDatabase } from '../../db/cache-database';
import { complaintActionsFor, complaintSchema, complaintStep, reportActionsFor, type Complaint, type ComplaintCommand } from '../../shared/complaint-rules';
import type { DeskKartu, Handlers } from '../../shared/contract';
import { monitoringCacheKey, monitoringFiguresSchema, type MonitoringPeriod } from '../../shared/monitoring';
import { AppFailure } from '../../shared/result';
import type { User } from '../../shared/sync-protocol';
import type { Role } from '../../shared/roles';
import { z } from 'zod';
import { readApplication, readEvents, readMeta, readOffice, readPermitTypes, readWorkflows, writeMeta } from './cache-reads';
import { kartuKendaliPdf } from './kartu-pdf';
import { writeLocalComplaint } from './local-decision';
import type { ComplaintOutboxCommand } from './outbox-command';
import { complaintCommands } from './outbox';
import type { OversightClient } from './oversight-client';
import type { SessionService } from './session-service';
import type { SyncService } from './sync-service';

type OversightMethods = 'monitoring.get' | 'monitoring.report' | 'kartu.get' | 'kartu.pdf' | 'complaints.list' | 'complaints.act' | 'complaints.kartu' | 'complaints.report';

const COMPLAINTS_KEY = 'complaints:last';

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The desk side of office oversight: monitoring figures (the last answer per period kept in the
 * cache's meta table for offline viewing), the monthly report, the kartu kendali (card and PDF)
 * and the Buku Pengaduan. Complaint commands carry a client-made id and go through the same
 * outbox as decisions (local-decision.ts writeLocalComplaint): written in one transaction,
 * delivered by the sync to the complaint route (the server applies each id once), kept while the
 * server is away and listed as pending until delivered; a refusal is kept with its reason.
 */
export function oversightHandlers(deps: { db: Kysely<CacheDatabase>; session: SessionService; client: OversightClient; sync: SyncService; now: () => Date }): Pick<Handlers, OversightMethods> {
  const { db, session, client, sync, now } = deps;
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

  async function localKartu(applicationId: string): Promise<DeskKartu> {
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

  /** A step the desk can already tell the rules refuse is refused here, before it waits in the outbox. */
  async function precheck(command: ComplaintCommand, r: Role) {
    if (command.kind !== 'complaint') return;
    let known: Complaint | null = null;
    if (command.action !== 'record') {
      const cached = await readMeta(db, COMPLAINTS_KEY);
      const list = cached ? z.array(complaintSchema).safeParse(safeJson(cached)) : null;
      known = list?.success ? (list.data.find((c) => c.id === command.complaintId) ?? null) : null;
      if (!known) return; // the server decides
    }
    const verdict = complaintStep(known, r, command.action, { note: command.note, answerChannel: command.answerChannel });
    if (!verdict.ok) throw new AppFailure(verdict.code === 'ROLE_NOT_ALLOWED' ? 'FORBIDDEN_ROLE' : verdict.code === 'REASON_REQUIRED' ? 'REASON_REQUIRED' : 'TRANSITION_NOT_ALLOWED', verdict.message);
  }

  /** Pending outbox commands shown on the list: a complaint recorded here appears at once, marked pending. */
  async function withPending(complaints: Complaint[], pending: ComplaintOutboxCommand[], user: User) {
    const listed = complaints.map((c) => ({ ...c, pending: false }));
    for (const { command, recordedAt, decidedBy } of pending) {
      if (command.kind !== 'complaint') continue;
      const line = { action: command.action, status: 'pending', actorName: decidedBy?.fullName ?? user.fullName, actorRole: decidedBy?.role ?? user.role, note: command.note, at: recordedAt };
      const existing = listed.find((c) => c.id === command.complaintId);
      if (existing) {
        existing.pending = true;
        existing.history = [...existing.history, line];
      } else if (command.action === 'record' && command.complaint) {
        const d = command.complaint;
        const file = d.applicationId ? await db.selectFrom('applications').select('registration_number').where('id', '=', d.applicationId).executeTakeFirst() : undefined;
        listed.unshift({
          id: command.complaintId,
          receivedOn: d.receivedOn,
          complainantName: d.complainantName,
          complainantIdentity: d.complainantIdentity,
          contact: d.contact,
          channel: d.channel,
          type: d.type,
          weight: d.weight,
          summary: d.summary,
          applicationId: d.applicationId,
          registrationNumber: file?.registration_number ?? null,
          status: 'recorded',
          coordination: null,
          answer: null,
          history: [line],
          pending: true,
        });
      }
    }
    return listed;
  }

  // a complaint with a step still waiting in the outbox offers nothing more until it is delivered
  const withActions = (complaints: Array<Complaint & { pending: boolean }>, r: Role) => complaints.map((c) => ({ ...c, actions: c.pending ? [] : complaintActionsFor(c, r) }));

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
      const user = session.requireUser();
      const r = user.role as Role;
      const outbox = await complaintCommands(db);
      let complaints: Complaint[];
      let fromCache = false;
      try {
        complaints = (await client.complaints()).complaints;
        await writeMeta(db, COMPLAINTS_KEY, JSON.stringify(complaints));
      } catch (error) {
        if (!(error instanceof AppFailure) || (error.code !== 'SERVER_UNREACHABLE' && error.code !== 'SESSION_EXPIRED')) throw error;
        const cached = await readMeta(db, COMPLAINTS_KEY);
        if (!cached && outbox.pending.length === 0) throw error;
        complaints = cached ? z.array(complaintSchema).parse(JSON.parse(cached)) : [];
        fromCache = true;
      }
      return { complaints: withActions(await withPending(complaints, outbox.pending, user), r), fromCache, rejectedCommands: outbox.rejected };
    },
    'complaints.act': async (input) => {
      const user = session.requireUser();
      const command: ComplaintCommand = input.kind === 'complaint' ? { ...input, id: randomUUID(), complaintId: input.complaintId ?? randomUUID() } : { ...input, id: randomUUID() };
      await precheck(command, user.role as Role);
      // into the outbox (and its journal) in one transaction, then sent at once when the server is there
      await db.transaction().execute((trx) => writeLocalComplaint(trx, { command, actor: user, at: now().toISOString() }));
      const subject = command.kind === 'complaint' ? command.complaintId : command.month;
      let outcome;
      try {
        outcome = (await sync.pushOutbox(true)).get(command.id);
      } catch (error) {
        if (error instanceof AppFailure && (error.code === 'SERVER_UNREACHABLE' || error.code === 'SESSION_EXPIRED' || error.code === 'SERVER_ERROR')) return { id: subject, delivered: false };
        throw error;
      }
      if (outcome?.status === 'rejected') {
        const code = outcome.code === 'FORBIDDEN_ROLE' || outcome.code === 'REASON_REQUIRED' || outcome.code === 'NOT_FOUND' ? outcome.code : 'TRANSITION_NOT_ALLOWED';
        throw new AppFailure(code, outcome.message);
      }
      return { id: subject, delivered: outcome?.status === 'accepted' };
    },
    'complaints.kartu': async ({ complaintId }) => {
      session.requireUser();
      // the server's lines: none waits in this desk's outbox
      const source = await client.complaintKartu(complaintId);
      return { ...source, events: source.events.map((e) => ({ ...e, pending: false })) };
    },
    'complaints.report': async ({ month }) => {
      const r = role();
      const { report } = await client.complaintReport(month);
      return { report, actions: reportActionsFor(report?.status ?? null, r) };
    },
  };
}
