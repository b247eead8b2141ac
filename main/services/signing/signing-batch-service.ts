import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { SigningBatch, SigningItem } from '../../../shared/contract';
import { applicationSchema } from '../../../shared/domain';
import { AppFailure, ERROR_CODES, type ErrorCode } from '../../../shared/result';
import { isCertificateBoundTo } from '../../../shared/signer-binding';
import { judgeAction, signingAction } from '../../../shared/workflow-rules';
import { subjectCommonName, subjectSerialNumber } from '../../../shared/node/certificate-names';
import type { CacheDatabase } from '../../../db/cache-database';
import { readApplication, readMeta, readOffice, readPermitTypes, readWorkflows, writeMeta } from '../cache-reads';
import type { IssueOutboxCommand } from '../outbox-command';
import type { SessionService } from '../session-service';
import { writeLocalDecisions } from '../local-decision';
import type { SyncService } from '../sync-service';
import { writeFilesDurably } from './atomic-write';
import { buildCadesTemplate, fillCadesTemplate, type CadesTemplate } from './cades-signature';
import { checkSigningCertificate } from './certificate-checks';
import { loadSigningIdentity, type SigningIdentity } from './pkcs12-identity';
import { fillSignatureContents, openPreparedSignature } from './pdf-signer';
import { PreparedPermitStore, type PreparedPermit } from './prepared-permit-store';
import { SigningWorkerPool } from './signing-worker-pool';
import { requestTimeStamp } from './time-stamp-client';

const CERTIFICATE_PATH_KEY = 'certificate_path';

/**
 * What a running batch signs with: the key, and the fingerprint of its certificate. The server
 * prepared each permit for the office's registered certificate (its name, path and revocation
 * data are in the bytes): one prepared for any other certificate is refused, never re-rendered.
 */
interface BatchSigner {
  identity: SigningIdentity;
  certificateSha256: string;
}

interface RunningBatch {
  snapshot: SigningBatch;
  cancelled: boolean;
  /** per file, the SHA-256 of the prepared permit as reviewed */
  reviewedSha256: Readonly<Record<string, string>>;
}

/**
 * The Kepala Dinas's batch: one passphrase, many permits. The key is opened and checked
 * before anything is signed, lives only in this batch's closure, and is dropped when the batch
 * ends. Permits are signed in groups, their files written atomically and made durable, and each
 * group recorded with its outbox commands in one transaction (see record()): a crash leaves every
 * file either issued-and-queued or still a draft.
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
    /** GET …/applications/:id/prepared-permit on the office server */
    private readonly fetchPrepared?: (applicationId: string) => Promise<Buffer>,
  ) {
    mkdirSync(signedDir, { recursive: true });
    // beside the signed files, not among them: a signed-permits folder holds only signed permits
    this.prepared = new PreparedPermitStore(`${signedDir}-prepared`);
  }

  private readonly prepared: PreparedPermitStore;
  /** worker threads started ahead of a batch, holding no key until the batch loads it */
  private sparePool: SigningWorkerPool | null = null;

  async settings(): Promise<{ certificatePath: string | null }> {
    // asked when the signing panel opens: the workers start while the passphrase is typed
    if (this.session.current()) this.sparePool ??= new SigningWorkerPool();
    return { certificatePath: await readMeta(this.db, CERTIFICATE_PATH_KEY) };
  }

  /** Remembers where the .p12 is; never the key, never the passphrase. */
  async setCertificatePath(path: string): Promise<{ certificatePath: string }> {
    if (!existsSync(path)) throw new AppFailure('CERT_FILE_MISSING', `no file at ${path}`);
    await writeMeta(this.db, CERTIFICATE_PATH_KEY, path);
    return { certificatePath: path };
  }

  /**
   * `reviewedSha256` names, for every file, the SHA-256 of the prepared permit the Kepala Dinas
   * had on screen when he marked it: a file whose prepared bytes differ by the time they are
   * signed is refused, so nothing is signed that he did not see.
   */
  async start(applicationIds: string[], passphrase: string, reviewedSha256: Readonly<Record<string, string>>): Promise<SigningBatch> {
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
    await checkSigningCertificate(identity, office.trustedRootsPem, this.now());
    const certificateSha256 = createHash('sha256').update(identity.certificateDer).digest('hex');
    if (!isCertificateBoundTo(office.signers, user.username, { certificateSha256, signerSerialNumber: subjectSerialNumber(identity.certificate) })) {
      throw new AppFailure('CERT_NOT_BOUND', `the certificate of ${subjectCommonName(identity.certificate) ?? 'unknown'} is not registered to ${user.username}`);
    }

    const unreviewed = applicationIds.filter((id) => !reviewedSha256[id]);
    if (unreviewed.length > 0) throw new AppFailure('INVALID_INPUT', `no reviewed permit hash for ${unreviewed.join(', ')}`);
    const items: SigningItem[] = [];
    for (const applicationId of [...new Set(applicationIds)]) {
      const row = await this.db.selectFrom('applications').select(['registration_number', 'applicant_name']).where('id', '=', applicationId).executeTakeFirst();
      items.push({ applicationId, registrationNumber: row?.registration_number ?? applicationId, applicantName: row?.applicant_name ?? '', status: 'waiting', code: null, permitNumber: null });
    }
    const batch: RunningBatch = { snapshot: { id: randomUUID(), items, finished: false, signerName: user.fullName }, cancelled: false, reviewedSha256: { ...reviewedSha256 } };
    this.current = batch;
    this.batches.set(batch.snapshot.id, batch);
    void this.run(batch, { identity, certificateSha256 });
    return structuredClone(batch.snapshot);
  }

  progress(batchId: string): SigningBatch {
    const batch = this.batches.get(batchId);
    if (!batch) throw new AppFailure('NOT_FOUND', `no signing batch ${batchId}`);
    // polled while the batch runs: a flat copy of flat items, not a structuredClone of the tree
    return { ...batch.snapshot, items: batch.snapshot.items.map((item) => ({ ...item })) };
  }

  cancel(batchId: string): SigningBatch {
    const batch = this.batches.get(batchId);
    if (!batch) throw new AppFailure('NOT_FOUND', `no signing batch ${batchId}`);
    batch.cancelled = true;
    return structuredClone(batch.snapshot);
  }

  /**
   * The final permit of a file as the server prepared it at the chain's numbering step (number,
   * QR, legal text, signature field with its visible appearance, DSS: everything but the CMS).
   * Fetched once, checked against the SHA-256 pulled with the file, and kept
   * (PreparedPermitStore); the review shows these bytes and the batch signs exactly them. A
   * fetched file that does not hash to the pulled SHA-256, or a kept one that changed since, is
   * refused. The desk renders nothing.
   */
  async prepare(applicationId: string): Promise<PreparedPermit> {
    const { application } = await readApplication(this.db, applicationId);
    if (!application.permitNumber || !application.verificationId) throw new AppFailure('TRANSITION_NOT_ALLOWED', 'the file has no permit number yet');
    const expected = application.preparedPermit;
    if (!expected) throw new AppFailure('PDF_NOT_PREPARED', `the server has not prepared the permit of ${applicationId} (sync first)`);
    const kept = await this.prepared.read(applicationId, expected.sha256);
    if (kept) return kept;
    if (!this.fetchPrepared) throw new AppFailure('PDF_NOT_PREPARED', 'this desk cannot fetch prepared permits');
    const bytes = await this.fetchPrepared(applicationId);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== expected.sha256) {
      throw new AppFailure('PREPARED_PERMIT_CHANGED', `the prepared permit of ${applicationId} hashes to ${sha256}, not ${expected.sha256} as pulled`);
    }
    return this.prepared.write(applicationId, application.permitNumber, bytes, expected.certificateSha256 ?? null);
  }

  /**
   * `signer` is referenced only from this call's frame: the key is released (workers ended) when
   * the batch ends. Groups go through two stages: signed (checked and read on the main thread,
   * hashed and signed on the worker pool), then recorded (files made durable, one transaction).
   * Two groups are being signed at a time, so the main thread reads the next while the workers
   * sign the one before, and one group is recorded meanwhile; groups commit in order.
   */
  private async run(batch: RunningBatch, signer: BatchSigner): Promise<void> {
    const template = await buildCadesTemplate(signer.identity);
    const pool = this.sparePool ?? new SigningWorkerPool();
    this.sparePool = null;
    pool.load(signer.identity.privateKey, template);
    const items = batch.snapshot.items;
    const signing: Array<Promise<SignedGroup>> = [];
    let next = 0;
    const launch = () => {
      if (next >= items.length || batch.cancelled) return;
      const group = this.signGroup(items.slice(next, next + GROUP_SIZE), batch.reviewedSha256, signer, pool, template);
      // awaited in order below; a failure must not go unhandled meanwhile
      group.catch(() => undefined);
      signing.push(group);
      next += GROUP_SIZE;
    };
    let recording: Promise<void> = Promise.resolve();
    try {
      launch();
      launch();
      while (signing.length > 0) {
        const signed = await signing.shift()!;
        launch();
        await recording;
        recording = this.record(signed);
        recording.catch(() => undefined);
      }
      await recording;
      for (const item of items.slice(next)) item.status = 'cancelled';
    } catch (error) {
      // what is still under way ends first: a group that commits is signed, whatever else failed
      await Promise.allSettled([...signing, recording]);
      for (const item of items) if (item.status === 'waiting' || item.status === 'signing') fail(item, error);
    } finally {
      await pool.close();
      batch.snapshot.finished = true;
    }
    await this.sync.syncNow().catch(() => undefined);
  }

  /**
   * One group of permits, signed in memory: each is judged and its prepared bytes checked, then
   * hashed and signed on the worker pool (with a time-stamp when the office has a TSA, requested
   * for the whole group at once). A permit that fails is marked so and left a draft; nothing is
   * written here.
   */
  private async signGroup(group: SigningItem[], reviewedSha256: Readonly<Record<string, string>>, signer: BatchSigner, pool: SigningWorkerPool, template: CadesTemplate): Promise<SignedGroup> {
    const user = this.session.requireUser();
    const office = await readOffice(this.db);
    const timeStampUrl = office?.timeStampUrl ?? null;
    for (const item of group) item.status = 'signing';
    const verdicts = await this.check(
      group.map((item) => item.applicationId),
      user,
      await readWorkflows(this.db),
      await readPermitTypes(this.db),
    );
    const jobs = group.map(async (item): Promise<SignedItem | null> => {
      try {
        const checked = verdicts.get(item.applicationId)!;
        if (checked instanceof AppFailure) throw checked;
        const prepared = await this.prepare(item.applicationId);
        if (prepared.sha256 !== reviewedSha256[item.applicationId]) {
          throw new AppFailure('PREPARED_PERMIT_CHANGED', `the prepared permit of ${item.applicationId} is not the one reviewed`);
        }
        if (prepared.certificateSha256 !== signer.certificateSha256) {
          throw new AppFailure('PREPARED_FOR_OTHER_CERTIFICATE', `the permit of ${item.applicationId} was prepared for certificate ${prepared.certificateSha256 ?? '(none registered)'}, not the one opened`);
        }
        const open = openPreparedSignature(prepared.bytes);
        const { pdf, digest, signatureValue, sha256 } = await pool.sign(open, !timeStampUrl);
        if (!timeStampUrl) return { item, ...checked, signed: pdf, sha256: sha256! };
        const token = await requestTimeStamp(timeStampUrl, signatureValue);
        const signed = fillSignatureContents({ ...open, pdf }, fillCadesTemplate(template, digest, signatureValue, token));
        return { item, ...checked, signed, sha256: createHash('sha256').update(signed).digest('hex') };
      } catch (error) {
        fail(item, error);
        return null;
      }
    });
    return { user, items: (await Promise.all(jobs)).filter((j): j is SignedItem => j !== null) };
  }

  /**
   * Records a signed group in one go. Why one commit per group is as safe as one per permit: the
   * signed files are written to temporary names, all synced, and renamed, and the directory
   * synced once, BEFORE the single transaction that records the group's permits and outbox
   * commands. A crash before that commit leaves files that no command names (overwritten by the
   * next batch) and every permit of the group still a draft in the cache; a crash after it finds
   * every file the commit names durable on disk. Nothing is reported signed before its group has
   * committed.
   */
  private async record({ user, items }: SignedGroup): Promise<void> {
    if (items.length === 0) return;
    const signedAt = this.now().toISOString();
    const files = items.map((d) => ({ ...d, filePath: join(this.signedDir, `${d.registrationNumber}.pdf`) }));
    await writeFilesDurably(this.signedDir, files.map((f) => ({ path: f.filePath, data: f.signed })));
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('signed_permits')
        .values(files.map((f) => ({ application_id: f.item.applicationId, permit_number: f.permitNumber, file_path: f.filePath, sha256: f.sha256, signed_at: signedAt })))
        .onConflict((oc) =>
          oc.column('application_id').doUpdateSet((eb) => ({ file_path: eb.ref('excluded.file_path'), sha256: eb.ref('excluded.sha256'), signed_at: eb.ref('excluded.signed_at') })),
        )
        .execute();
      await writeLocalDecisions(
        trx,
        files.map((f) => {
          const command: IssueOutboxCommand = { id: randomUUID(), type: 'issue', applicationId: f.item.applicationId, action: f.actionId, expectedStage: f.stageId, signedAt, sha256: f.sha256, filePath: f.filePath };
          return { command, actor: user, fromStage: f.stageId, toStage: f.toStage, reason: null, at: signedAt, evidence: null };
        }),
      );
    });
    for (const f of files) {
      f.item.permitNumber = f.permitNumber;
      f.item.status = 'signed';
    }
  }

  /**
   * Judges a group's files as the server will: read in two queries for the whole group (the
   * files, and which of them already have a decision waiting), each judged by the one workflow
   * rule. A file that may not be signed gets its refusal, not an exception for the group.
   */
  private async check(
    applicationIds: string[],
    user: ReturnType<SessionService['requireUser']>,
    workflows: Awaited<ReturnType<typeof readWorkflows>>,
    permitTypes: Awaited<ReturnType<typeof readPermitTypes>>,
  ): Promise<Map<string, Checked | AppFailure>> {
    const rows = new Map((await this.db.selectFrom('applications').select(['id', 'stage', 'data']).where('id', 'in', applicationIds).execute()).map((r) => [r.id, r]));
    const waiting = new Set(
      (await this.db.selectFrom('outbox').select('application_id').where('application_id', 'in', applicationIds).where('status', '=', 'pending').execute()).map((r) => r.application_id),
    );
    const verdicts = new Map<string, Checked | AppFailure>();
    for (const applicationId of applicationIds) {
      try {
        const row = rows.get(applicationId);
        if (!row) throw new AppFailure('NOT_FOUND', `application ${applicationId} is not in the local cache`);
        // the desk's own pending decision moves the file before the server has confirmed it (as readApplication)
        const application = { ...applicationSchema.parse(JSON.parse(row.data)), stage: row.stage };
        const workflow = workflows.get(application.workflowId);
        const permitType = permitTypes.get(application.permitTypeId);
        const action = workflow && signingAction(workflow, application.stage);
        if (!workflow || !permitType || !action) throw new AppFailure('TRANSITION_NOT_ALLOWED', `no permit is signed at stage ${application.stage}`);
        if (waiting.has(applicationId)) throw new AppFailure('TRANSITION_NOT_ALLOWED', 'a decision on this file is still waiting to be delivered');
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
        verdicts.set(applicationId, { actionId: action.id, stageId: verdict.stage.id, toStage: action.to, permitNumber: application.permitNumber!, registrationNumber: application.registrationNumber });
      } catch (error) {
        verdicts.set(applicationId, error instanceof AppFailure ? error : new AppFailure('INTERNAL', String(error)));
      }
    }
    return verdicts;
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

/** A group signed in memory, waiting to be recorded, with the official who signed it. */
interface SignedGroup {
  user: ReturnType<SessionService['requireUser']>;
  items: SignedItem[];
}

function fail(item: SigningItem, error: unknown): void {
  item.status = 'failed';
  const code = error instanceof AppFailure ? error.code : 'INTERNAL';
  item.code = (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'INTERNAL';
}
