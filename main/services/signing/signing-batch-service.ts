import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { SigningBatch, SigningItem } from '../../../shared/contract';
import { applicationSchema } from '../../../shared/domain';
import { AppFailure, ERROR_CODES, type ErrorCode } from '../../../shared/result';
import { isCertificateBoundTo } from '../../../shared/signer-binding';
import { judgeAction, signingAction } from '../../../shared/workflow-rules';
import { subjectCommonName, subjectSerialNumber } from '../../../shared/node/certificate-names';
import type { CacheDatabase } from '../../../db/cache-database';
import { readApplication, readMeta, readOffice, readPermitTypes, readWorkflows, writeMeta } from '../cache-reads';
import { outboxCommandSchema, type IssueOutboxCommand } from '../outbox-command';
import type { SessionService } from '../session-service';
import { writeLocalDecisions } from '../local-decision';
import type { SyncService } from '../sync-service';
import { silentLog, type DeskLog } from '../desk-log';
import { pendingApplicationIds } from '../outbox';
import { buildCadesTemplate, fillCadesTemplate, type CadesTemplate } from './cades-signature';
import { checkSigningCertificate } from './certificate-checks';
import { loadSigningIdentity, type SigningIdentity } from './pkcs12-identity';
import { fillSignatureContents } from './pdf-signer';
import { PreparedPermitStore, type PreparedPermit } from './prepared-permit-store';
import { SignedGroupJournal, stageFile, temporaryName } from './signed-group-journal';
import { SigningWorkerPool, type WorkerJob, type WorkerSignature } from './signing-worker-pool';
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
 * ends. Permits are signed on worker threads and recorded in groups: each group's files made
 * durable together (SignedGroupJournal) and the group recorded with its outbox commands in one
 * transaction (see record()): a crash leaves every file either issued-and-queued or still a draft.
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
    /** where an unexpected error behind a failed item (INTERNAL on screen) is written */
    private readonly log: DeskLog = silentLog,
  ) {
    mkdirSync(signedDir, { recursive: true });
    // beside the signed files, not among them: a signed-permits folder holds only signed permits
    this.prepared = new PreparedPermitStore(`${signedDir}-prepared`);
    this.journal = new SignedGroupJournal(`${signedDir}-journal`, signedDir);
    // before anything reads a signed file: what a power cut took after a commit comes back
    this.journal.recover();
  }

  private readonly prepared: PreparedPermitStore;
  private readonly journal: SignedGroupJournal;
  /** worker threads started ahead of a batch, holding no key until the batch loads it */
  private sparePool: SigningWorkerPool | null = null;

  async settings(): Promise<{ certificatePath: string | null }> {
    // asked when the signing panel opens: the workers start while the passphrase is typed
    if (this.session.current()) {
      this.sparePool ??= new SigningWorkerPool();
      setImmediate(warmValidators);
    }
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
    if (this.isRunning()) throw new AppFailure('SIGNING_IN_PROGRESS', 'a batch is still running');
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
    const unique = [...new Set(applicationIds)];
    const rows = new Map(
      unique.length === 0
        ? []
        : (await this.db.selectFrom('applications').select(['id', 'registration_number', 'applicant_name']).where('id', 'in', unique).execute()).map((r) => [r.id, r]),
    );
    const items: SigningItem[] = unique.map((applicationId) => {
      const row = rows.get(applicationId);
      return { applicationId, registrationNumber: row?.registration_number ?? applicationId, applicantName: row?.applicant_name ?? '', status: 'waiting', code: null, permitNumber: null };
    });
    const batch: RunningBatch = { snapshot: { id: randomUUID(), items, finished: false, finishedAt: null, signerName: user.fullName }, cancelled: false, reviewedSha256: { ...reviewedSha256 } };
    this.current = batch;
    this.batches.set(batch.snapshot.id, batch);
    void this.run(batch, { identity, certificateSha256 });
    return structuredClone(batch.snapshot);
  }

  /** true from start() until the batch's last item is recorded or failed: the desk must not sign out meanwhile */
  isRunning(): boolean {
    return this.current !== null && !this.current.snapshot.finished;
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
   * the batch ends. The main thread judges the files a chunk at a time and hands each to the
   * worker pool, which reads, checks, hashes and signs it (at most IN_FLIGHT at once, so a
   * cancel takes effect soon); meanwhile whatever the workers have signed is recorded in groups
   * (at least MIN_GROUP unless nothing else is coming, at most MAX_GROUP): the slower recording
   * is, the larger its groups, so it never holds the workers up for long. Up to
   * GROUPS_RECORDING groups are recorded at a time: their files go to disk while the oldest
   * commits; groups commit in order.
   */
  private async run(batch: RunningBatch, signer: BatchSigner): Promise<void> {
    const pool = this.sparePool ?? new SigningWorkerPool();
    this.sparePool = null;
    const items = batch.snapshot.items;
    const journals: string[] = [];
    const inFlight = new Set<Promise<void>>();
    const ready: SignedItem[] = [];
    let wake: (() => void) | null = null;
    const notify = () => {
      wake?.();
      wake = null;
    };
    let dispatched = 0;
    let halted = false;
    let dispatching: Promise<void> = Promise.resolve();
    let recording: Promise<void> = Promise.resolve();
    try {
      await walAutocheckpoint(this.db, WAL_PAGES_WHILE_SIGNING);
      const template = await buildCadesTemplate(signer.identity);
      pool.load(signer.identity.privateKey, template);
      const user = this.session.requireUser();
      const timeStampUrl = (await readOffice(this.db))?.timeStampUrl ?? null;
      const workflows = await readWorkflows(this.db);
      const permitTypes = await readPermitTypes(this.db);
      let dispatchDone = false;
      let dispatchError: unknown = null;
      dispatching = (async () => {
        while (dispatched < items.length && !batch.cancelled && !halted) {
          while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
          const chunk = items.slice(dispatched, dispatched + CHECK_CHUNK);
          dispatched += chunk.length;
          for (const item of chunk) item.status = 'signing';
          const verdicts = await this.check(
            chunk.map((item) => item.applicationId),
            user,
            workflows,
            permitTypes,
          );
          for (const item of chunk) {
            const job: Promise<void> = this.signItem(item, verdicts.get(item.applicationId)!, batch.reviewedSha256[item.applicationId]!, signer, pool, template, timeStampUrl)
              .then((signed) => {
                if (signed) ready.push(signed);
              })
              .finally(() => {
                inFlight.delete(job);
                notify();
              });
            inFlight.add(job);
          }
        }
      })().then(
        () => {
          dispatchDone = true;
          notify();
        },
        (error: unknown) => {
          dispatchDone = true;
          dispatchError = error;
          notify();
        },
      );
      let groupsRecording = 0;
      let recordError: unknown = null;
      for (;;) {
        if (recordError) throw recordError;
        const drained = dispatchDone && inFlight.size === 0;
        if (groupsRecording < GROUPS_RECORDING && (ready.length >= MIN_GROUP || (drained && ready.length > 0))) {
          groupsRecording += 1;
          recording = this.record(user, ready.splice(0, MAX_GROUP), journals, recording);
          recording.then(
            () => {
              groupsRecording -= 1;
              notify();
            },
            (error: unknown) => {
              groupsRecording -= 1;
              recordError ??= error;
              notify();
            },
          );
          continue;
        }
        if (drained && ready.length === 0 && groupsRecording === 0) break;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (dispatchError) throw dispatchError;
      for (const item of items.slice(dispatched)) item.status = 'cancelled';
    } catch (error) {
      // what is still under way ends first: a group that commits is signed, whatever else failed
      halted = true;
      await Promise.allSettled([dispatching, ...inFlight, recording]);
      // signed but never recorded: their written files go (a crash would have left them, harmlessly)
      for (const signed of ready) void signed.staged.then((temp) => unlink(temp)).catch(() => undefined);
      for (const item of items) if (item.status === 'waiting' || item.status === 'signing') fail(item, error, this.log);
    } finally {
      // everything is recorded (or failed): the signer has his answer while the workers end, key and all
      batch.snapshot.finished = true;
      batch.snapshot.finishedAt = this.now().toISOString();
      await pool.close();
    }
    // the final files made durable and the journal files dropped, off the signer's wait
    void this.journal.settle(journals).catch((error: unknown) => this.log.error('signing.settle_failed', error));
    await checkpointDeferredWal(this.db).catch((error: unknown) => this.log.error('signing.checkpoint_failed', error));
    await this.sync.syncNow().catch(() => undefined);
  }

  /**
   * One permit, signed in memory: judged (`checked`), its prepared bytes checked against the
   * hash the Kepala Dinas reviewed, then hashed and signed on the worker pool (with a
   * time-stamp when the office has a TSA). Usually the worker reads the kept prepared file
   * itself; when it is missing or not the reviewed bytes, prepare() decides as the review does
   * (fetched anew, or refused as changed). A permit that fails is marked so and left a draft;
   * nothing is written here.
   */
  private async signItem(
    item: SigningItem,
    checked: Checked | AppFailure,
    reviewedSha256: string,
    signer: BatchSigner,
    pool: SigningWorkerPool,
    template: CadesTemplate,
    timeStampUrl: string | null,
  ): Promise<SignedItem | null> {
    try {
      if (checked instanceof AppFailure) throw checked;
      const fill = !timeStampUrl;
      const filePath = join(this.signedDir, `${checked.registrationNumber}.pdf`);
      // a worker that finishes the file writes it (unflushed) beside its final name; record() makes it durable
      const writeTo = fill ? temporaryName(filePath) : undefined;
      const asKept = checked.prepared?.sha256 === reviewedSha256 && checked.prepared.certificateSha256 === signer.certificateSha256;
      let answer = asKept ? await pool.sign({ path: this.prepared.pdfPath(item.applicationId), expectedSha256: reviewedSha256, writeTo }, fill) : null;
      if (!answer) {
        const prepared = await this.prepare(item.applicationId);
        answer = await pool.sign({ ...this.checkedPrepared(item.applicationId, prepared, reviewedSha256, signer), writeTo }, fill);
        if (!answer) throw new AppFailure('PREPARED_PERMIT_CHANGED', `the prepared permit of ${item.applicationId} is not the one reviewed`);
      }
      if (writeTo) return { item, ...checked, filePath, staged: Promise.resolve(writeTo), signed: answer.pdf, sha256: answer.sha256! };
      const { signed, sha256 } = await this.timeStamped(answer, template, timeStampUrl!);
      return { item, ...checked, filePath, staged: stageFile(filePath, signed), signed, sha256 };
    } catch (error) {
      fail(item, error, this.log);
      return null;
    }
  }

  /** A prepared permit as signable: the one reviewed, prepared for the certificate opened. */
  private checkedPrepared(applicationId: string, prepared: PreparedPermit, reviewedSha256: string, signer: BatchSigner): WorkerJob {
    if (prepared.sha256 !== reviewedSha256) {
      throw new AppFailure('PREPARED_PERMIT_CHANGED', `the prepared permit of ${applicationId} is not the one reviewed`);
    }
    if (prepared.certificateSha256 !== signer.certificateSha256) {
      throw new AppFailure('PREPARED_FOR_OTHER_CERTIFICATE', `the permit of ${applicationId} was prepared for certificate ${prepared.certificateSha256 ?? '(none registered)'}, not the one opened`);
    }
    return { pdf: prepared.bytes, expectedSha256: reviewedSha256 };
  }

  /** PAdES B-T: the worker's signature time-stamped, the CMS filled from the template with the token. */
  private async timeStamped(answer: WorkerSignature, template: CadesTemplate, timeStampUrl: string): Promise<{ signed: Buffer; sha256: string }> {
    const token = await requestTimeStamp(timeStampUrl, answer.signatureValue);
    const signed = fillSignatureContents(answer, fillCadesTemplate(template, answer.digest, answer.signatureValue, token));
    return { signed, sha256: createHash('sha256').update(signed).digest('hex') };
  }

  /**
   * Records a group of signed permits in one go. Why one commit per group is as safe as one per
   * permit: the group's files are made durable first, together (SignedGroupJournal: one journal
   * file flushed, each final file in place), BEFORE the single transaction that records the
   * group's permits and outbox commands. A crash before that commit leaves files that no command
   * names (overwritten by the next batch) and every permit of the group still a draft in the
   * cache; a crash after it finds every file the commit names on disk, or brought back from the
   * journal at the next start. Nothing is reported signed before its group has committed.
   */
  private async record(user: ReturnType<SessionService['requireUser']>, files: SignedItem[], journals: string[], previous: Promise<void>): Promise<void> {
    const journaled = this.journal.write(files.map((f) => ({ path: f.filePath, data: f.signed, sha256: f.sha256, staged: f.staged }))).then((journal) => {
      journals.push(journal);
    });
    // the files go to disk while the group before commits; a group commits only after it, and not at all if it failed
    const [written, before] = await Promise.allSettled([journaled, previous]);
    if (before.status === 'rejected') throw before.reason;
    if (written.status === 'rejected') throw written.reason;
    const signedAt = this.now().toISOString();
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
    const waiting = await pendingApplicationIds(this.db, applicationIds);
    const verdicts = new Map<string, Checked | AppFailure>();
    for (const applicationId of applicationIds) {
      try {
        const row = rows.get(applicationId);
        if (!row) throw new AppFailure('NOT_FOUND', `application ${applicationId} is not in the local cache`);
        // the desk's own pending decision moves the file before the server has confirmed it (as readApplication)
        const application = { ...signingViewSchema.parse(JSON.parse(row.data)), stage: row.stage };
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
        verdicts.set(applicationId, {
          actionId: action.id,
          stageId: verdict.stage.id,
          toStage: action.to,
          permitNumber: application.permitNumber!,
          registrationNumber: application.registrationNumber,
          prepared: application.permitNumber && application.verificationId && application.preparedPermit
            ? { sha256: application.preparedPermit.sha256, certificateSha256: application.preparedPermit.certificateSha256 ?? null }
            : null,
        });
      } catch (error) {
        if (!(error instanceof AppFailure)) this.log.error('signing.check_failed', error, { applicationId });
        verdicts.set(applicationId, error instanceof AppFailure ? error : new AppFailure('INTERNAL', String(error)));
      }
    }
    return verdicts;
  }
}

/**
 * What check() reads of a cached file, validated as the whole file would be: not the applicant
 * and the rest, whose validation was most of the judging's time in a batch.
 */
const signingViewSchema = applicationSchema.pick({
  workflowId: true,
  permitTypeId: true,
  registrationNumber: true,
  checklist: true,
  permitNumber: true,
  verificationId: true,
  signedPermit: true,
  preparedPermit: true,
});

/** Files judged per query. */
const CHECK_CHUNK = 25;
/** Permits handed to the workers and not yet back: enough to keep both busy while a group records. */
const IN_FLIGHT = 64;
/**
 * Permits recorded per transaction: at least this many while more are coming, so commits stay
 * few (each group costs a journal file, two flushes and a transaction: 50 measured faster than
 * 32 for a 200-permit batch on two cores, 64 no faster than 50)...
 */
const MIN_GROUP = 50;
/** ...and at most this many, so progress shows. */
const MAX_GROUP = 100;
/** Groups being recorded at once: their files go to disk together while the oldest commits. */
const GROUPS_RECORDING = 3;

/**
 * SQLite copies the WAL into the cache file every 1,000 pages by default, on the committing call:
 * inside a batch that is one commit in five or so taking 15–20 ms on the main thread, which every
 * later group waits for (groups commit in order). The copy waits for the batch's end instead, as
 * it does during a pull (pull-writer.ts). Durability is unchanged: a commit is in the WAL either
 * way (synchronous=NORMAL syncs at checkpoints, open-cache-db.ts), and the setting is the
 * connection's only, so a crash leaves nothing raised. The WAL grows by a few thousand pages at
 * most for a 200-permit batch.
 */
const WAL_PAGES_WHILE_SIGNING = 100_000;
const SQLITE_WAL_AUTOCHECKPOINT = 1000;

async function walAutocheckpoint(db: Kysely<CacheDatabase>, pages: number): Promise<void> {
  await sql.raw(`PRAGMA wal_autocheckpoint = ${Math.trunc(pages)}`).execute(db);
}

/**
 * After a batch (the signer already has his answer): back to SQLite's default, and the WAL
 * copied now. A pull that overlapped the batch may have done both already; a batch started
 * meanwhile only loses the deferral for its remaining groups.
 */
async function checkpointDeferredWal(db: Kysely<CacheDatabase>): Promise<void> {
  await walAutocheckpoint(db, SQLITE_WAL_AUTOCHECKPOINT);
  await sql`PRAGMA wal_checkpoint(PASSIVE)`.execute(db);
}

interface Checked {
  actionId: string;
  stageId: string;
  toStage: string;
  permitNumber: string;
  registrationNumber: string;
  /** the prepared permit as pulled with the file, when it has its number (what prepare() would fetch or find kept) */
  prepared: { sha256: string; certificateSha256: string | null } | null;
}

interface SignedItem extends Checked {
  /** the signed file's final name, and its bytes being written under a temporary name (stageFile) */
  filePath: string;
  staged: Promise<string>;
  item: SigningItem;
  signed: Buffer;
  sha256: string;
}


let validatorsWarm = false;

/**
 * zod compiles a schema's validator on its first use: some 15 ms for the outbox command's,
 * which the first group of a desk's first batch would otherwise wait for. Done once, when the
 * signing panel opens (as the workers are started), with a command that is never stored.
 */
function warmValidators(): void {
  if (validatorsWarm) return;
  validatorsWarm = true;
  outboxCommandSchema.safeParse({
    id: randomUUID(),
    type: 'issue',
    applicationId: 'warm-up',
    action: 'warm-up',
    expectedStage: 'warm-up',
    signedAt: new Date(0).toISOString(),
    sha256: '0'.repeat(64),
    filePath: 'warm-up.pdf',
    decidedBy: { userId: 'warm-up', fullName: 'warm-up', role: 'kepala_dinas' },
    signature: null,
  } satisfies IssueOutboxCommand);
}

function fail(item: SigningItem, error: unknown, log: DeskLog): void {
  item.status = 'failed';
  if (!(error instanceof AppFailure)) log.error('signing.item_failed', error, { applicationId: item.applicationId });
  const code = error instanceof AppFailure ? error.code : 'INTERNAL';
  item.code = (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'INTERNAL';
}
