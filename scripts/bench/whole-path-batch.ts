// The whole signing path as a user gets it, for bench:batch and bench:sign: seeds drafts at the
// signing stage on a reference server, prepares them as production does, runs the real
// SigningBatchService from start() until every item is signed and recorded, and times pushing
// them to the server apart. Also raw RSA-2048 crypto.sign on one thread, for the ratio.
import { createPrivateKey, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SigningBatch } from '../../shared/contract';
import { createDeskServices } from '../../main/services/create-desk-services';
import { createDeskClient } from '../../main/services/desk-client';
import { loadSigningIdentity } from '../../main/services/signing/pkcs12-identity';
import { renderPermitPdf } from '../../shared/node/permit-pdf/permit-layout';
import { checkSigningCertificate } from '../../main/services/signing/certificate-checks';
import { issuerDisplayName, subjectCommonName, subjectSerialNumber } from '../../shared/node/certificate-names';
import type { Application } from '../../shared/domain';
import Database from 'better-sqlite3';
import { officeSchema, type Office } from '../../shared/office';
import { startCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD, DEMO_PERMIT_TYPES, DEMO_SIGNERS, demoOffice } from '../../server/seed/demo-configuration';
import { makeDemoSigningCertificates } from '../../server/seed/demo-certificates';

export const demo = makeDemoSigningCertificates(demoOffice('http://127.0.0.1').headName);

export interface WholePathOptions {
  docs: number;
  withTsa: boolean;
  /** a CPU profile of the main thread during the batch (start() to the last record), for DevTools */
  cpuProfile?: string;
}

export interface RunFigures {
  docsPerS: number;
  /** CPU time of every thread of the process during the batch (start() to the last record): steadier than wall time on a busy machine */
  batchCpuMs: number;
  prepareMsPerPermit: number;
  pushDocsPerS: number;
  pullMs: number;
  signedDir: string;
  dir: string;
}

export async function runWholePath({ docs: DOCS, withTsa, cpuProfile }: WholePathOptions): Promise<RunFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-batch-'));
  const p12 = join(dir, 'kadis.p12');
  writeFileSync(p12, demo.p12);
  const server = await startCentralServer({
    dbFile: join(dir, 'server.sqlite'),
    // the office registers the head's certificate: the server prepares each permit for it as it numbers the file
    seedDemoIfEmpty: {
      applications: DOCS,
      allAtStage: 'penandatanganan',
      trustedRootsPem: [demo.caPem],
      timeStampUrl: withTsa ? 'self' : null,
      signers: DEMO_SIGNERS.map((b) => ({ ...b, certificatePem: demo.certificatePem })),
    },
  });
  const signedDir = join(dir, 'signed');
  const desk = await createDeskServices({ cacheFile: join(dir, 'cache.sqlite'), signedDir, serverUrl: server.url, syncIntervalMs: 0 });
  const { callOk: call } = createDeskClient(desk);
  try {
    await call('session.signIn', { username: 'kadis', password: DEMO_PASSWORD });
    await call('signing.setCertificatePath', { path: p12 });
    const ids = (await call('queue.list', { limit: 500 })).items.map((i) => i.id);
    if (ids.length !== DOCS) throw new Error(`expected ${DOCS} drafts at the signing stage, found ${ids.length}`);

    // Prepared as in production: by the server, once per file, when the file was numbered (here
    // at seeding). Timed here with the same renderer and inputs, apart from the batch.
    const identity = loadSigningIdentity(demo.p12, demo.passphrase);
    const validation = await checkSigningCertificate(identity, [demo.caPem], new Date());
    const signing = {
      signedAt: new Date(),
      claimSigningTime: false,
      signerName: subjectCommonName(identity.certificate) ?? 'Kepala Dinas',
      signerSerialNumber: subjectSerialNumber(identity.certificate),
      certificateIssuerName: issuerDisplayName(identity.certificate),
      validationData: { certificates: validation.path.map((c) => c.raw), crls: validation.revocation.flatMap((r) => r.crls), ocspResponses: [] },
    };
    const office = readServerOffice(join(dir, 'server.sqlite'));
    const applications: Application[] = [];
    for (const id of ids) applications.push((await call('application.get', { applicationId: id })).application);
    let started = performance.now();
    for (const application of applications) {
      const permitType = DEMO_PERMIT_TYPES.find((t) => t.id === application.permitTypeId)!;
      const verificationUrl = `${office.verificationBaseUrl}/verifikasi/${application.verificationId}`;
      await renderPermitPdf({ office, permitType, application, permitNumber: application.permitNumber, verificationUrl, draft: false, signing });
    }
    const prepareMsPerPermit = (performance.now() - started) / DOCS;
    // the review fetches each prepared permit (hash-checked) before the batch, as the Kepala Dinas's review does
    const reviewedSha256: Record<string, string> = {};
    for (const id of ids) reviewedSha256[id] = (await call('signing.prepared', { applicationId: id })).sha256;

    // The signing panel asks for its settings when it opens, and the passphrase takes seconds to
    // type: the service starts its (keyless) signing workers then, as it does for the user.
    await call('signing.settings', {});
    await new Promise((resolve) => setTimeout(resolve, 500));

    // Sync off so the batch's own push does not count toward signing: pushed below, timed alone.
    const offline = desk.sync as unknown as { syncNow: () => Promise<unknown> };
    const syncNow = offline.syncNow.bind(desk.sync);
    offline.syncNow = async () => desk.sync.status();
    const profiler = cpuProfile ? await startProfiler() : null;
    const startedAt = Date.now();
    const cpuBefore = process.cpuUsage();
    let batch: SigningBatch = await call('signing.start', { applicationIds: ids, passphrase: demo.passphrase, reviewedSha256 });
    // polled as the signing panel does; the time is the batch's own finishedAt (when the last
    // item was recorded), so the figure is not rounded up to the polling interval, and the
    // polls are as few as the panel's (each copies the whole snapshot)
    while (!batch.finished) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      batch = await call('signing.progress', { batchId: batch.id });
    }
    const signMs = Date.parse(batch.finishedAt!) - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
    if (profiler) await profiler.stop(cpuProfile!);
    const failed = batch.items.filter((i) => i.status !== 'signed');
    if (failed.length) throw new Error(`${failed.length} permits not signed: ${failed[0]!.code}`);
    offline.syncNow = syncNow;

    // the push alone (bulk requests, each permit verified by the server); then the pull that
    // brings the issued files back, timed apart
    started = performance.now();
    const outcomes = await desk.sync.pushOutbox(true);
    const pushMs = performance.now() - started;
    const refused = [...outcomes.values()].filter((o) => o.status !== 'accepted');
    if (outcomes.size !== DOCS || refused.length) throw new Error(`${DOCS - outcomes.size + refused.length} permits not accepted by the server: ${JSON.stringify(refused[0] ?? null)}`);
    started = performance.now();
    await syncNow();
    const pullMs = performance.now() - started;
    const status = await call('sync.status', {});
    if (status.pendingCommands !== 0) throw new Error(`${status.pendingCommands} permits not accepted by the server`);
    return { docsPerS: DOCS / (signMs / 1000), batchCpuMs: (cpu.user + cpu.system) / 1000, prepareMsPerPermit, pushDocsPerS: DOCS / (pushMs / 1000), pullMs, signedDir, dir };
  } finally {
    await desk.close();
    await server.close();
  }
}

/** The office exactly as the server seeded it (the desk renders from the same record it pulls). */
function readServerOffice(serverDb: string): Office {
  const db = new Database(serverDb, { readonly: true });
  try {
    return officeSchema.parse(JSON.parse((db.prepare("SELECT definition AS value FROM offices WHERE id = 'dpmptsp-kota-metro'").get() as { value: string }).value));
  } finally {
    db.close();
  }
}

/** `--cpu-prof FILE`: the main thread's CPU profile of the batch alone (start() to the last record), for Chrome DevTools. */
async function startProfiler(): Promise<{ stop: (file: string) => Promise<void> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    stop: async (file) => {
      const { profile } = await post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

export function rawRsaOpsPerS(): number {
  const identity = loadSigningIdentity(demo.p12, demo.passphrase);
  const key = createPrivateKey(identity.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const message = Buffer.alloc(32, 7);
  let ops = 0;
  const started = performance.now();
  while (performance.now() - started < 1500) {
    sign('sha256', message, key);
    ops += 1;
  }
  return ops / ((performance.now() - started) / 1000);
}

