import type { Handlers } from '../../shared/contract';
import { dirname, join } from 'node:path';
import { openCacheDb } from '../../db/open-cache-db';
import { SigningBatchService } from './signing/signing-batch-service';
import { readOffice } from './cache-reads';
import { VerificationService } from './signing/verification-service';
import { sharedRevocationSource } from '../../shared/node/revocation';
import { ApplicationService } from './application-service';
import { DraftPermitService } from './draft-permit-service';
import { QueueService } from './queue-service';
import { ReviewService } from './review-service';
import { ServerClient, type FetchLike } from './server-client';
import { SessionService } from './session-service';
import { SyncService } from './sync-service';

export interface DeskServicesOptions {
  cacheFile: string;
  /** where signed permits are kept; beside the cache file unless said */
  signedDir?: string;
  /** a certificate path to remember when none is set yet (the demo office's .p12) */
  defaultCertificatePath?: string;
  serverUrl: string;
  /** 0 turns the background sync off (tests drive it themselves) */
  syncIntervalMs?: number;
  fetchImpl?: FetchLike;
  now?: () => Date;
}

export interface DeskServices {
  handlers: Handlers;
  sync: SyncService;
  session: SessionService;
  close(): Promise<void>;
}

/** Wires every main-process service over one cache file; both renderer hosts use this. */
export async function createDeskServices(options: DeskServicesOptions): Promise<DeskServices> {
  const { db, close } = await openCacheDb(options.cacheFile);
  const now = options.now ?? (() => new Date());
  const client = new ServerClient(options.serverUrl, options.fetchImpl);
  const session = new SessionService(client, db);
  const sync = new SyncService(db, client, now);
  const queue = new QueueService(db, session, now);
  const applications = new ApplicationService(db, session, client, sync, now);
  const review = new ReviewService(db, session, sync, now);
  const drafts = new DraftPermitService(db, session);
  const signing = new SigningBatchService(db, session, sync, options.signedDir ?? join(dirname(options.cacheFile), 'signed-permits'), now);
  const verification = new VerificationService(db, client, now, sharedRevocationSource());
  if (options.defaultCertificatePath && !(await signing.settings()).certificatePath) {
    await signing.setCertificatePath(options.defaultCertificatePath).catch(() => undefined);
  }

  async function syncAndPrefetch() {
    const status = await sync.syncNow();
    if (status.online && session.current()) {
      const { items } = await queue.list({ limit: 200 });
      await applications.prefetch(items.map((i) => i.id)).catch(() => 0);
    }
    return sync.status();
  }

  const handlers: Handlers = {
    'session.signIn': async ({ username, password }) => {
      const user = await session.signIn(username, password);
      await syncAndPrefetch();
      return { user };
    },
    'session.signOut': async () => {
      session.signOut();
      return {};
    },
    'session.current': async () => {
      const office = await readOffice(db);
      return { user: session.current(), serverUrl: options.serverUrl, office: office ? { name: office.name, city: office.city, timeZone: office.timeZone } : null };
    },
    'sync.now': () => syncAndPrefetch(),
    'sync.status': () => sync.status(),
    'queue.list': (query) => queue.list(query),
    'application.get': ({ applicationId }) => applications.get(applicationId),
    'application.document': ({ documentId }) => applications.document(documentId),
    'application.claim': ({ applicationId, take }) => applications.claim(applicationId, take),
    'review.decide': (input) => review.decide(input),
    'draft.get': ({ applicationId }) => drafts.get(applicationId),
    'signing.settings': () => signing.settings(),
    'signing.setCertificatePath': ({ path }) => signing.setCertificatePath(path),
    'signing.start': ({ applicationIds, passphrase }) => signing.start(applicationIds, passphrase),
    'signing.progress': async ({ batchId }) => signing.progress(batchId),
    'signing.cancel': async ({ batchId }) => signing.cancel(batchId),
    'verification.check': ({ base64 }) => verification.check(base64),
  };

  if ((options.syncIntervalMs ?? 15_000) > 0) sync.startTimer(options.syncIntervalMs ?? 15_000);

  return {
    handlers,
    sync,
    session,
    async close() {
      sync.stopTimer();
      await close();
    },
  };
}
