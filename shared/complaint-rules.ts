import { z } from 'zod';
import type { Role } from './roles';
import { calendarDateSchema, calendarMonthSchema } from './calendar-date-schema';

/**
 * The Buku Pengaduan's one rule, pure: which official may take which step on a complaint or on
 * the monthly complaints report, and where each step leads. The desk calls it to offer actions;
 * the server calls it to decide. Per the Standar Pelayanan (seeds 58/74/84, Pekanbaru SOP):
 * the complaints unit (Penata Perizinan Ahli Muda) records, verifies and answers; a *sedang*
 * complaint is coordinated with the head of division and the Kepala Dinas, a *berat* one by the
 * Kepala Dinas with the mayor's assistant or the regional secretary; the answer goes back on the
 * channel the complaint came by; the monthly report is checked by the Sekretaris (returned for
 * fixes, or approved) and handed to the Kepala Dinas.
 */
export const COMPLAINT_CHANNELS = [
  'ruang_pengaduan',
  'email',
  'sp4n_lapor',
  'pengaduan_mppd',
  'hp_pengaduan',
  'telepon',
  'fax',
  'kotak_saran',
  'formulir_ikm',
] as const;
export const COMPLAINT_WEIGHTS = ['ringan', 'sedang', 'berat'] as const;
export const COMPLAINT_TYPES = ['waktu_pelayanan', 'persyaratan', 'perilaku_petugas', 'biaya', 'sarana', 'informasi', 'lainnya'] as const;
export const COMPLAINT_STATUSES = ['recorded', 'verified', 'in_follow_up', 'answered', 'closed'] as const;
export const COMPLAINT_ACTIONS = ['record', 'verify', 'follow_up', 'coordinate', 'answer', 'close'] as const;
export const REPORT_STATUSES = ['draft', 'submitted', 'returned', 'approved', 'received'] as const;
export const REPORT_ACTIONS = ['draft', 'submit', 'return', 'approve', 'receive'] as const;

export type ComplaintChannel = (typeof COMPLAINT_CHANNELS)[number];
export type ComplaintWeight = (typeof COMPLAINT_WEIGHTS)[number];
export type ComplaintType = (typeof COMPLAINT_TYPES)[number];
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];
export type ComplaintAction = (typeof COMPLAINT_ACTIONS)[number];
export type ReportStatus = (typeof REPORT_STATUSES)[number];
export type ReportAction = (typeof REPORT_ACTIONS)[number];

/** The complaints unit: Penata Perizinan Ahli Muda (DOMAIN.md, seeds). */
export const COMPLAINTS_UNIT_ROLE: Role = 'penata_perizinan';

/** Who coordinates a complaint of each weight before it is answered. */
export const COMPLAINT_ROUTING: Record<ComplaintWeight, { coordinator: Role | null; withWhom: string }> = {
  ringan: { coordinator: null, withWhom: 'dijawab langsung oleh petugas yang menangani' },
  sedang: { coordinator: 'kepala_dinas', withWhom: 'dikoordinasikan dengan kepala bidang terkait dan Kepala Dinas' },
  berat: { coordinator: 'kepala_dinas', withWhom: 'dikoordinasikan oleh Kepala Dinas dengan Walikota c.q. Asisten atau Sekretaris Daerah' },
};

/** a date as the server answers it: its stored form (what the office recorded stays readable) */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const complaintHistorySchema = z.object({
  action: z.string(),
  status: z.string(),
  actorName: z.string(),
  actorRole: z.string().nullable(),
  note: z.string().nullable(),
  at: z.string(),
});

export const complaintSchema = z.object({
  id: z.string(),
  receivedOn: isoDate,
  complainantName: z.string(),
  complainantIdentity: z.string(),
  contact: z.string(),
  channel: z.enum(COMPLAINT_CHANNELS),
  type: z.enum(COMPLAINT_TYPES),
  weight: z.enum(COMPLAINT_WEIGHTS),
  summary: z.string(),
  applicationId: z.string().nullable(),
  registrationNumber: z.string().nullable(),
  status: z.enum(COMPLAINT_STATUSES),
  /** the coordination decision (sedang, berat) */
  coordination: z.string().nullable(),
  answer: z.object({ text: z.string(), channel: z.enum(COMPLAINT_CHANNELS), at: z.string(), byName: z.string() }).nullable(),
  history: z.array(complaintHistorySchema),
});

export const complaintReportSchema = z.object({
  month: z.string().regex(/^\d{4}-\d{2}$/),
  status: z.enum(REPORT_STATUSES),
  note: z.string(),
  /** the complaints of the month when the report was last drafted or fixed: date, identity, type, weight */
  entries: z.array(z.object({ id: z.string(), receivedOn: isoDate, complainantName: z.string(), complainantIdentity: z.string(), type: z.string(), weight: z.string(), status: z.string() })),
  history: z.array(complaintHistorySchema),
});

/** The longest text of each field of a complaint: the form stops there, the schema refuses more. */
export const COMPLAINT_TEXT_LIMITS = { complainantName: 200, complainantIdentity: 100, contact: 200, summary: 4000, note: 4000 } as const;

/** What the complaints unit records of a new complaint (Buku Pengaduan: date, identity, contact, channel, type, weight). */
export const complaintDetailsSchema = z
  .object({
    receivedOn: calendarDateSchema,
    complainantName: z.string().trim().min(1).max(COMPLAINT_TEXT_LIMITS.complainantName),
    complainantIdentity: z.string().trim().min(1).max(COMPLAINT_TEXT_LIMITS.complainantIdentity),
    contact: z.string().trim().min(1).max(COMPLAINT_TEXT_LIMITS.contact),
    channel: z.enum(COMPLAINT_CHANNELS),
    type: z.enum(COMPLAINT_TYPES),
    weight: z.enum(COMPLAINT_WEIGHTS),
    summary: z.string().trim().min(1).max(COMPLAINT_TEXT_LIMITS.summary),
    applicationId: z.string().max(64).nullable(),
  })
  .strict();

export const complaintCommandSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('complaint'),
      id: z.string().uuid(),
      complaintId: z.string().uuid(),
      action: z.enum(COMPLAINT_ACTIONS),
      /** for `record` */
      complaint: complaintDetailsSchema.optional(),
      note: z.string().trim().max(COMPLAINT_TEXT_LIMITS.note).nullable().default(null),
      /** for `answer`: must be the channel the complaint came by */
      answerChannel: z.enum(COMPLAINT_CHANNELS).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('report'),
      id: z.string().uuid(),
      month: calendarMonthSchema,
      action: z.enum(REPORT_ACTIONS),
      note: z.string().trim().max(COMPLAINT_TEXT_LIMITS.note).nullable().default(null),
    })
    .strict(),
]);

export type Complaint = z.infer<typeof complaintSchema>;
export type ComplaintReport = z.infer<typeof complaintReportSchema>;
export type ComplaintCommand = z.infer<typeof complaintCommandSchema>;
export type ComplaintCommandInput = z.input<typeof complaintCommandSchema>;

export interface ComplaintSummary {
  month: string;
  total: number;
  byWeight: Partial<Record<ComplaintWeight, number>>;
  answered: number;
}

export type RuleVerdict<S> = { ok: true; to: S } | { ok: false; code: 'ROLE_NOT_ALLOWED' | 'INVALID_TRANSITION' | 'REASON_REQUIRED' | 'WRONG_CHANNEL' | 'COORDINATION_REQUIRED'; message: string };

/** Whether `role` may take `action` on a complaint in `status` (null: not yet recorded). */
export function complaintStep(
  complaint: Pick<Complaint, 'status' | 'weight' | 'channel' | 'coordination'> | null,
  role: Role,
  action: ComplaintAction,
  extra: { note?: string | null; answerChannel?: ComplaintChannel } = {},
): RuleVerdict<ComplaintStatus> {
  const refuse = (code: Exclude<RuleVerdict<ComplaintStatus>, { ok: true }>['code'], message: string) => ({ ok: false as const, code, message });
  if (action === 'record') {
    if (complaint) return refuse('INVALID_TRANSITION', 'the complaint is already recorded');
    if (role !== COMPLAINTS_UNIT_ROLE) return refuse('ROLE_NOT_ALLOWED', 'only the complaints unit records complaints');
    return { ok: true, to: 'recorded' };
  }
  if (!complaint) return refuse('INVALID_TRANSITION', 'no such complaint');
  const coordinator = COMPLAINT_ROUTING[complaint.weight].coordinator;
  switch (action) {
    case 'verify':
      if (role !== COMPLAINTS_UNIT_ROLE) return refuse('ROLE_NOT_ALLOWED', 'the complaints unit verifies');
      return complaint.status === 'recorded' ? { ok: true, to: 'verified' } : refuse('INVALID_TRANSITION', `cannot verify a ${complaint.status} complaint`);
    case 'follow_up':
      if (role !== COMPLAINTS_UNIT_ROLE) return refuse('ROLE_NOT_ALLOWED', 'the complaints unit routes the follow-up');
      return complaint.status === 'verified' ? { ok: true, to: 'in_follow_up' } : refuse('INVALID_TRANSITION', `cannot follow up a ${complaint.status} complaint`);
    case 'coordinate':
      if (coordinator === null) return refuse('INVALID_TRANSITION', 'a ringan complaint is answered directly, without coordination');
      if (role !== coordinator) return refuse('ROLE_NOT_ALLOWED', `the ${coordinator} coordinates a ${complaint.weight} complaint`);
      if (complaint.status !== 'in_follow_up') return refuse('INVALID_TRANSITION', `cannot coordinate a ${complaint.status} complaint`);
      if (!extra.note) return refuse('REASON_REQUIRED', 'write the coordination decision');
      return { ok: true, to: 'in_follow_up' };
    case 'answer':
      if (role !== COMPLAINTS_UNIT_ROLE) return refuse('ROLE_NOT_ALLOWED', 'the complaints unit sends the answer');
      if (complaint.status !== 'in_follow_up') return refuse('INVALID_TRANSITION', `cannot answer a ${complaint.status} complaint`);
      if (coordinator !== null && !complaint.coordination) return refuse('COORDINATION_REQUIRED', `a ${complaint.weight} complaint is answered after the Kepala Dinas's coordination`);
      if (!extra.note) return refuse('REASON_REQUIRED', 'write the answer');
      if (extra.answerChannel !== complaint.channel) return refuse('WRONG_CHANNEL', 'the answer goes back on the channel the complaint came by');
      return { ok: true, to: 'answered' };
    case 'close':
      if (role !== COMPLAINTS_UNIT_ROLE) return refuse('ROLE_NOT_ALLOWED', 'the complaints unit closes complaints');
      return complaint.status === 'answered' ? { ok: true, to: 'closed' } : refuse('INVALID_TRANSITION', `cannot close a ${complaint.status} complaint`);
  }
}

/** The monthly complaints report: drafted and fixed by the complaints unit, checked by the Sekretaris, received by the Kepala Dinas. */
export function reportStep(status: ReportStatus | null, role: Role, action: ReportAction, note: string | null = null): RuleVerdict<ReportStatus> {
  const refuse = (code: Exclude<RuleVerdict<ReportStatus>, { ok: true }>['code'], message: string) => ({ ok: false as const, code, message });
  const by = (expected: Role) => role === expected;
  switch (action) {
    case 'draft':
      if (!by(COMPLAINTS_UNIT_ROLE)) return refuse('ROLE_NOT_ALLOWED', 'the complaints unit drafts the report');
      return status === null || status === 'draft' || status === 'returned' ? { ok: true, to: status === 'returned' ? 'returned' : 'draft' } : refuse('INVALID_TRANSITION', `cannot redraft a ${status} report`);
    case 'submit':
      if (!by(COMPLAINTS_UNIT_ROLE)) return refuse('ROLE_NOT_ALLOWED', 'the complaints unit hands the report to the Sekretaris');
      return status === 'draft' || status === 'returned' ? { ok: true, to: 'submitted' } : refuse('INVALID_TRANSITION', `cannot submit a ${status ?? 'missing'} report`);
    case 'return':
      if (!by('sekretaris')) return refuse('ROLE_NOT_ALLOWED', 'the Sekretaris checks the report');
      if (status !== 'submitted') return refuse('INVALID_TRANSITION', `cannot return a ${status ?? 'missing'} report`);
      return note ? { ok: true, to: 'returned' } : refuse('REASON_REQUIRED', 'say what to fix');
    case 'approve':
      if (!by('sekretaris')) return refuse('ROLE_NOT_ALLOWED', 'the Sekretaris approves the report');
      return status === 'submitted' ? { ok: true, to: 'approved' } : refuse('INVALID_TRANSITION', `cannot approve a ${status ?? 'missing'} report`);
    case 'receive':
      if (!by('kepala_dinas')) return refuse('ROLE_NOT_ALLOWED', 'the report is handed to the Kepala Dinas');
      return status === 'approved' ? { ok: true, to: 'received' } : refuse('INVALID_TRANSITION', `cannot receive a ${status ?? 'missing'} report`);
  }
}

/** The complaint actions `role` may take now: the desk offers exactly these. */
export function complaintActionsFor(complaint: Complaint, role: Role): ComplaintAction[] {
  return COMPLAINT_ACTIONS.filter((a) => {
    if (a === 'record') return false;
    const verdict = complaintStep(complaint, role, a, { note: 'x', answerChannel: complaint.channel });
    return verdict.ok && !(a === 'coordinate' && complaint.coordination);
  });
}

export function reportActionsFor(status: ReportStatus | null, role: Role): ReportAction[] {
  return REPORT_ACTIONS.filter((a) => reportStep(status, role, a, 'x').ok);
}
