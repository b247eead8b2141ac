import { z } from 'zod';
import { ROLES } from './roles';
import {
  applicationEventSchema,
  applicationSchema,
  documentMetaSchema,
  permitTypeSchema,
  referenceRecordSchema,
} from './domain';
import { officeSchema } from './office';
import { workflowSchema } from './workflow';
import { CERTIFICATE_REFUSAL_CODES } from './result';

/** The central server's HTTP API, version 1: what the desk sends and what it accepts back. */
export const API_PREFIX = '/api/v1';

export const loginRequestSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  fullName: z.string(),
  nip: z.string(),
  role: z.enum(ROLES),
});

/**
 * The key a desk signs its official's commands with (HMAC-SHA256, see commandContent), issued
 * at each online sign-in and valid long enough for offline work. The server books a signed
 * command to the session's official, whoever's token pushes it.
 */
export const authorSessionSchema = z.object({
  id: z.string().min(16).max(64),
  /** 32 random bytes, base64url: in the desk's memory, and encrypted under the official's password for offline work */
  key: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  expiresAt: z.string(),
});

export const loginResponseSchema = z.object({
  token: z.string().min(20),
  expiresAt: z.string(),
  user: userSchema,
  /** absent only from a server before authorship: its desk's commands then go unsigned, booked to whoever pushes */
  session: authorSessionSchema.optional(),
});

/** POST /auth/refresh: a new token for the same official and session; the old token is revoked. */
export const refreshResponseSchema = z.object({ token: z.string().min(20), expiresAt: z.string() });

export const pulledApplicationSchema = z.object({
  application: applicationSchema,
  documents: z.array(documentMetaSchema),
  events: z.array(applicationEventSchema),
  references: z.array(referenceRecordSchema),
  changeSeq: z.number().int().positive(),
});

export const pullResponseSchema = z.object({
  /** pass back as `since` to get only what changed after this page */
  cursor: z.number().int().nonnegative(),
  hasMore: z.boolean(),
  /** files that changed but are outside this official's work (need-to-know): delete them locally */
  removed: z.array(z.string()).default([]),
  office: officeSchema,
  permitTypes: z.array(permitTypeSchema),
  workflows: z.array(workflowSchema),
  applications: z.array(pulledApplicationSchema),
});

/**
 * Size limits of every field a desk sends. A command is small: what one desk sends, every desk
 * pulls back with the file's events, so nothing here may grow without bound. The server's
 * body limits follow from these.
 */
export const COMMAND_LIMITS = {
  idLength: 64,
  reasonLength: 2000,
  checklistKeys: 64,
  evidenceReferences: 4,
  referenceFields: 20,
  referenceFieldLength: 200,
  commandsPerPush: 50,
  /** one POST /sync/push; a command at every limit (worst-case JSON escaping) is under 200 KB */
  pushBodyBytes: 2 * 1024 * 1024,
  /** one POST /permits/issue: the PDF (8 MB of base64) and its few fields */
  issueBodyBytes: 9 * 1024 * 1024,
  /** every other request (sign-in, claims) */
  otherBodyBytes: 64 * 1024,
} as const;

const boundedId = z.string().min(1).max(COMMAND_LIMITS.idLength);
const isoTime = z.string().min(1).max(40);

function boundedRecord<V extends z.ZodType>(value: V, maxKeys: number) {
  return z
    .record(z.string().max(COMMAND_LIMITS.idLength), value)
    .refine((record) => Object.keys(record).length <= maxKeys, { message: `at most ${maxKeys} keys` });
}

/** A national record as kept with a decision: the same shape as referenceRecordSchema, bounded. */
export const evidenceReferenceSchema = z.object({
  source: referenceRecordSchema.shape.source,
  nik: z.string().max(32),
  fields: boundedRecord(z.string().max(COMMAND_LIMITS.referenceFieldLength), COMMAND_LIMITS.referenceFields),
  retrievedAt: isoTime,
});

/** Who decided: the official's id and the session whose key signed the command (`mac`). */
export const commandAuthorSchema = z.object({ userId: boundedId, sessionId: boundedId });
/** HMAC-SHA256, base64url, over commandContent and the author (shared/node/command-mac.ts) */
export const commandMacSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const transitionCommandSchema = z.object({
  /** made by the client once; the server applies an id at most once */
  id: z.string().uuid(),
  type: z.literal('transition'),
  applicationId: boundedId,
  action: boundedId,
  /** the stage the official saw: a file that has moved on since is refused, not overwritten */
  expectedStage: boundedId,
  reason: z.string().max(COMMAND_LIMITS.reasonLength).nullable(),
  checklist: boundedRecord(z.boolean(), COMMAND_LIMITS.checklistKeys).nullable(),
  /** when the official decided, by the desk's clock */
  decidedAt: isoTime,
  /** the Satu Sehat / SISDMK records the decision was made against, kept with it */
  evidence: z.object({ references: z.array(evidenceReferenceSchema).max(COMMAND_LIMITS.evidenceReferences) }).nullable().default(null),
  /**
   * A paraf (an action with initialsPreparedPermit): the SHA-256 of the prepared permit the desk
   * showed the official. Part of the signed content; the server refuses one that differs from the
   * stored prepared permit's.
   */
  preparedPermitSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /**
   * The deciding official, with `mac`: the server books the command to them whoever pushes it.
   * Both absent: the command is the pushing official's own.
   */
  author: commandAuthorSchema.optional(),
  mac: commandMacSchema.optional(),
});

export const pushRequestSchema = z.object({
  commands: z.array(transitionCommandSchema).min(1).max(COMMAND_LIMITS.commandsPerPush),
});

export const REJECTION_CODES = [
  'FORBIDDEN_ROLE',
  'TRANSITION_NOT_ALLOWED',
  'STAGE_CHANGED',
  'CHECKLIST_INCOMPLETE',
  'REASON_REQUIRED',
  'NOT_FOUND',
  'CLAIMED_BY_OTHER',
  'NOTE_REQUIRED',
  'PERMIT_NUMBER_MISSING',
  'SIGNATURE_INVALID',
  'CERT_NOT_BOUND',
  /** the id was used before for another command (content, author or endpoint): never applied */
  'COMMAND_ID_REUSED',
  /** the MAC does not verify under the named session's key: not applied, not booked */
  'AUTHOR_UNVERIFIED',
  /** the author's session has expired or was revoked: the desk keeps the command until they sign in again */
  'AUTHOR_SESSION_EXPIRED',
  /** a paraf's hash differs from the stored prepared permit's, or a signed permit is not the one last initialled */
  'PARAF_HASH_MISMATCH',
  /** the signed PDF differs from the prepared permit outside /ByteRange and /Contents */
  'SIGNED_NOT_PREPARED',
  ...CERTIFICATE_REFUSAL_CODES,
] as const;

export const commandResultSchema = z.discriminatedUnion('status', [
  z.object({ id: z.string(), status: z.literal('accepted'), changeSeq: z.number().int() }),
  z.object({ id: z.string(), status: z.literal('rejected'), code: z.enum(REJECTION_CODES), message: z.string() }),
]);

export const pushResponseSchema = z.object({ results: z.array(commandResultSchema) });


export const PADES_LEVELS = ['B-B', 'B-T', 'B-LT'] as const;
export type PadesLevel = (typeof PADES_LEVELS)[number];

/**
 * What the public registry answers for a QR code or a file's SHA-256. `void`: the number was
 * given to a file that was then rejected or withdrawn (batal; never reused). Personal data
 * (the holder) only for issued permits.
 */
export const verificationResponseSchema = z.object({
  status: z.enum(['valid', 'revoked', 'void', 'unknown', 'not_issued']),
  verificationId: z.string(),
  permitNumber: z.string().nullable(),
  permitTitle: z.string().nullable(),
  holderName: z.string().nullable(),
  /** the signing time the server accepted: the time-stamp's, else the server's own clock */
  issuedAt: z.string().nullable(),
  timeSource: z.enum(['time_stamp', 'server_clock']).nullable().default(null),
  sha256: z.string().nullable(),
  /** from the signing certificate, never from configuration */
  signerName: z.string().nullable().default(null),
  certificateIssuer: z.string().nullable().default(null),
  padesLevel: z.enum(PADES_LEVELS).nullable().default(null),
  office: z.object({ name: z.string(), city: z.string(), timeZone: z.string() }).nullable().default(null),
  revokedAt: z.string().nullable().default(null),
  voidedAt: z.string().nullable().default(null),
});

export type LoginRequest = z.infer<typeof loginRequestSchema>;
export type LoginResponse = z.infer<typeof loginResponseSchema>;
export type User = z.infer<typeof userSchema>;
export type PulledApplication = z.infer<typeof pulledApplicationSchema>;
export type PullResponse = z.infer<typeof pullResponseSchema>;
export type TransitionCommand = z.infer<typeof transitionCommandSchema>;
export type PushRequest = z.infer<typeof pushRequestSchema>;
export type CommandResult = z.infer<typeof commandResultSchema>;
export type RejectionCode = (typeof REJECTION_CODES)[number];
export type VerificationResponse = z.infer<typeof verificationResponseSchema>;

/** The Kepala Dinas's signed permit, delivered once per command id. */
export const issueRequestSchema = z.object({
  commandId: z.string().uuid(),
  applicationId: boundedId,
  expectedStage: boundedId,
  /** the desk's clock when it signed: informational; the server takes the time-stamp's time or its own */
  signedAt: isoTime.optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  pdfBase64: z.string().min(100).max(8 * 1024 * 1024),
  /** as in a transition command; the MAC covers the PDF through its sha256 */
  author: commandAuthorSchema.optional(),
  mac: commandMacSchema.optional(),
});
export type IssueRequest = z.infer<typeof issueRequestSchema>;
export type CommandAuthor = z.infer<typeof commandAuthorSchema>;
export type AuthorSession = z.infer<typeof authorSessionSchema>;

/**
 * What a command's content hash (the ledger's replay check) and its MAC cover: every field that
 * decides what it does and the endpoint it was sent to, listed one by one so a field added
 * later is covered on purpose. Never who carried it.
 */
export function transitionContent(command: TransitionCommand): Record<string, unknown> {
  return {
    endpoint: 'transition',
    id: command.id,
    applicationId: command.applicationId,
    action: command.action,
    expectedStage: command.expectedStage,
    reason: command.reason,
    checklist: command.checklist,
    decidedAt: command.decidedAt,
    evidence: command.evidence ?? null,
    // absent on every other action: canonicalJson leaves it out, so their content is unchanged
    preparedPermitSha256: command.preparedPermitSha256,
  };
}

export function issueContent(request: Omit<IssueRequest, 'pdfBase64'>): Record<string, unknown> {
  return {
    endpoint: 'issue',
    id: request.commandId,
    applicationId: request.applicationId,
    expectedStage: request.expectedStage,
    signedAt: request.signedAt ?? null,
    sha256: request.sha256,
  };
}

/**
 * One text for one value, the same on every machine: object keys sorted (by UTF-16 code units),
 * no whitespace, undefined members left out, as JSON.stringify writes strings and numbers.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonicalJson: not a finite number');
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') throw new Error(`canonicalJson: cannot encode ${typeof value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

export const claimRequestSchema = z.object({ applicationId: z.string().min(1) });
export const claimResponseSchema = z.object({
  applicationId: z.string(),
  claimedBy: z.object({ userId: z.string(), name: z.string(), at: z.string() }).nullable(),
});
export type ClaimResponse = z.infer<typeof claimResponseSchema>;
