import { z } from 'zod';
import { ROLES } from '../../shared/roles';
import {
  COMMAND_LIMITS,
  commandMacSchema,
  issueContent,
  transitionCommandSchema,
  transitionContent,
  type CommandAuthor,
  type IssueRequest,
  type TransitionCommand,
} from '../../shared/sync-protocol';
import { commandMac } from '../../shared/node/command-mac';
import { complaintCommandSchema, type ComplaintCommand } from '../../shared/complaint-rules';

const boundedId = z.string().min(1).max(COMMAND_LIMITS.idLength);

/**
 * The official who made a decision on this desk. Kept with the command so that it waits for
 * them and never goes out under anyone else's name; absent only on rows from before authorship.
 */
export const deciderSchema = z.object({ userId: boundedId, fullName: z.string().max(200), role: z.enum(ROLES) });

/** The decider's signature (shared/node/command-mac.ts) and when their session ends, as the desk learnt at sign-in. */
export const outboxSignatureSchema = z.object({ sessionId: boundedId, mac: commandMacSchema, expiresAt: z.string().max(40) });

const deskOnly = {
  decidedBy: deciderSchema.optional(),
  signature: outboxSignatureSchema.nullable().default(null),
};

/** A transition as the outbox keeps it: the wire command's content, who decided, and their signature. */
export const transitionOutboxCommandSchema = transitionCommandSchema.omit({ author: true, mac: true }).extend(deskOnly);

/** A signed permit waiting to be delivered; the PDF stays on disk and is read at push time. */
export const issueOutboxCommandSchema = z.object({
  id: z.string().uuid(),
  type: z.literal('issue'),
  applicationId: boundedId,
  action: boundedId,
  expectedStage: boundedId,
  signedAt: z.string().max(40),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  filePath: z.string().max(4096),
  ...deskOnly,
});

/**
 * A Buku Pengaduan command (complaint step or monthly-report step) waiting for the complaint
 * route. `applicationId` is the outbox row's key, never a file's id: `complaint:<complaintId>`
 * or `complaint-report:<month>` (complaintOutboxKey), so a complaint never holds a file in the
 * cache nor counts as a file's pending decision. The wire command's id is the row's id.
 * Unsigned: the server books it to the official whose token delivers it, so only its author
 * delivers it (outbox-push.ts deliverableBy).
 */
export const complaintOutboxCommandSchema = z.object({
  id: z.string().uuid(),
  type: z.literal('complaint'),
  applicationId: boundedId,
  /** the action, for the sync status's list of rejected commands */
  action: boundedId,
  recordedAt: z.string().max(40),
  command: complaintCommandSchema,
  ...deskOnly,
});

export const outboxCommandSchema = z.discriminatedUnion('type', [transitionOutboxCommandSchema, issueOutboxCommandSchema, complaintOutboxCommandSchema]);

export type IssueOutboxCommand = z.input<typeof issueOutboxCommandSchema>;
export type ComplaintOutboxCommand = z.output<typeof complaintOutboxCommandSchema>;
export type OutboxCommand = z.input<typeof outboxCommandSchema>;
/** A row's command as read back and validated: every field present. */
export type StoredCommand = z.output<typeof outboxCommandSchema>;
export type Decider = z.infer<typeof deciderSchema>;
export type OutboxSignature = z.infer<typeof outboxSignatureSchema>;

/** The key the signed-in official's commands are signed with, in memory only. */
export interface SigningSession {
  id: string;
  key: Buffer;
  expiresAt: string;
}

/** The content a command's MAC covers: the same function the server checks with. */
export function commandContentOf(command: Exclude<StoredCommand, { type: 'complaint' }>): Record<string, unknown> {
  return command.type === 'transition' ? transitionContent(command as TransitionCommand) : issueContent(issueFields(command));
}

export function signCommand(command: Exclude<StoredCommand, { type: 'complaint' }>, userId: string, session: SigningSession): OutboxSignature {
  return { sessionId: session.id, mac: commandMac(session.key, commandContentOf(command), { userId, sessionId: session.id }), expiresAt: session.expiresAt };
}

function authorOf(command: StoredCommand): { author?: CommandAuthor; mac?: string } {
  if (!command.decidedBy || !command.signature) return {};
  return { author: { userId: command.decidedBy.userId, sessionId: command.signature.sessionId }, mac: command.signature.mac };
}

/** What goes to POST /sync/push: the content, and the author with their MAC when signed. */
export function wireTransition(command: Extract<StoredCommand, { type: 'transition' }>): TransitionCommand {
  return {
    id: command.id,
    type: 'transition',
    applicationId: command.applicationId,
    action: command.action,
    expectedStage: command.expectedStage,
    reason: command.reason,
    checklist: command.checklist,
    decidedAt: command.decidedAt,
    evidence: command.evidence,
    ...(command.preparedPermitSha256 ? { preparedPermitSha256: command.preparedPermitSha256 } : {}),
    ...authorOf(command),
  };
}

function issueFields(command: Extract<StoredCommand, { type: 'issue' }>): Omit<IssueRequest, 'pdfBase64'> {
  return { commandId: command.id, applicationId: command.applicationId, expectedStage: command.expectedStage, signedAt: command.signedAt, sha256: command.sha256 };
}

/** What goes to POST /permits/issue, once the PDF is read from disk. */
export function wireIssue(command: Extract<StoredCommand, { type: 'issue' }>, pdf: Buffer): IssueRequest {
  return { ...issueFields(command), pdfBase64: pdf.toString('base64'), ...authorOf(command) };
}

/** The outbox row key of a complaint command (see complaintOutboxCommandSchema). */
export function complaintOutboxKey(command: ComplaintCommand): string {
  return command.kind === 'complaint' ? `complaint:${command.complaintId}` : `complaint-report:${command.month}`;
}

/** What goes to POST /complaints/commands: the complaint command under the row's id. */
export function wireComplaint(command: ComplaintOutboxCommand): ComplaintCommand {
  return { ...command.command, id: command.id };
}
