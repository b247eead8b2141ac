// `npm run bench:batch [-- --keep DIR] [--runs N] [--cpu-prof FILE]`: the whole signing path as a
// user gets it (whole-path-batch.ts): 200 drafts at the signing stage prepared as in production,
// the real SigningBatchService from start() until every item is signed and recorded, raw RSA-2048
// crypto.sign on one thread in the same run, the push to the server timed apart; then once more
// with the demo office's TSA on. The batch without TSA runs N times (default 3), each on a fresh
// office and desk, and its figures are the median run's: on a shared 2-core machine one batch of
// a fifth of a second varies by half from one run to the next. Every run's figure is printed too.
// The last line is one JSON object.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { demo, rawRsaOpsPerS, runWholePath } from './whole-path-batch';

const DOCS = 200;
const { values } = parseArgs({ options: { keep: { type: 'string' }, runs: { type: 'string', default: '3' }, 'cpu-prof': { type: 'string' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a whole number of at least 1');

const plainRuns = [];
for (let i = 0; i < runs; i += 1) plainRuns.push(await runWholePath({ docs: DOCS, withTsa: false, cpuProfile: i === 0 ? values['cpu-prof'] : undefined }));
const byRate = [...plainRuns].sort((a, b) => a.docsPerS - b.docsPerS);
const plain = byRate[Math.floor((byRate.length - 1) / 2)]!;
const rsaOpsPerS = rawRsaOpsPerS();
const tsa = await runWholePath({ docs: DOCS, withTsa: true });
if (values.keep) {
  mkdirSync(values.keep, { recursive: true });
  for (const file of readdirSync(plain.signedDir)) copyFileSync(join(plain.signedDir, file), join(values.keep, file));
  writeFileSync(join(values.keep, 'ca.pem'), demo.caPem);
  console.log(`kept ${DOCS} signed permits and ca.pem in ${values.keep}`);
}
for (const run of plainRuns) await rm(run.dir, { recursive: true, force: true });
await rm(tsa.dir, { recursive: true, force: true });

console.log(`prepared ${DOCS} permits at ${plain.prepareMsPerPermit.toFixed(2)} ms each (before the batch, as at the signing stage's preparation point)`);
console.log(`signed and recorded ${DOCS} permits from start(): ${plain.docsPerS.toFixed(0)}/s without TSA (median of ${runs} runs: ${plainRuns.map((r) => r.docsPerS.toFixed(0)).join(', ')}), ${tsa.docsPerS.toFixed(0)}/s with the demo TSA; raw RSA-2048 ${rsaOpsPerS.toFixed(0)} ops/s on one thread`);
// steadier than wall time when other processes share the cores
console.log(`CPU time of the whole process during each batch without TSA (every thread): ${plainRuns.map((r) => r.batchCpuMs.toFixed(0)).join(', ')} ms`);
console.log(`pushed to the reference server in bulk requests, each permit verified there: ${plain.pushDocsPerS.toFixed(0)} permits/s; the pull that follows: ${plain.pullMs.toFixed(0)} ms`);
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
    runs,
  }),
);
