// `npm run bench:sign [-- --keep DIR]`: the headline is the whole path a user gets (the same run
// as bench:batch's, whole-path-batch.ts: the real batch service from start() until every permit
// is signed and recorded, no TSA). The inner step (fill + hash + RSA of permits rendered
// beforehand, one thread, no database, no files) follows as a secondary line only: on its own it
// overstates what a user gets.
import { createPrivateKey, sign } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Application } from '../../shared/domain';
import { renderPermitPdf } from '../../shared/node/permit-pdf/permit-layout';
import { buildCadesSignature } from '../../main/services/signing/cades-signature';
import { checkSigningCertificate } from '../../main/services/signing/certificate-checks';
import { loadSigningIdentity } from '../../main/services/signing/pkcs12-identity';
import { signPreparedPdf } from '../../main/services/signing/pdf-signer';
import { DEMO_PERMIT_TYPES, demoOffice } from '../../server/seed/demo-configuration';
import { makeDemoSigningCertificates } from '../../server/seed/demo-certificates';
import { makeApplicant, seededRandom } from '../../server/seed/demo-people';
import { runWholePath } from './whole-path-batch';

const DOCS = 100;
const { values } = parseArgs({ options: { keep: { type: 'string' } } });

const office = demoOffice('http://127.0.0.1:8787');
const demo = makeDemoSigningCertificates(office.headName);
let started = performance.now();
const identity = loadSigningIdentity(demo.p12, demo.passphrase);
await checkSigningCertificate(identity, [demo.caPem], new Date(), null);
const openMs = performance.now() - started;

const random = seededRandom(7);
const professions = ['optisien', 'okupasi', 'internship'] as const;
started = performance.now();
const prepared: Uint8Array[] = [];
for (let i = 0; i < DOCS; i += 1) {
  const permitType = DEMO_PERMIT_TYPES[i % 3]!;
  const application: Application = {
    id: `bench-${i}`,
    registrationNumber: `MPPD-2026-${String(i + 1).padStart(6, '0')}`,
    permitTypeId: permitType.id,
    workflowId: permitType.workflowId,
    stage: 'penandatanganan',
    applicant: makeApplicant(random, professions[i % 3]!, i + 1),
    checklist: {},
    submittedAt: new Date().toISOString(),
    completeAt: null,
    stageEnteredAt: new Date().toISOString(),
    permitNumber: `503/${permitType.template.numberCode}/${String(i + 1).padStart(4, '0')}/DPMPTSP/2026`,
    verificationId: `bench${i}`,
    version: 1,
    claimedBy: null,
    signedPermit: null,
    permitNumberVoided: false,
  };
  prepared.push(
    await renderPermitPdf({
      office,
      permitType,
      application,
      permitNumber: application.permitNumber,
      verificationUrl: `${office.verificationBaseUrl}/verifikasi/${application.verificationId}`,
      draft: false,
      signing: { signedAt: new Date(), signerName: office.headName },
    }),
  );
}
const renderMs = performance.now() - started;

started = performance.now();
const signed: Buffer[] = [];
for (const pdf of prepared) signed.push(await signPreparedPdf(pdf, (digest) => buildCadesSignature({ documentDigest: digest, identity })));
const signMs = performance.now() - started;

// Raw RSA-2048 PKCS#1 v1.5 signatures over a digest-sized input, the same key type, same run.
const rawKey = createPrivateKey(identity.privateKey.export({ type: 'pkcs8', format: 'pem' }));
const message = Buffer.alloc(32, 7);
let ops = 0;
started = performance.now();
while (performance.now() - started < 1500) {
  sign('sha256', message, rawKey);
  ops += 1;
}
const rsaOpsPerS = ops / ((performance.now() - started) / 1000);
const docsPerS = DOCS / (signMs / 1000);

if (values.keep) {
  mkdirSync(values.keep, { recursive: true });
  signed.forEach((pdf, i) => writeFileSync(join(values.keep!, `permit-${String(i + 1).padStart(3, '0')}.pdf`), pdf));
  writeFileSync(join(values.keep, 'ca.pem'), demo.caPem);
  console.log(`kept ${DOCS} signed permits and ca.pem in ${values.keep}`);
}
const whole = await runWholePath({ docs: 200, withTsa: false });
const ratio = whole.docsPerS / rsaOpsPerS;
console.log(`whole path (what a user gets): 200 permits signed and recorded from start() at ${whole.docsPerS.toFixed(0)}/s, ${ratio.toFixed(3)} of raw RSA-2048 (${rsaOpsPerS.toFixed(0)} ops/s on one thread)`);
console.log(
  `  secondary, the inner step only: opened the .p12 in ${openMs.toFixed(1)} ms; rendered ${DOCS} permits beforehand in ${renderMs.toFixed(0)} ms; fill + hash + RSA ${(signMs / DOCS).toFixed(2)} ms each, ${docsPerS.toFixed(0)}/s on one thread`,
);
console.log(
  JSON.stringify({
    docs_per_s: Number(whole.docsPerS.toFixed(1)),
    rsa_ops_per_s: Number(rsaOpsPerS.toFixed(1)),
    ratio: Number(ratio.toFixed(3)),
    inner_step_docs_per_s: Number(docsPerS.toFixed(1)),
    inner_ratio: Number((docsPerS / rsaOpsPerS).toFixed(3)),
  }),
);
await rm(whole.dir, { recursive: true, force: true });
