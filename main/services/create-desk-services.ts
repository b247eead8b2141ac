import type { Handlers, SyncStatus } from '../../shared/contract';
import { AppFailure } from '../../shared/result';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openCacheDb, type CacheStartupNotice } from '../../db/open-cache-db';
import { fileKeyStore, loadOrCreateCacheKey, type CacheKeyStore } from '../../db/cache-key';
import type { BackupSchedule } from '../../db/cache-backups';
import { SigningBatchService } from './signing/signing-batch-service';
import { readOffice } from './cache-reads';
import { VerificationService } from './signing/verification-service';
import { preparedPermitForReview } from './signing/prepared-permit-review';
import { sharedRevocationSource } from '../../shared/node/revocation';
import { ApplicationService } from './application-service';
import { DraftPermitService } from './draft-permit-service';
import { QueueService } from './queue-service';
import { ReviewService } from './review-service';
import { ServerClient, type FetchLike } from './server-client';
import { SessionService } from './session-service';
import { SyncService } from './sync-service';
import { OversightClient } from './oversight-client';
import { oversightHandlers } from './oversight-service';
import type { DeskLog } from './desk-log';
import { createFileLog } from './desk-log-file';

export interface DeskServicesOptions {
  cacheFile: string;
  /**
   * The cache key, 32 bytes: given directly, or kept by `keyStore` (the desktop passes one backed
   * by Electron's safeStorage). With neither, a key file `cache.key` (mode 0600) beside the cache
   * holds it: the web host and the tests.
   */
  cacheKey?: Buffer;
  keyStore?: CacheKeyStore;
  /** the rolling verified backup of the cache: every hour unless said; 0 takes none automatically */
  backupIntervalMs?: number;
  /** where signed permits are kept; beside the cache file unless said */
  signedDir?: string;
  /** a certificate path to remember when none is set yet (the demo office's .p12) */
  defaultCertificatePath?: string;
  /**
   * The host's own open dialog for the .p12/.pfx (Electron's); the chosen path, or null when
   * cancelled. Without one (the web host) the renderer asks for a typed path instead.
   */
  chooseCertificateFile?: () => Promise<string | null>;
  serverUrl: string;
  /** 0 turns the background sync off (tests drive it themselves) */
  syncIntervalMs?: number;
  fetchImpl?: FetchLike;
  now?: () => Date;
  /**
   * Where unexpected errors are written. Without one, a rotating file `<logDir>/meja-izin.log`
   * (desk-log-file.ts), `logs/` beside the cache unless `logDir` says.
   */
  log?: DeskLog;
  logDir?: string;
}

export interface DeskServices {
  handlers: Handlers;
  sync: SyncService;
  session: SessionService;
  /**
   * Set once when the cache was found damaged at start and restored from a backup: the UI says
   * "Cache lokal rusak dan telah dipulihkan dari cadangan pukul …" with `backupAt`.
   */
  startupNotice: CacheStartupNotice | null;
  backups: BackupSchedule;
  /** the desk's log, for the host's dispatcher (desk-client.ts) as for the services */
  log: DeskLog;
  close(): Promise<void>;
}

/** Wires every main-process service over one cache file; both renderer hosts use this. */
export async function createDeskServices(options: DeskServicesOptions): Promise<DeskServices> {
  const key = options.cacheKey ?? (await loadOrCreateCacheKey(options.keyStore ?? fileKeyStore(join(dirname(options.cacheFile), 'cache.key')), options.cacheFile));
  const cache = await openCacheDb(options.cacheFile, { key, backupIntervalMs: options.backupIntervalMs ?? 3_600_000 });
  const { db, close } = cache;
  const now = options.now ?? (() => new Date());
  const logFile = options.log ? null : createFileLog(options.logDir ?? join(dirname(options.cacheFile), 'logs'));
  const log: DeskLog = options.log ?? logFile!;
  const client = new ServerClient(options.serverUrl, options.fetchImpl);
  const session = new SessionService(client, db);
  const sync = new SyncService(db, client, now, log);
  const queue = new QueueService(db, session, now);
  const applications = new ApplicationService(db, session, client, sync, now);
  const review = new ReviewService(db, session, sync, now);
  const drafts = new DraftPermitService(db, session, (applicationId) => signing.prepare(applicationId));
  const signedDir = options.signedDir ?? join(dirname(options.cacheFile), 'signed-permits');
  // signed permits name their holders: the folder is the desk user's only, like the cache
  privateFolder(signedDir);
  const signing = new SigningBatchService(db, session, sync, signedDir, now, (applicationId) => client.preparedPermit(applicationId), log);
  const verification = new VerificationService(db, client, now, sharedRevocationSource());
  if (options.defaultCertificatePath && !(await signing.settings()).certificatePath) {
    // the demo certificate may be gone (a refusal); anything else is a bug worth a line
    await signing.setCertificatePath(options.defaultCertificatePath).catch((error: unknown) => {
      if (!(error instanceof AppFailure)) log.error('signing.default_certificate_failed', error);
    });
  }

  async function syncAndPrefetch() {
    const status = await sync.syncNow();
    if (status.online && session.current()) {
      const { items } = await queue.list({ limit: 200 });
      await applications.prefetch(items.map((i) => i.id)).catch((error: unknown) => {
        // documents not fetched now are fetched when opened; only a bug is worth a line
        if (!(error instanceof AppFailure)) log.error('prefetch.failed', error, { files: items.length });
        return 0;
      });
    }
    return withStartupNotice(await sync.status());
  }

  // a cache restored from its backup at start is said on every status until the desk restarts
  const withStartupNotice = (status: SyncStatus): SyncStatus => ({ ...status, restoredFromBackupAt: cache.notice?.backupAt ?? null });

  const handlers: Handlers = {
    'session.signIn': async ({ username, password }) => {
      const user = await session.signIn(username, password);
      await syncAndPrefetch();
      return { user };
    },
    'session.signOut': async () => {
      // the batch holds the key and runs on: signing out under it would leave its result unseen
      if (signing.isRunning()) throw new AppFailure('SIGN_OUT_WHILE_SIGNING', 'a signing batch is still running; wait for it or cancel it first');
      session.signOut();
      return {};
    },
    'session.current': async () => {
      const office = await readOffice(db);
      return { user: session.current(), serverUrl: options.serverUrl, office: office ? { name: office.name, city: office.city, timeZone: office.timeZone } : null };
    },
    'sync.now': () => syncAndPrefetch(),
    'sync.status': async () => withStartupNotice(await sync.status()),
    'queue.list': (query) => queue.list(query),
    'application.get': ({ applicationId }) => applications.get(applicationId),
    'application.document': ({ documentId }) => applications.document(documentId),
    'application.claim': ({ applicationId, take }) => applications.claim(applicationId, take),
    'review.decide': (input) => review.decide(input),
    'draft.get': ({ applicationId }) => drafts.get(applicationId),
    'signing.settings': async () => ({ ...(await signing.settings()), certificateDialog: options.chooseCertificateFile !== undefined }),
    'signing.chooseCertificate': async () => {
      if (!options.chooseCertificateFile) throw new AppFailure('UNKNOWN_METHOD', 'this host has no file dialog; give the path instead');
      const chosen = await options.chooseCertificateFile();
      return chosen === null ? { certificatePath: null } : signing.setCertificatePath(chosen);
    },
    'signing.prepared': ({ applicationId }) => preparedPermitForReview(db, session, signing, applicationId),
    'signing.setCertificatePath': ({ path }) => signing.setCertificatePath(path),
    'signing.start': ({ applicationIds, passphrase, reviewedSha256 }) => signing.start(applicationIds, passphrase, reviewedSha256),
    'signing.progress': async ({ batchId }) => signing.progress(batchId),
    'signing.cancel': async ({ batchId }) => signing.cancel(batchId),
    'verification.check': ({ base64 }) => verification.check(base64),
    ...oversightHandlers({ db, session, client: new OversightClient(client, options.fetchImpl), sync, now }),
  };

  if ((options.syncIntervalMs ?? 15_000) > 0) sync.startTimer(options.syncIntervalMs ?? 15_000);

  return {
    handlers,
    sync,
    session,
    startupNotice: cache.notice,
    backups: cache.backups,
    log,
    async close() {
      sync.stopTimer();
      await close();
      logFile?.close();
    },
  };
}

function privateFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(dir, 0o700);
}
