import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { SigningBatch, SigningItem } from '../../../shared/contract';
import { AppFailure, ERROR_CODES, type ErrorCode } from '../../../shared/result';
import type { PathValidationResult } from '../../../shared/node/certificate-path';
import { isCertificateBoundTo } from '../../../shared/signer-binding';
import { judgeAction, signingAction } from '../../../shared/workflow-rules';
import { issuerDisplayName, subjectCommonName, subjectSerialNumber } from '../../../shared/node/certificate-names';
import type { CacheDatabase } from '../../../db/cache-database';
import { hasPendingCommand, readApplication, readMeta, readOffice, readPermitTypes, readWorkflows, writeMeta } from '../cache-reads';
import type { IssueOutboxCommand } from '../outbox-command';
import { renderPermitPdf } from '../permit-pdf-layout';
import type { SessionService } from '../session-service';
import { writeLocalDecision } from '../local-decision';
import type { SyncService } from '../sync-service';
import { writeFileAtomic } from './atomic-write';
import { buildCadesSignature } from './cades-signature';
import { checkSigningCertificate } from './certificate-checks';
import { loadSigningIdentity, type SigningIdentity } from './pkcs12-identity';
import { signPreparedPdf } from './pdf-signer';
import { requestTimeStamp } from './time-stamp-client';

const CERTIFICATE_PATH_KEY = 'certificate_path';

/** The signer's path and its revocation answers, as the permit's DSS carries them (PAdES B-LT). */
function validationDataOf(validation: PathValidationResult): BatchSigner['validationData'] {
  return {
    certificates: validation.path.map((c) => c.raw),
    crls: validation.revocation.flatMap((r) => r.crls),
    ocspResponses: validation.revocation.flatMap((r) => r.ocspResponses),
  };
}

/** What a running batch signs with: the key, and the chain's validation data for the permit's DSS. */
interface BatchSigner {
  identity: SigningIdentity;
  validationData: { certificates: Buffer[]; crls: Buffer[]; ocspResponses: Buffer[] };
}

interface RunningBatch {
  snapshot: SigningBatch;
  cancelled: boolean;
}

/**
 * The Kepala Dinas's batch: one passphrase, many permits. The key is opened and checked
 * before anything is signed, lives only in this batch's closure, and is dropped when the batch
 * ends. Each permit is signed, written atomically, and recorded with its outbox command in one
 * transaction: a crash leaves every file either issued-and-queued or still a draft.
 */
export class SigningBatchService {
  private current: RunningBatch | null = null;
  private readonly batches = new Map<string, RunningBatch>();

  constructor(
    private readonly db: Kysely<CacheDatabase>,
    private readonly session: SessionService,
    private readonly sync: SyncService,
    private readonly signedDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(signedDir, { recursive: true });
  }

  async settings(): Promise<{ certificatePath: string | null }> {
    return { certificatePath: await readMeta(this.db, CERTIFICATE_PATH_KEY) };
  }

  /** Remembers where the .p12 is; never the key, never the passphrase. */
  async setCertificatePath(path: string): Promise<{ certificatePath: string }> {
    if (!existsSync(path)) throw new AppFailure('CERT_FILE_MISSING', `no file at ${path}`);
    await writeMeta(this.db, CERTIFICATE_PATH_KEY, path);
    return { certificatePath: path };
  }

  async start(applicationIds: string[], passphrase: string): Promise<SigningBatch> {
    const user = this.session.requireUser();
    if (this.current && !this.current.snapshot.finished) throw new AppFailure('SIGNING_IN_PROGRESS', 'a batch is still running');
    const path = await readMeta(this.db, CERTIFICATE_PATH_KEY);
    if (!path) throw new AppFailure('CERT_NOT_CONFIGURED', 'no certificate file chosen');
    let p12: Buffer;
    try {
      p12 = await readFile(path);
    } catch {
      throw new AppFailure('CERT_FILE_MISSING', `cannot read ${path}`);
    }
    const identity = loadSigningIdentity(p12, passphrase);
    const office = await readOffice(this.db);
    if (!office) throw new AppFailure('INTERNAL', 'office configuration missing from cache');
    const validation = await checkSigningCertificate(identity, office.trustedRootsPem, this.now());
    const certificateSha256 = createHash('sha256').update(identity.certificateDer).digest('hex');
    if (!isCertificateBoundTo(office.signers, user.username, { certificateSha256, signerSerialNumber: subjectSerialNumber(identity.certificate) })) {
      throw new AppFailure('CERT_NOT_BOUND', `the certificate of ${subjectCommonName(identity.certificate) ?? 'unknown'} is not registered to ${user.username}`);
    }

    const items: SigningItem[] = [];
    for (const applicationId of [...new Set(applicationIds)]) {
      const row = await this.db.selectFrom('applications').select(['registration_number', 'applicant_name']).where('id', '=', applicationId).executeTakeFirst();
      items.push({ applicationId, registrationNumber: row?.registration_number ?? applicationId, applicantName: row?.applicant_name ?? '', status: 'waiting', code: null, permitNumber: null });
    }
    const batch: RunningBatch = { snapshot: { id: randomUUID(), items, finished: false, signerName: user.fullName }, cancelled: false };
    this.current = batch;
    this.batches.set(batch.snapshot.id, batch);
    void this.run(batch, { identity, validationData: validationDataOf(validation) });
    return structuredClone(batch.snapshot);
  }

  progress(batchId: string): SigningBatch {
    const batch = this.batches.get(batchId);
    if (!batch) throw new AppFailure('NOT_FOUND', `no signing batch ${batchId}`);
    return structuredClone(batch.snapshot);
  }

  cancel(batchId: string): SigningBatch {
    const batch = this.batches.get(batchId);
    if (!batch) throw new AppFailure('NOT_FOUND', `no signing batch ${batchId}`);
    batch.cancelled = true;
    return structuredClone(batch.snapshot);
  }

  /** `signer` is referenced only from this call's frame: the key is released when the batch ends. */
  private async run(batch: RunningBatch, signer: BatchSigner): Promise<void> {
    try {
      for (const item of batch.snapshot.items) {
        if (batch.cancelled) {
          item.status = 'cancelled';
          continue;
        }
        item.status = 'signing';
        try {
          item.permitNumber = await this.signOne(item.applicationId, signer);
          item.status = 'signed';
        } catch (error) {
          item.status = 'failed';
          const code = error instanceof AppFailure ? error.code : 'INTERNAL';
          item.code = (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'INTERNAL';
        }
      }
    } finally {
      batch.snapshot.finished = true;
    }
    await this.sync.syncNow().catch(() => undefined);
  }

  private async signOne(applicationId: string, { identity, validationData }: BatchSigner): Promise<string> {
    const user = this.session.requireUser();
    const { application } = await readApplication(this.db, applicationId);
    const workflow = (await readWorkflows(this.db)).get(application.workflowId);
    const permitType = (await readPermitTypes(this.db)).get(application.permitTypeId);
    const office = await readOffice(this.db);
    const action = workflow && signingAction(workflow, application.stage);
    if (!workflow || !permitType || !office || !action) throw new AppFailure('TRANSITION_NOT_ALLOWED', `no permit is signed at stage ${application.stage}`);
    if (await hasPendingCommand(this.db, applicationId)) throw new AppFailure('TRANSITION_NOT_ALLOWED', 'a decision on this file is still waiting to be delivered');
    const verdict = judgeAction({
      workflow,
      currentStage: application.stage,
      expectedStage: application.stage,
      role: user.role,
      actionId: action.id,
      via: 'signed_permit',
      requirementIds: permitType.requirements.map((r) => r.id),
      checklist: application.checklist,
      reason: null,
      conformityFindings: 0,
      hasPermitNumber: application.permitNumber !== null && application.verificationId !== null,
      hasVerifiedSignature: application.signedPermit !== null,
    });
    if (!verdict.ok) throw new AppFailure(verdict.code, verdict.message);
    const { stage } = verdict;

    const signedAt = this.now();
    const prepared = await renderPermitPdf({
      office,
      permitType,
      application,
      permitNumber: application.permitNumber,
      verificationUrl: `${office.verificationBaseUrl}/verifikasi/${application.verificationId}`,
      draft: false,
      signing: {
        signedAt,
        signerName: subjectCommonName(identity.certificate) ?? user.fullName,
        signerSerialNumber: subjectSerialNumber(identity.certificate),
        certificateIssuerName: issuerDisplayName(identity.certificate),
        validationData,
      },
    });
    const timeStampUrl = office.timeStampUrl;
    const timeStamp = timeStampUrl ? (signatureValue: Buffer) => requestTimeStamp(timeStampUrl, signatureValue) : undefined;
    const signed = await signPreparedPdf(prepared, (digest) => buildCadesSignature({ documentDigest: digest, identity, timeStamp }));
    const sha256 = createHash('sha256').update(signed).digest('hex');
    const filePath = join(this.signedDir, `${application.registrationNumber}.pdf`);
    await writeFileAtomic(filePath, signed);

    const command: IssueOutboxCommand = {
      id: randomUUID(),
      type: 'issue',
      applicationId,
      action: action.id,
      expectedStage: stage.id,
      signedAt: signedAt.toISOString(),
      sha256,
      filePath,
    };
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('signed_permits')
        .values({ application_id: applicationId, permit_number: application.permitNumber!, file_path: filePath, sha256, signed_at: command.signedAt })
        .onConflict((oc) => oc.column('application_id').doUpdateSet({ file_path: filePath, sha256, signed_at: command.signedAt }))
        .execute();
      await writeLocalDecision(trx, { command, actor: user, fromStage: stage.id, toStage: action.to, reason: null, at: command.signedAt, evidence: null });
    });
    return application.permitNumber!;
  }
}
