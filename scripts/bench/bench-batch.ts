// `npm run bench:batch [-- --keep DIR]`: the whole signing path as a user gets it. Seeds 200 drafts
// at the signing stage on a reference server, prepares them as the desk does, runs the real
// SigningBatchService from start() until every item is signed and recorded, measures raw RSA-2048
// crypto.sign on one thread in the same run, and times pushing them to the server separately.
// Then once more with the demo office's TSA on. The last line is one JSON object.
import { createPrivateKey, sign } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SigningBatch } from '../../shared/contract';
import { createDeskServices } from '../../main/services/create-desk-services';
import { dispatchCall } from '../../main/services/dispatch-call';
import { loadSigningIdentity } from '../../main/services/signing/pkcs12-identity';
import { preparePermit, type PreparedSigner } from '../../main/services/signing/signing-batch-service';
import { PreparedPermitStore } from '../../main/services/signing/prepared-permit-store';
import { checkSigningCertificate } from '../../main/services/signing/certificate-checks';
import { issuerDisplayName, subjectCommonName, subjectSerialNumber } from '../../shared/node/certificate-names';
import type { Application } from '../../shared/domain';
import Database from 'better-sqlite3';
import { officeSchema, type Office } from '../../shared/office';
import { startCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD, DEMO_PERMIT_TYPES, demoOffice } from '../../server/seed/demo-configuration';
import { makeDemoSigningCertificates } from '../../server/seed/demo-certificates';

const DOCS = 200;
const { values } = parseArgs({ options: { keep: { type: 'string' } } });
const demo = makeDemoSigningCertificates(demoOffice('http://127.0.0.1').headName);

interface RunFigures {
  docsPerS: number;
  prepareMsPerPermit: number;
  pushDocsPerS: number;
  signedDir: string;
  dir: string;
}

async function run(withTsa: boolean): Promise<RunFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-batch-'));
  const p12 = join(dir, 'kadis.p12');
  writeFileSync(p12, demo.p12);
  const server = await startCentralServer({
    dbFile: join(dir, 'server.sqlite'),
    seedDemoIfEmpty: { applications: DOCS, allAtStage: 'penandatanganan', trustedRootsPem: [demo.caPem], timeStampUrl: withTsa ? 'self' : null },
  });
  const signedDir = join(dir, 'signed');
  const desk = await createDeskServices({ cacheFile: join(dir, 'cache.sqlite'), signedDir, serverUrl: server.url, syncIntervalMs: 0 });
  const call = async (method: string, input: unknown) => {
    const result = await dispatchCall(desk.handlers, method, input);
    if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
    return result.value as any;
  };
  try {
    await call('session.signIn', { username: 'kadis', password: DEMO_PASSWORD });
    await call('signing.setCertificatePath', { path: p12 });
    const ids: string[] = (await call('queue.list', { limit: 500 })).items.map((i: { id: string }) => i.id);
    if (ids.length !== DOCS) throw new Error(`expected ${DOCS} drafts at the signing stage, found ${ids.length}`);

    // Prepared as in production: once per file, before review, by the same function the signing
    // service prepares with, into the store the service signs from.
    const identity = loadSigningIdentity(demo.p12, demo.passphrase);
    const validation = await checkSigningCertificate(identity, [demo.caPem], new Date());
    const signer: PreparedSigner = {
      signerName: subjectCommonName(identity.certificate) ?? 'Kepala Dinas',
      signerSerialNumber: subjectSerialNumber(identity.certificate),
      certificateIssuerName: issuerDisplayName(identity.certificate),
      validationData: { certificates: validation.path.map((c) => c.raw), crls: validation.revocation.flatMap((r) => r.crls), ocspResponses: [] },
    };
    const office = readServerOffice(join(dir, 'server.sqlite'));
    const store = new PreparedPermitStore(`${signedDir}-prepared`);
    const applications: Application[] = [];
    for (const id of ids) applications.push((await call('application.get', { applicationId: id })).application as Application);
    let started = performance.now();
    for (const application of applications) {
      const permitType = DEMO_PERMIT_TYPES.find((t) => t.id === application.permitTypeId)!;
      await preparePermit(store, { office, permitType, application, signer, now: new Date() });
    }
    const prepareMsPerPermit = (performance.now() - started) / DOCS;

    // Sync off so the batch's own push does not count toward signing: pushed below, timed alone.
    const offline = desk.sync as unknown as { syncNow: () => Promise<unknown> };
    const syncNow = offline.syncNow.bind(desk.sync);
    offline.syncNow = async () => desk.sync.status();
    started = performance.now();
    let batch: SigningBatch = await call('signing.start', { applicationIds: ids, passphrase: demo.passphrase });
    while (!batch.finished) {
      await new Promise((resolve) => setImmediate(resolve));
      batch = await call('signing.progress', { batchId: batch.id });
    }
    const signMs = performance.now() - started;
    const failed = batch.items.filter((i) => i.status !== 'signed');
    if (failed.length) throw new Error(`${failed.length} permits not signed: ${failed[0]!.code}`);
    offline.syncNow = syncNow;

    started = performance.now();
    await syncNow();
    const pushMs = performance.now() - started;
    const status = await call('sync.status', {});
    if (status.pendingCommands !== 0) throw new Error(`${status.pendingCommands} permits not accepted by the server`);
    return { docsPerS: DOCS / (signMs / 1000), prepareMsPerPermit, pushDocsPerS: DOCS / (pushMs / 1000), signedDir, dir };
  } finally {
    await desk.close();
    await server.close();
  }
}

/** The office exactly as the server seeded it (the desk renders from the same record it pulls). */
function readServerOffice(serverDb: string): Office {
  const db = new Database(serverDb, { readonly: true });
  try {
    return officeSchema.parse(JSON.parse((db.prepare("SELECT value FROM settings WHERE key = 'office'").get() as { value: string }).value));
  } finally {
    db.close();
  }
}

function rawRsaOpsPerS(): number {
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

const plain = await run(false);
const rsaOpsPerS = rawRsaOpsPerS();
const tsa = await run(true);

if (values.keep) {
  mkdirSync(values.keep, { recursive: true });
  for (const file of readdirSync(plain.signedDir)) copyFileSync(join(plain.signedDir, file), join(values.keep, file));
  writeFileSync(join(values.keep, 'ca.pem'), demo.caPem);
  console.log(`kept ${DOCS} signed permits and ca.pem in ${values.keep}`);
}
await rm(plain.dir, { recursive: true, force: true });
await rm(tsa.dir, { recursive: true, force: true });

console.log(`prepared ${DOCS} permits at ${plain.prepareMsPerPermit.toFixed(2)} ms each (before the batch, as at the signing stage's preparation point)`);
console.log(`signed and recorded ${DOCS} permits from start(): ${plain.docsPerS.toFixed(0)}/s without TSA, ${tsa.docsPerS.toFixed(0)}/s with the demo TSA; raw RSA-2048 ${rsaOpsPerS.toFixed(0)} ops/s on one thread`);
console.log(`pushed to the reference server: ${plain.pushDocsPerS.toFixed(0)} permits/s`);
const r = (n: number, d = 1) => Number(n.toFixed(d));
console.log(
  JSON.stringify({
    docs: DOCS,
    docs_per_s: r(plain.docsPerS),
    rsa_ops_per_s: r(rsaOpsPerS),
    ratio: r(plain.docsPerS / rsaOpsPerS, 3),
    prepare_ms_per_permit: r(plain.prepareMsPerPermit, 2),
    push_docs_per_s: r(plain.pushDocsPerS),
    docs_per_s_with_tsa: r(tsa.docsPerS),
  }),
);
