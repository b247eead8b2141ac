import { z } from 'zod';
import {
  applicationEventSchema,
  applicationSchema,
  documentMetaSchema,
  permitTypeSchema,
  referenceRecordSchema,
} from './domain';
import { userSchema } from './sync-protocol';
import { STAGE_OUTCOMES, workflowActionSchema, workflowStageSchema } from './workflow';
import { ERROR_CODES, type Result } from './result';
import { signatureFactsSchema } from './signature-facts';
import { kartuSourceSchema, monitoringFiguresSchema, monitoringPeriodSchema } from './monitoring';
import { COMPLAINT_ACTIONS, COMPLAINT_CHANNELS, REPORT_ACTIONS, complaintDetailsSchema, complaintReportSchema, complaintSchema } from './complaint-rules';

/**
 * The one contract between the renderer and the main-process services. Electron's preload
 * and the loopback web host both carry exactly these methods; main validates every input
 * against its schema before a service sees it.
 */
const empty = z.object({}).strict();

export const syncStatusSchema = z.object({
  online: z.boolean(),
  /** signed in on this desk while the server was unreachable: sign in again to send decisions */
  needsSignIn: z.boolean().default(false),
  lastSyncAt: z.string().nullable(),
  lastError: z.string().nullable(),
  pendingCommands: z.number().int().nonnegative(),
  /** the cache was found damaged at start and restored from the backup taken at this time */
  restoredFromBackupAt: z.string().nullable().default(null),
  /** of those, decisions by other officials that wait for them to sign in again (never sent under another name) */
  waitingForOfficials: z.array(z.object({ name: z.string(), count: z.number().int().positive() })).default([]),
  /** outbox rows too damaged to send: set aside and reported; the others still go */
  quarantinedCommands: z.number().int().nonnegative().default(0),
  rejectedCommands: z.array(
    z.object({
      commandId: z.string(),
      applicationId: z.string(),
      registrationNumber: z.string(),
      action: z.string(),
      code: z.string(),
      message: z.string(),
    }),
  ),
});

export const DEADLINE_STATES = ['overdue', 'today', 'soon', 'on_time'] as const;

export const queueCountsSchema = z.object({
  all: z.number().int(),
  deadline: z.record(z.enum(DEADLINE_STATES), z.number().int()),
  /** files past their stage's own standard time (mutu baku, as the rows' stage timers show); null where none of these stages has one */
  stageOverdue: z.number().int().nullable(),
  permitTypes: z.array(z.object({ id: z.string(), name: z.string(), count: z.number().int() })),
});

export const queueItemSchema = z.object({
  id: z.string(),
  registrationNumber: z.string(),
  applicantName: z.string(),
  nik: z.string(),
  permitTypeName: z.string(),
  stage: z.string(),
  submittedAt: z.string(),
  deadline: z.string().nullable(),
  workingDaysLeft: z.number().int().nullable(),
  /** an action on it waits in the outbox */
  pending: z.boolean(),
  claimedByName: z.string().nullable(),
  /** the stage's own standard time (Pekanbaru's minutes per step), and what is left of it */
  stageStandardMinutes: z.number().int().nullable(),
  stageMinutesLeft: z.number().int().nullable(),
  /** the stage's action of kind `reject`, for the Kepala Dinas's batch rejection */
  rejectActionId: z.string().nullable(),
});

/**
 * A kartu kendali line as the desk has it: `pending` while the decision behind it waits in the
 * outbox (a line made on this desk, which the server's own line replaces once it is accepted).
 */
export const deskEventSchema = applicationEventSchema.extend({ pending: z.boolean().default(false) });

/** The kartu kendali's source with the desk's lines (pending marked). */
export const deskKartuSchema = kartuSourceSchema.extend({ events: z.array(deskEventSchema) });

export const applicationDetailSchema = z.object({
  application: applicationSchema,
  permitType: permitTypeSchema,
  stage: workflowStageSchema,
  /** the actions the signed-in official may take now (empty when not theirs, or pending) */
  actions: z.array(workflowActionSchema),
  documents: z.array(documentMetaSchema),
  events: z.array(deskEventSchema),
  references: z.array(referenceRecordSchema),
  deadline: z.string().nullable(),
  workingDaysLeft: z.number().int().nullable(),
  pending: z.boolean(),
  officeCity: z.string(),
  /** how each terminal stage of the file's chain ends (returned to the applicant, rejected, issued) */
  stageOutcomes: z.record(z.string(), z.enum(STAGE_OUTCOMES).nullable()),
  /** the stage whose action numbers the permit in this file's chain */
  numberingStage: z.string().nullable(),
  /** the office's calendar date now (its zone), for the STR-validity check */
  today: z.string(),
  stageStandardMinutes: z.number().int().nullable(),
  stageMinutesLeft: z.number().int().nullable(),
});

export const decisionResultSchema = z.object({
  /** false: saved in the outbox, delivered when the server can be reached */
  delivered: z.boolean(),
  stage: z.string(),
});

export const fileContentSchema = z.object({
  fileName: z.string(),
  mimeType: z.string(),
  base64: z.string(),
});

export const signingItemSchema = z.object({
  applicationId: z.string(),
  registrationNumber: z.string(),
  applicantName: z.string(),
  status: z.enum(['waiting', 'signing', 'signed', 'failed', 'cancelled']),
  /** why it failed, as an error code the UI translates */
  code: z.enum(ERROR_CODES).nullable(),
  permitNumber: z.string().nullable(),
});

export const signingBatchSchema = z.object({
  id: z.string(),
  signerName: z.string(),
  finished: z.boolean(),
  /** when every item was signed and recorded, or failed (ISO); null while the batch runs */
  finishedAt: z.string().nullable(),
  items: z.array(signingItemSchema),
});

export const preparedPermitSchema = z.object({
  base64: z.string(),
  /** of the decoded bytes, lowercase hex */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  permitNumber: z.string(),
});

export const verificationReportSchema = signatureFactsSchema.extend({
  registry: z.enum(['valid', 'revoked', 'void', 'unknown', 'not_issued', 'unreachable']),
  permitNumber: z.string().nullable(),
  holderName: z.string().nullable(),
});

/** The longest queue search (names, NIK, registration numbers): the search field stops there. */
export const QUEUE_SEARCH_MAX_LENGTH = 100;

export const contract = {
  'session.signIn': {
    input: z.object({ username: z.string().trim().min(1).max(64), password: z.string().min(1).max(256) }).strict(),
    output: z.object({ user: userSchema }),
  },
  'session.signOut': { input: empty, output: z.object({}) },
  'session.current': {
    input: empty,
    output: z.object({
      user: userSchema.nullable(),
      serverUrl: z.string(),
      /** from the last sync: the office's name, city and time zone (WIB, WITA or WIT) */
      office: z.object({ name: z.string(), city: z.string(), timeZone: z.string() }).nullable(),
    }),
  },
  'sync.now': { input: empty, output: syncStatusSchema },
  'sync.status': { input: empty, output: syncStatusSchema },
  'queue.list': {
    input: z
      .object({
        search: z.string().max(QUEUE_SEARCH_MAX_LENGTH).optional(),
        permitTypeId: z.string().max(64).optional(),
        deadline: z.enum(DEADLINE_STATES).optional(),
        /** only the files past their stage's own standard time */
        stageTime: z.enum(['over']).optional(),
        sort: z.enum(['deadline', 'submitted', 'name']).optional(),
        offset: z.number().int().min(0).max(10_000_000).optional(),
        limit: z.number().int().min(1).max(500).optional(),
        /** also count per filter (the chips' numbers); asked with the first page only */
        withCounts: z.boolean().optional(),
      })
      .strict(),
    output: z.object({
      items: z.array(queueItemSchema),
      /** rows matching the filters, of which `items` is the page at `offset`; counted with the first page */
      total: z.number().int().nonnegative().nullable(),
      offset: z.number().int().nonnegative(),
      stageNames: z.array(z.string()),
      /** the role signs permits at one of these stages (the Kepala Dinas's batch desk) */
      canSign: z.boolean(),
      /** per-filter counts over the role's files and the search, when asked for */
      counts: queueCountsSchema.nullable(),
    }),
  },
  'application.get': {
    input: z.object({ applicationId: z.string().min(1).max(64) }).strict(),
    output: applicationDetailSchema,
  },
  'application.document': {
    input: z.object({ documentId: z.string().min(1).max(64) }).strict(),
    output: fileContentSchema,
  },
  'application.claim': {
    input: z.object({ applicationId: z.string().min(1).max(64), take: z.boolean() }).strict(),
    output: z.object({ claimedBy: z.object({ userId: z.string(), name: z.string(), at: z.string() }).nullable() }),
  },
  'review.decide': {
    input: z
      .object({
        applicationId: z.string().min(1).max(64),
        action: z.string().min(1).max(64),
        reason: z.string().trim().max(2000).nullable(),
        checklist: z.record(z.string().max(64), z.boolean()).nullable(),
      })
      .strict(),
    output: decisionResultSchema,
  },
  'draft.get': {
    input: z.object({ applicationId: z.string().min(1).max(64) }).strict(),
    output: fileContentSchema.extend({ permitNumber: z.string().nullable() }),
  },
  'signing.settings': {
    input: empty,
    output: z.object({
      certificatePath: z.string().nullable(),
      /** the host chooses the .p12 with the OS's own open dialog (Electron), instead of a typed path */
      certificateDialog: z.boolean().default(false),
    }),
  },
  /** opens the host's file dialog (.p12/.pfx) and remembers the chosen file; null when cancelled */
  'signing.chooseCertificate': { input: empty, output: z.object({ certificatePath: z.string().nullable() }) },
  /** the final permit exactly as it will be signed (everything but the CMS), for the Kepala Dinas's review */
  'signing.prepared': {
    input: z.object({ applicationId: z.string().min(1).max(64) }).strict(),
    output: preparedPermitSchema,
  },
  'signing.setCertificatePath': {
    input: z.object({ path: z.string().trim().min(1).max(1024) }).strict(),
    output: z.object({ certificatePath: z.string() }),
  },
  'signing.start': {
    input: z
      .object({
        applicationIds: z.array(z.string().min(1).max(64)).min(1).max(500),
        passphrase: z.string().min(1).max(1024),
        /** per file, the SHA-256 of the prepared permit the Kepala Dinas reviewed: anything else is not signed */
        reviewedSha256: z.record(z.string().min(1).max(64), z.string().regex(/^[0-9a-f]{64}$/)),
      })
      .strict()
      .refine((v) => v.applicationIds.every((id) => v.reviewedSha256[id] !== undefined), { message: 'every file needs the hash of the permit reviewed' }),
    output: signingBatchSchema,
  },
  'signing.progress': { input: z.object({ batchId: z.string().uuid() }).strict(), output: signingBatchSchema },
  'signing.cancel': { input: z.object({ batchId: z.string().uuid() }).strict(), output: signingBatchSchema },
  'verification.check': {
    input: z.object({ base64: z.string().min(1).max(16 * 1024 * 1024) }).strict(),
    output: verificationReportSchema,
  },
  // Office oversight (issue 12): figures computed by the server, the last answer kept for offline viewing
  'monitoring.get': { input: monitoringPeriodSchema, output: z.object({ figures: monitoringFiguresSchema, fromCache: z.boolean() }) },
  'monitoring.report': {
    input: z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/), format: z.enum(['pdf', 'xlsx']) }).strict(),
    output: fileContentSchema,
  },
  'kartu.get': { input: z.object({ applicationId: z.string().min(1).max(64) }).strict(), output: deskKartuSchema },
  'kartu.pdf': {
    input: z
      .object({ applicationId: z.string().min(1).max(64).optional(), complaintId: z.string().min(1).max(64).optional() })
      .strict()
      .refine((v) => (v.applicationId === undefined) !== (v.complaintId === undefined), { message: 'one of applicationId, complaintId' }),
    output: fileContentSchema,
  },
  'complaints.list': {
    input: empty,
    output: z.object({
      /** the server's register, with complaints recorded here and still in the outbox (pending) */
      complaints: z.array(complaintSchema.extend({ actions: z.array(z.enum(COMPLAINT_ACTIONS)), pending: z.boolean() })),
      fromCache: z.boolean(),
      /** Buku Pengaduan commands the server refused, with its reason */
      rejectedCommands: z.array(
        z.object({ commandId: z.string(), kind: z.enum(['complaint', 'report']), action: z.string(), subject: z.string(), code: z.string(), message: z.string(), at: z.string() }),
      ),
    }),
  },
  'complaints.act': {
    input: z.discriminatedUnion('kind', [
      z
        .object({
          kind: z.literal('complaint'),
          complaintId: z.string().uuid().optional(),
          action: z.enum(COMPLAINT_ACTIONS),
          complaint: complaintDetailsSchema.optional(),
          note: z.string().trim().max(4000).nullable().default(null),
          answerChannel: z.enum(COMPLAINT_CHANNELS).optional(),
        })
        .strict(),
      z
        .object({ kind: z.literal('report'), month: z.string().regex(/^\d{4}-\d{2}$/), action: z.enum(REPORT_ACTIONS), note: z.string().trim().max(4000).nullable().default(null) })
        .strict(),
    ]),
    /** delivered: false when it waits in the outbox for the server */
    output: z.object({ id: z.string(), delivered: z.boolean() }),
  },
  'complaints.kartu': { input: z.object({ complaintId: z.string().min(1).max(64) }).strict(), output: deskKartuSchema },
  'complaints.report': {
    input: z.object({ month: z.string().regex(/^\d{4}-\d{2}$/) }).strict(),
    output: z.object({ report: complaintReportSchema.nullable(), actions: z.array(z.enum(REPORT_ACTIONS)) }),
  },
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type MethodParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;

export type SyncStatus = z.infer<typeof syncStatusSchema>;
export type QueueItem = z.infer<typeof queueItemSchema>;
export type QueueCounts = z.infer<typeof queueCountsSchema>;
export type DeadlineState = (typeof DEADLINE_STATES)[number];
export type QueueQuery = MethodParsedInput<'queue.list'>;
export type ApplicationDetail = z.infer<typeof applicationDetailSchema>;
export type DeskEvent = z.infer<typeof deskEventSchema>;
export type DeskKartu = z.infer<typeof deskKartuSchema>;
export type DecisionResult = z.infer<typeof decisionResultSchema>;
export type FileContent = z.infer<typeof fileContentSchema>;
export type SigningItem = z.infer<typeof signingItemSchema>;
export type SigningBatch = z.infer<typeof signingBatchSchema>;
export type VerificationReport = z.infer<typeof verificationReportSchema>;
export type PreparedPermitContent = z.infer<typeof preparedPermitSchema>;

/** What main implements: one handler per method, given already-validated input. */
export type Handlers = { [M in MethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>> };

/** What the renderer calls: the same methods, answering results instead of throwing. */
export type Invoke = <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<Result<MethodOutput<M>>>;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** The channel name the preload and main agree on. */
export const IPC_CHANNEL = 'meja-izin:invoke';
