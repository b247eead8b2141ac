import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { SigningBatch, SigningItem } from '../../../shared/contract';
import type { Application, PermitType } from '../../../shared/domain';
import type { Office } from '../../../shared/office';
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
import { writeFilesDurably } from './atomic-write';
import { buildCadesSignature, buildCadesTemplate } from './cades-signature';
import { checkSigningCertificate } from './certificate-checks';
import { loadSigningIdentity, type SigningIdentity } from './pkcs12-identity';
import { fillSignatureContents, openPreparedSignature } from './pdf-signer';
import { PreparedPermitStore, type PreparedPermit } from './prepared-permit-store';
import { SigningWorkerPool } from './signing-worker-pool';
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
interface BatchSigner extends PreparedSigner {
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
    // beside the signed files, not among them: a signed-permits folder holds only signed permits
    this.prepared = new PreparedPermitStore(`${signedDir}-prepared`);
  }

  private readonly prepared: PreparedPermitStore;

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
    void this.run(batch, {
      identity,
      validationData: validationDataOf(validation),
      signerName: subjectCommonName(identity.certificate) ?? user.fullName,
      signerSerialNumber: subjectSerialNumber(identity.certificate),
      certificateIssuerName: issuerDisplayName(identity.certificate),
    });
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

  /**
   * Prepares the final permit of a file at the signing stage once: number, QR, legal text,
   * signature field with its visible appearance and the DSS, everything but the CMS. The bytes
   * and their SHA-256 are stored (PreparedPermitStore); the review shows them and the batch
   * signs exactly them. A permit already prepared for this number is returned as it is.
   */
  async prepare(applicationId: string, signer?: PreparedSigner): Promise<PreparedPermit> {
    const { application } = await readApplication(this.db, applicationId);
    if (!application.permitNumber || !application.verificationId) throw new AppFailure('TRANSITION_NOT_ALLOWED', 'the file has no permit number yet');
    const existing = await this.prepared.read(applicationId, application.permitNumber);
    if (existing) return existing;
    const permitType = (await readPermitTypes(this.db)).get(application.permitTypeId);
    const office = await readOffice(this.db);
    if (!permitType || !office) throw new AppFailure('INTERNAL', 'permit type or office missing from cache');
    return preparePermit(this.prepared, { office, permitType, application, signer, now: this.now() });
  }

  /** `signer` is referenced only from this call's frame: the key is released (workers ended) when the batch ends. */
  private async run(batch: RunningBatch, signer: BatchSigner): Promise<void> {
    const pool = new SigningWorkerPool(signer.identity.privateKey, await buildCadesTemplate(signer.identity));
    try {
      const items = batch.snapshot.items;
      for (let from = 0; from < items.length; from += GROUP_SIZE) {
        const group = items.slice(from, from + GROUP_SIZE);
        if (batch.cancelled) {
          for (const item of items.slice(from)) item.status = 'cancelled';
          break;
        }
        await this.signGroup(group, signer, pool);
      }
    } catch (error) {
      for (const item of batch.snapshot.items) if (item.status === 'waiting' || item.status === 'signing') fail(item, error);
    } finally {
      await pool.close();
      batch.snapshot.finished = true;
    }
    await this.sync.syncNow().catch(() => undefined);
  }

  /**
   * One group of permits: each is judged and its prepared bytes checked, the group is hashed
   * and signed on the worker pool, and then recorded in one go. Why one commit per group is as
   * safe as one per permit: the signed files are written to temporary names, all synced, and
   * renamed, and the directory synced once, BEFORE the single transaction that records the
   * group's permits and outbox commands. A crash before that commit leaves files that no
   * command names (overwritten by the next batch) and every permit of the group still a draft
   * in the cache; a crash after it finds every file the commit names durable on disk. Nothing
   * is reported signed before its group has committed.
   */
  private async signGroup(group: SigningItem[], signer: BatchSigner, pool: SigningWorkerPool): Promise<void> {
    const user = this.session.requireUser();
    const office = await readOffice(this.db);
    const workflows = await readWorkflows(this.db);
    const permitTypes = await readPermitTypes(this.db);
    const timeStampUrl = office?.timeStampUrl ?? null;
    const jobs: Array<Promise<SignedItem | null>> = [];
    for (const item of group) {
      item.status = 'signing';
      const job = (async (): Promise<SignedItem> => {
        const checked = await this.check(item.applicationId, user, workflows, permitTypes);
        const prepared = await this.prepare(item.applicationId, signer);
        const open = openPreparedSignature(prepared.bytes);
        const { pdf, digest, signatureValue } = await pool.sign(open, !timeStampUrl);
        const signed = timeStampUrl
          ? fillSignatureContents(
              { ...open, pdf },
              await buildCadesSignature({ documentDigest: digest, identity: signer.identity, signatureValue, timeStamp: (value) => requestTimeStamp(timeStampUrl, value) }),
            )
          : pdf;
        return { item, ...checked, signed, sha256: createHash('sha256').update(signed).digest('hex') };
      })();
      jobs.push(
        job.catch((error: unknown) => {
          fail(item, error);
          return null;
        }),
      );
    }
    const done = (await Promise.all(jobs)).filter((j): j is SignedItem => j !== null);
    if (done.length === 0) return;

    const signedAt = this.now().toISOString();
    const files = done.map((d) => ({ ...d, filePath: join(this.signedDir, `${d.registrationNumber}.pdf`) }));
    await writeFilesDurably(this.signedDir, files.map((f) => ({ path: f.filePath, data: f.signed })));
    await this.db.transaction().execute(async (trx) => {
      for (const f of files) {
        const command: IssueOutboxCommand = { id: randomUUID(), type: 'issue', applicationId: f.item.applicationId, action: f.actionId, expectedStage: f.stageId, signedAt, sha256: f.sha256, filePath: f.filePath };
        await trx
          .insertInto('signed_permits')
          .values({ application_id: f.item.applicationId, permit_number: f.permitNumber, file_path: f.filePath, sha256: f.sha256, signed_at: signedAt })
          .onConflict((oc) => oc.column('application_id').doUpdateSet({ file_path: f.filePath, sha256: f.sha256, signed_at: signedAt }))
          .execute();
        await writeLocalDecision(trx, { command, actor: user, fromStage: f.stageId, toStage: f.toStage, reason: null, at: signedAt, evidence: null });
      }
    });
    for (const f of files) {
      f.item.permitNumber = f.permitNumber;
      f.item.status = 'signed';
    }
  }

  private async check(
    applicationId: string,
    user: ReturnType<SessionService['requireUser']>,
    workflows: Awaited<ReturnType<typeof readWorkflows>>,
    permitTypes: Awaited<ReturnType<typeof readPermitTypes>>,
  ): Promise<Checked> {
    const { application } = await readApplication(this.db, applicationId);
    const workflow = workflows.get(application.workflowId);
    const permitType = permitTypes.get(application.permitTypeId);
    const action = workflow && signingAction(workflow, application.stage);
    if (!workflow || !permitType || !action) throw new AppFailure('TRANSITION_NOT_ALLOWED', `no permit is signed at stage ${application.stage}`);
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
    return { actionId: action.id, stageId: verdict.stage.id, toStage: action.to, permitNumber: application.permitNumber!, registrationNumber: application.registrationNumber };
  }
}

/** Permits recorded per transaction: big enough that commits are rare, small enough that progress shows. */
const GROUP_SIZE = 25;

interface Checked {
  actionId: string;
  stageId: string;
  toStage: string;
  permitNumber: string;
  registrationNumber: string;
}

interface SignedItem extends Checked {
  item: SigningItem;
  signed: Buffer;
  sha256: string;
}

/** The signer as the visible appearance names them, and the DSS's validation data. */
export interface PreparedSigner {
  signerName: string;
  signerSerialNumber?: string | null;
  certificateIssuerName?: string | null;
  validationData?: BatchSigner['validationData'];
}

function fail(item: SigningItem, error: unknown): void {
  item.status = 'failed';
  const code = error instanceof AppFailure ? error.code : 'INTERNAL';
  item.code = (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'INTERNAL';
}

/**
 * Renders and stores the final permit of a numbered file: everything but the CMS. The printed
 * "pada tanggal" is the preparation date; the signing time itself is the TSA's (else the
 * server's clock), recorded when the server verifies the signature.
 */
export async function preparePermit(
  store: PreparedPermitStore,
  input: { office: Office; permitType: PermitType; application: Application; signer?: PreparedSigner; now: Date },
): Promise<PreparedPermit> {
  const { office, permitType, application, signer, now } = input;
  if (!application.permitNumber || !application.verificationId) throw new AppFailure('TRANSITION_NOT_ALLOWED', 'the file has no permit number yet');
  const bytes = await renderPermitPdf({
    office,
    permitType,
    application,
    permitNumber: application.permitNumber,
    verificationUrl: `${office.verificationBaseUrl}/verifikasi/${application.verificationId}`,
    draft: false,
    signing: {
      signedAt: now,
      signerName: signer?.signerName ?? office.headName,
      signerSerialNumber: signer?.signerSerialNumber ?? null,
      certificateIssuerName: signer?.certificateIssuerName ?? null,
      validationData: signer?.validationData,
    },
  });
  return store.write(application.id, application.permitNumber, bytes);
}
