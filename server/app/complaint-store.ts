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
import { officeApplication } from './access-scope';

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
 * Everything is the official's own office's: its Buku Pengaduan, its files, its monthly report;
 * another office's complaint or file answers as one that does not exist.
 */
export async function applyComplaintCommand(db: Kysely<ServerDatabase>, user: UserTable, command: ComplaintCommand, now = new Date()): Promise<CommandResult> {
  const { id, ...content } = command;
  const booking = { author: user, pushedBy: user, contentHash: commandContentHash({ endpoint: 'complaints', ...content }, user.id) };
  const role = user.role as Role;
  const at = now.toISOString();
  return runCommandOnce(db, booking, id, now, async (trx) => {
    const history = (subject: 'complaint' | 'report', subjectId: string, action: string, status: string, note: string | null) =>
      trx.insertInto('complaint_history').values({ office_id: user.office_id, subject, subject_id: subjectId, command_id: id, action, status, user_id: user.id, actor_name: user.full_name, actor_role: user.role, note, at }).execute();
    if (command.kind === 'complaint') {
      const found = await trx.selectFrom('complaints').selectAll().where('id', '=', command.complaintId).executeTakeFirst();
      if (found && found.office_id !== user.office_id) {
        throw new Rejection('NOT_FOUND', command.action === 'record' ? 'this complaint id cannot be used' : 'no such complaint');
      }
      const row = found;
      const current = row ? { status: row.status as Complaint['status'], weight: row.weight as ComplaintWeight, channel: row.channel as Complaint['channel'], coordination: row.coordination } : null;
      const to = decided(complaintStep(current, role, command.action, { note: command.note, answerChannel: command.answerChannel }));
      if (command.action === 'record') {
        const c = command.complaint;
        if (!c) throw new Rejection('REASON_REQUIRED', 'a complaint to record');
        if (c.applicationId && !(await officeApplication(trx, user, c.applicationId))) throw new Rejection('NOT_FOUND', 'no such application');
        await trx
          .insertInto('complaints')
          .values({
            id: command.complaintId,
            office_id: user.office_id,
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
        // guarded by the status judged: a concurrent step on the same complaint (another server process) makes this one refused, not doubled
        const moved = await trx.updateTable('complaints').set(changes).where('id', '=', command.complaintId).where('office_id', '=', user.office_id).where('status', '=', row?.status ?? '').executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) throw new Rejection('STAGE_CHANGED', 'the complaint changed meanwhile');
      }
      await history('complaint', command.complaintId, command.action, to, command.note);
      return 0;
    }
    const report = await trx.selectFrom('complaint_reports').selectAll().where('office_id', '=', user.office_id).where('month', '=', command.month).executeTakeFirst();
    const to = decided(reportStep((report?.status as ReportStatus | undefined) ?? null, role, command.action, command.note));
    if (command.action === 'draft') {
      const entries = JSON.stringify(await monthEntries(trx, user.office_id, command.month));
      if (report) {
        await trx.updateTable('complaint_reports').set({ status: to, note: command.note ?? report.note, entries }).where('office_id', '=', user.office_id).where('month', '=', command.month).execute();
      } else {
        await trx.insertInto('complaint_reports').values({ office_id: user.office_id, month: command.month, status: to, note: command.note ?? '', entries }).execute();
      }
    } else {
      const moved = await trx.updateTable('complaint_reports').set({ status: to }).where('office_id', '=', user.office_id).where('month', '=', command.month).where('status', '=', report?.status ?? '').executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) throw new Rejection('STAGE_CHANGED', 'the report changed meanwhile');
    }
    await history('report', command.month, command.action, to, command.note);
    return 0;
  });
}

async function monthEntries(db: Db, officeId: string, month: string): Promise<ComplaintReport['entries']> {
  const rows = await db.selectFrom('complaints').selectAll().where('office_id', '=', officeId).where('received_on', 'like', `${month}-%`).orderBy('received_on').orderBy('complainant_name').execute();
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

/** An office's Buku Pengaduan: every complaint, newest first, each with its own history. */
export async function listComplaints(db: Db, officeId: string): Promise<Complaint[]> {
  const rows = await db
    .selectFrom('complaints')
    .leftJoin('applications', 'applications.id', 'complaints.application_id')
    .selectAll('complaints')
    .select('applications.registration_number as registration_number')
    .where('complaints.office_id', '=', officeId)
    .orderBy('complaints.received_on', 'desc')
    .orderBy('complaints.id')
    .execute();
  const history = await db.selectFrom('complaint_history').selectAll().where('office_id', '=', officeId).where('subject', '=', 'complaint').orderBy('seq').execute();
  return rows.map((r) => complaintFromRow(r, r.registration_number ?? null, history.filter((h) => h.subject_id === r.id)));
}

export async function loadComplaintReport(db: Db, officeId: string, month: string): Promise<ComplaintReport | null> {
  const row = await db.selectFrom('complaint_reports').selectAll().where('office_id', '=', officeId).where('month', '=', month).executeTakeFirst();
  if (!row) return null;
  const history = await db.selectFrom('complaint_history').selectAll().where('office_id', '=', officeId).where('subject', '=', 'report').where('subject_id', '=', month).orderBy('seq').execute();
  return { month, status: row.status as ReportStatus, note: row.note, entries: JSON.parse(row.entries) as ComplaintReport['entries'], history: historyOf(history) };
}

export async function summarizeComplaints(db: Db, officeId: string, month: string): Promise<ComplaintSummary> {
  const rows = await db.selectFrom('complaints').select(['weight', 'status']).where('office_id', '=', officeId).where('received_on', 'like', `${month}-%`).execute();
  const byWeight: ComplaintSummary['byWeight'] = {};
  for (const r of rows) byWeight[r.weight as ComplaintWeight] = (byWeight[r.weight as ComplaintWeight] ?? 0) + 1;
  return { month, total: rows.length, byWeight, answered: rows.filter((r) => r.status === 'answered' || r.status === 'closed').length };
}
