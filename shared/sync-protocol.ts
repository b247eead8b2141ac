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

export const loginResponseSchema = z.object({
  token: z.string().min(20),
  expiresAt: z.string(),
  user: userSchema,
});

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
  office: officeSchema,
  permitTypes: z.array(permitTypeSchema),
  workflows: z.array(workflowSchema),
  applications: z.array(pulledApplicationSchema),
});

export const transitionCommandSchema = z.object({
  /** made by the client once; the server applies an id at most once */
  id: z.string().uuid(),
  type: z.literal('transition'),
  applicationId: z.string().min(1),
  action: z.string().min(1),
  /** the stage the official saw: a file that has moved on since is refused, not overwritten */
  expectedStage: z.string().min(1),
  reason: z.string().max(2000).nullable(),
  checklist: z.record(z.string(), z.boolean()).nullable(),
  /** when the official decided, by the desk's clock */
  decidedAt: z.string(),
  /** the Satu Sehat / SISDMK records the decision was made against, kept with it */
  evidence: z.object({ references: z.array(referenceRecordSchema) }).nullable().default(null),
});

export const pushRequestSchema = z.object({
  commands: z.array(transitionCommandSchema).min(1).max(200),
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
  applicationId: z.string().min(1),
  expectedStage: z.string().min(1),
  /** the desk's clock when it signed: informational; the server takes the time-stamp's time or its own */
  signedAt: z.string().optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  pdfBase64: z.string().min(100).max(8 * 1024 * 1024),
});
export type IssueRequest = z.infer<typeof issueRequestSchema>;

export const claimRequestSchema = z.object({ applicationId: z.string().min(1) });
export const claimResponseSchema = z.object({
  applicationId: z.string(),
  claimedBy: z.object({ userId: z.string(), name: z.string(), at: z.string() }).nullable(),
});
export type ClaimResponse = z.infer<typeof claimResponseSchema>;
