import { createHash, randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Workflow } from '../../shared/workflow';
import { issueContent, type CommandResult, type IssueRequest } from '../../shared/sync-protocol';
import { commandContentHash } from '../../shared/node/command-mac';
import { isCertificateBoundTo } from '../../shared/signer-binding';
import type { SignatureFacts } from '../../shared/signature-facts';
import { rememberedPathValidation, type RevocationSource } from '../../shared/node/certificate-path';
import { verifyPdfSignature, type VerifyPdfOptions } from '../../shared/node/pdf-signature-verifier';
import { pdfText, readPdfSignatureStructure } from '../../shared/node/pdf-structure';
import { signingAction } from '../../shared/workflow-rules';
import { loadOffice, loadWorkflow } from './server-records';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { Rejection, refuseUnrecorded, runCommandOnce } from './command-ledger';
import { nextChangeSeq } from './change-sequence';
import { applyStepEffects, judgeOnServer } from './apply-command';
import { resolveAuthor } from './command-authorship';
import { lockOfficeApplication } from './application-lock';
import { readPreparedPermit } from './prepare-permit';
import { isPreparedPermitFilledIn } from '../../shared/node/permit-pdf/prepared-signature-holes';

const CLOCK_SKEW_MS = 10 * 60_000;

/** Whether the (single, verified) signature's /Reason names this permit number. */
function signedReasonNames(pdf: Buffer, permitNumber: string): boolean {
  try {
    const { signatures } = readPdfSignatureStructure(pdf);
    const reason = signatures.length === 1 ? pdfText(signatures[0]!.dictionary.entries.get('Reason') ?? null) : null;
    return reason !== null && reason.includes(permitNumber);
  } catch {
    return false;
  }
}

export interface IssueOptions {
  now?: Date;
  /** CRL/OCSP lookups for the signer's path; absent, revocation is not checked */
  revocation?: RevocationSource;
  /** the signer's path validation, shared by the permits of one bulk push (rememberedPathValidation) */
  validatePath?: VerifyPdfOptions['validatePath'];
}

/**
 * Records a signed permit and issues it, after verifying it as any validator would: the
 * signature covers the whole file but exactly /Contents, the CMS verifies, the certificate
 * path is valid under the office's roots (RFC 5280 rules of shared/node/certificate-path.ts)
 * and the certificate is registered to the official who delivers it. The signing time is the
 * time-stamp token's, else the server's own clock; never what the desk says. Applied at most
 * once per command id, like every other command.
 */
export async function issuePermit(db: Kysely<ServerDatabase>, pusher: UserTable, request: IssueRequest, options: IssueOptions = {}): Promise<CommandResult> {
  const now = options.now ?? new Date();
  // the permit is booked to, and its certificate bound to, the official who signed it, whoever delivers it
  const content = issueContent(request);
  const authorship = await resolveAuthor(db, pusher, content, request, now);
  if (!authorship.ok) return { id: request.commandId, status: 'rejected', code: authorship.code, message: authorship.message };
  const user = authorship.author;
  const booking = { author: user, pushedBy: pusher, contentHash: commandContentHash(content, user.id) };
  const pdf = Buffer.from(request.pdfBase64, 'base64');
  if (createHash('sha256').update(pdf).digest('hex') !== request.sha256) {
    // damaged on the way: the desk may send it again intact under the same command id
    return refuseUnrecorded(db, booking, request.commandId, new Rejection('SIGNATURE_INVALID', 'the signed document arrived damaged (SHA-256 differs)'));
  }
  // judged before the PDF is parsed, as issue() judges it again under the row lock: a file this
  // official may not sign now (another office's, another stage, another role) costs no parsing
  const refusal = await db
    .transaction()
    .execute((trx) => judgeDelivery(trx, user, request, now, 'read'))
    .then(
      () => null,
      (error: unknown) => {
        if (error instanceof Rejection) return error;
        throw error;
      },
    );
  // not recorded: read without the row lock, it may have seen the file a moment before a writer
  // moved it; the refusal that counts is issue()'s, judged under the lock
  if (refusal) return refuseUnrecorded(db, booking, request.commandId, refusal);
  // the roots of the signer's own office: a permit of another office's file is refused in issue()
  const office = await loadOffice(db, user.office_id);
  // Verified outside the write transaction: revocation lookups may take seconds, a write lock must not.
  const facts = await verifyPdfSignature(pdf, { trustedRootsPem: office.trustedRootsPem, timeStampRootsPem: office.timeStampRootsPem, now, revocation: options.revocation, validatePath: options.validatePath });
  return runCommandOnce(db, booking, request.commandId, now, (trx) => issue(trx, user, request, pdf, facts, now));
}

/**
 * Up to ISSUE_BATCH_LIMITS.permitsPerRequest signed permits of one request (POST
 * /permits/issue-batch), each verified and applied exactly as issuePermit does it, with the
 * certificate path validated once per distinct certificate of the request. One after another,
 * each in its own transaction and at most once per command id, and each answered on its own:
 * one permit's refusal stops nothing else; a request cut off mid-way has applied a prefix, and
 * sending it again answers that prefix from the command ledger and applies the rest.
 */
export async function issuePermits(db: Kysely<ServerDatabase>, pusher: UserTable, requests: readonly IssueRequest[], options: Omit<IssueOptions, 'validatePath'> = {}): Promise<{ results: CommandResult[] }> {
  const validatePath = rememberedPathValidation();
  const results: CommandResult[] = [];
  for (const request of requests) results.push(await issuePermit(db, pusher, request, { ...options, validatePath }));
  return { results };
}

/**
 * Whether this official may deliver the signed permit of this file now, as the judge sees the
 * file: its row locked (`lock`, application-lock.ts) or only read (the check before parsing).
 * Another office's file answers as one that does not exist.
 */
async function judgeDelivery(trx: Transaction<ServerDatabase>, user: UserTable, request: IssueRequest, now: Date, read: 'lock' | 'read') {
  const app =
    read === 'lock'
      ? await lockOfficeApplication(trx, user, request.applicationId)
      : await trx.selectFrom('applications').selectAll().where('id', '=', request.applicationId).where('office_id', '=', user.office_id).executeTakeFirst();
  if (!app) throw new Rejection('NOT_FOUND', `application ${request.applicationId} does not exist`);
  const workflow = await loadWorkflow(trx, app.workflow_id);
  const action = signingAction(workflow, request.expectedStage);
  if (!action) throw new Rejection('TRANSITION_NOT_ALLOWED', `no permit is signed at stage ${request.expectedStage}`);
  const verdict = await judgeOnServer(trx, user, app, { actionId: action.id, expectedStage: request.expectedStage, via: 'signed_permit', reason: null, checklist: null }, now);
  return { app, workflow, action, verdict };
}

async function issue(trx: Transaction<ServerDatabase>, user: UserTable, request: IssueRequest, pdf: Buffer, facts: SignatureFacts, now: Date): Promise<number> {
  const { app, workflow, action, verdict } = await judgeDelivery(trx, user, request, now, 'lock');

  if (!facts.signed || !facts.intact) {
    throw new Rejection('SIGNATURE_INVALID', `the permit's signature is not valid: ${facts.problems.join(', ') || 'unsigned'}`);
  }
  if (facts.certificateTrusted !== true) {
    throw new Rejection(facts.certificateProblem ?? 'CERT_UNTRUSTED', `the signing certificate is not acceptable (${facts.certificateProblem ?? 'untrusted'})`);
  }
  // the signed revision says which permit it is: a genuine permit of another file is not this file's
  if (!signedReasonNames(pdf, app.permit_number!)) {
    throw new Rejection('SIGNATURE_INVALID', `the signed document is not permit ${app.permit_number}`);
  }
  const office = await loadOffice(trx, app.office_id);
  if (!isCertificateBoundTo(office.signers, user.username, facts)) {
    throw new Rejection('CERT_NOT_BOUND', `the certificate of ${facts.signerName ?? 'an unknown signer'} is not registered to ${user.username}`);
  }

  // A signature cannot predate the file's arrival at the signing step, nor lie in the future
  // (a few minutes allowed for desk clocks): a back-dated /M or signedAt is refused, not recorded.
  const earliest = Date.parse(app.stage_entered_at) - CLOCK_SKEW_MS;
  const latest = now.getTime() + CLOCK_SKEW_MS;
  for (const [label, claimed] of [['time-stamp', facts.timeStampedAt], ['/M', facts.claimedSigningTime], ['signedAt', request.signedAt ?? null]] as const) {
    const time = claimed === null ? NaN : Date.parse(claimed);
    if (claimed !== null && !(time >= earliest && time <= latest)) {
      throw new Rejection('SIGNATURE_INVALID', `the signing time (${label} ${claimed}) lies outside the time the file has been at the signing step`);
    }
  }

  await checkSignedIsPrepared(trx, app.id, pdf, workflow);

  const at = now.toISOString();
  const signerName = facts.signerName ?? user.full_name;
  await trx
    .insertInto('issued_permits')
    .values({
      application_id: app.id,
      permit_number: app.permit_number!,
      verification_id: app.verification_id!,
      sha256: request.sha256,
      pdf,
      signer_name: signerName,
      signer_serial: facts.signerSerialNumber,
      certificate_sha256: facts.certificateSha256,
      certificate_issuer: facts.certificateIssuer,
      pades_level: facts.padesLevel,
      time_source: facts.timeStampedAt ? 'time_stamp' : 'server_clock',
      issued_by_user_id: user.id,
      issued_at: facts.timeStampedAt ?? at,
      revoked_at: null,
    })
    .execute();
  await applyStepEffects(trx, app.id, verdict, now);
  const changeSeq = await nextChangeSeq(trx);
  await trx.updateTable('applications').set({ stage: action.to, stage_entered_at: at, version: app.version + 1, change_seq: changeSeq }).where('id', '=', app.id).execute();
  await trx
    .insertInto('events')
    .values({ id: randomUUID(), application_id: app.id, command_id: request.commandId, actor_name: signerName, actor_role: user.role, action: action.id, from_stage: app.stage, to_stage: action.to, reason: null, at, evidence: null })
    .execute();
  return changeSeq;
}

/**
 * What was signed is what was prepared: the same length as the prepared permit, and its bytes
 * outside /ByteRange and /Contents unchanged, so the permit issued shows exactly what was
 * reviewed. In a chain with paraf steps, what was prepared must also be what was last initialled.
 */
async function checkSignedIsPrepared(trx: Transaction<ServerDatabase>, applicationId: string, pdf: Buffer, workflow: Workflow): Promise<void> {
  const prepared = await readPreparedPermit(trx, applicationId);
  if (!prepared) throw new Rejection('SIGNED_NOT_PREPARED', 'no permit was prepared for this file: nothing signed can be what was prepared');
  if (!isPreparedPermitFilledIn(prepared.pdf, pdf)) {
    throw new Rejection('SIGNED_NOT_PREPARED', `the signed document differs from the permit prepared (${prepared.sha256}) outside its signature`);
  }
  const parafs = new Set(workflow.stages.flatMap((s) => s.actions.filter((a) => a.initialsPreparedPermit).map((a) => `${s.id}:${a.id}`)));
  if (parafs.size === 0) return;
  const events = await trx.selectFrom('events').select(['action', 'from_stage', 'evidence']).where('application_id', '=', applicationId).orderBy('seq', 'desc').execute();
  const last = events.find((e) => parafs.has(`${e.from_stage}:${e.action}`));
  const initialled = last?.evidence ? (JSON.parse(last.evidence) as { preparedPermitSha256?: string }).preparedPermitSha256 : undefined;
  if (initialled !== prepared.sha256) {
    throw new Rejection('PARAF_HASH_MISMATCH', `the permit prepared (${prepared.sha256}) is not the one last initialled (${initialled ?? 'none'})`);
  }
}
