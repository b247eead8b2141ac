import type { Kysely, Selectable, Transaction } from 'kysely';
import {
  complaintStep,
  reportStep,
  type Complaint,
  type ComplaintCommand,
  type ComplaintReport,
  type ComplaintSummary,
  type ComplaintWeight,
  type ReportStatus,
  type RuleVerdict,
} from '../../shared/complaint-rules';
import type { Role } from '../../shared/roles';
import type { CommandResult, RejectionCode } from '../../shared/sync-protocol';
import { commandContentHash } from '../../shared/node/command-mac';
import type { ComplaintHistoryTable, ComplaintTable, ServerDatabase, UserTable } from '../db/server-database';
import { Rejection, runCommandOnce } from './command-ledger';

type Db = Kysely<ServerDatabase> | Transaction<ServerDatabase>;

const REFUSAL: Record<Exclude<RuleVerdict<string>, { ok: true }>['code'], RejectionCode> = {
  ROLE_NOT_ALLOWED: 'FORBIDDEN_ROLE',
  INVALID_TRANSITION: 'TRANSITION_NOT_ALLOWED',
  WRONG_CHANNEL: 'TRANSITION_NOT_ALLOWED',
  COORDINATION_REQUIRED: 'TRANSITION_NOT_ALLOWED',
  REASON_REQUIRED: 'REASON_REQUIRED',
};

function decided<S>(verdict: RuleVerdict<S>): S {
  if (!verdict.ok) throw new Rejection(REFUSAL[verdict.code], verdict.message);
  return verdict.to;
}

/**
 * A complaint or report command from the desk, applied at most once per its client-made id
 * (the command ledger), with the roles and transitions decided by shared/complaint-rules.ts.
 */
export async function applyComplaintCommand(db: Kysely<ServerDatabase>, user: UserTable, command: ComplaintCommand, now = new Date()): Promise<CommandResult> {
  const { id, ...content } = command;
  const booking = { author: user, pushedBy: user, contentHash: commandContentHash({ endpoint: 'complaints', ...content }, user.id) };
  const role = user.role as Role;
  const at = now.toISOString();
  return runCommandOnce(db, booking, id, now, async (trx) => {
    const history = (subject: 'complaint' | 'report', subjectId: string, action: string, status: string, note: string | null) =>
      trx.insertInto('complaint_history').values({ subject, subject_id: subjectId, command_id: id, action, status, user_id: user.id, actor_name: user.full_name, actor_role: user.role, note, at }).execute();
    if (command.kind === 'complaint') {
      const row = await trx.selectFrom('complaints').selectAll().where('id', '=', command.complaintId).executeTakeFirst();
      const current = row ? { status: row.status as Complaint['status'], weight: row.weight as ComplaintWeight, channel: row.channel as Complaint['channel'], coordination: row.coordination } : null;
      const to = decided(complaintStep(current, role, command.action, { note: command.note, answerChannel: command.answerChannel }));
      if (command.action === 'record') {
        const c = command.complaint;
        if (!c) throw new Rejection('REASON_REQUIRED', 'a complaint to record');
        if (c.applicationId && !(await trx.selectFrom('applications').select('id').where('id', '=', c.applicationId).executeTakeFirst())) throw new Rejection('NOT_FOUND', 'no such application');
        await trx
          .insertInto('complaints')
          .values({
            id: command.complaintId,
            received_on: c.receivedOn,
            complainant_name: c.complainantName,
            complainant_identity: c.complainantIdentity,
            contact: c.contact,
            channel: c.channel,
            type: c.type,
            weight: c.weight,
            summary: c.summary,
            application_id: c.applicationId,
            status: to,
            coordination: null,
            answer_text: null,
            answer_channel: null,
            answered_at: null,
            answered_by_name: null,
            recorded_by_user_id: user.id,
          })
          .execute();
      } else {
        const changes: Partial<ComplaintTable> = { status: to };
        if (command.action === 'coordinate') changes.coordination = command.note;
        if (command.action === 'answer') Object.assign(changes, { answer_text: command.note, answer_channel: command.answerChannel, answered_at: at, answered_by_name: user.full_name });
        await trx.updateTable('complaints').set(changes).where('id', '=', command.complaintId).execute();
      }
      await history('complaint', command.complaintId, command.action, to, command.note);
      return 0;
    }
    const report = await trx.selectFrom('complaint_reports').selectAll().where('month', '=', command.month).executeTakeFirst();
    const to = decided(reportStep((report?.status as ReportStatus | undefined) ?? null, role, command.action, command.note));
    if (command.action === 'draft') {
      const entries = JSON.stringify(await monthEntries(trx, command.month));
      if (report) await trx.updateTable('complaint_reports').set({ status: to, note: command.note ?? report.note, entries }).where('month', '=', command.month).execute();
      else await trx.insertInto('complaint_reports').values({ month: command.month, status: to, note: command.note ?? '', entries }).execute();
    } else {
      await trx.updateTable('complaint_reports').set({ status: to }).where('month', '=', command.month).execute();
    }
    await history('report', command.month, command.action, to, command.note);
    return 0;
  });
}

async function monthEntries(db: Db, month: string): Promise<ComplaintReport['entries']> {
  const rows = await db.selectFrom('complaints').selectAll().where('received_on', 'like', `${month}-%`).orderBy('received_on').orderBy('complainant_name').execute();
  return rows.map((r) => ({ id: r.id, receivedOn: r.received_on, complainantName: r.complainant_name, complainantIdentity: r.complainant_identity, type: r.type, weight: r.weight, status: r.status }));
}

function historyOf(rows: Array<Selectable<ComplaintHistoryTable>>) {
  return rows.map((h) => ({ action: h.action, status: h.status, actorName: h.actor_name, actorRole: h.actor_role, note: h.note, at: h.at }));
}

function complaintFromRow(r: Selectable<ComplaintTable>, registrationNumber: string | null, history: Array<Selectable<ComplaintHistoryTable>>): Complaint {
  return {
    id: r.id,
    receivedOn: r.received_on,
    complainantName: r.complainant_name,
    complainantIdentity: r.complainant_identity,
    contact: r.contact,
    channel: r.channel as Complaint['channel'],
    type: r.type as Complaint['type'],
    weight: r.weight as Complaint['weight'],
    summary: r.summary,
    applicationId: r.application_id,
    registrationNumber,
    status: r.status as Complaint['status'],
    coordination: r.coordination,
    answer: r.answer_text && r.answer_channel ? { text: r.answer_text, channel: r.answer_channel as Complaint['channel'], at: r.answered_at ?? '', byName: r.answered_by_name ?? '' } : null,
    history: historyOf(history),
  };
}

/** The Buku Pengaduan: every complaint, newest first, each with its own history. */
export async function listComplaints(db: Db): Promise<Complaint[]> {
  const rows = await db
    .selectFrom('complaints')
    .leftJoin('applications', 'applications.id', 'complaints.application_id')
    .selectAll('complaints')
    .select('applications.registration_number as registration_number')
    .orderBy('complaints.received_on', 'desc')
    .orderBy('complaints.id')
    .execute();
  const history = await db.selectFrom('complaint_history').selectAll().where('subject', '=', 'complaint').orderBy('seq').execute();
  return rows.map((r) => complaintFromRow(r, r.registration_number ?? null, history.filter((h) => h.subject_id === r.id)));
}

export async function loadComplaintReport(db: Db, month: string): Promise<ComplaintReport | null> {
  const row = await db.selectFrom('complaint_reports').selectAll().where('month', '=', month).executeTakeFirst();
  if (!row) return null;
  const history = await db.selectFrom('complaint_history').selectAll().where('subject', '=', 'report').where('subject_id', '=', month).orderBy('seq').execute();
  return { month, status: row.status as ReportStatus, note: row.note, entries: JSON.parse(row.entries) as ComplaintReport['entries'], history: historyOf(history) };
}

export async function summarizeComplaints(db: Db, month: string): Promise<ComplaintSummary> {
  const rows = await db.selectFrom('complaints').select(['weight', 'status']).where('received_on', 'like', `${month}-%`).execute();
  const byWeight: ComplaintSummary['byWeight'] = {};
  for (const r of rows) byWeight[r.weight as ComplaintWeight] = (byWeight[r.weight as ComplaintWeight] ?? 0) + 1;
  return { month, total: rows.length, byWeight, answered: rows.filter((r) => r.status === 'answered' || r.status === 'closed').length };
}
