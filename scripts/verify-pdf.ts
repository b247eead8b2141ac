// `npm run verify -- FILE... [--roots PEM]...`: verifies signed PDFs with the same verifier the
// desk and the server use. Prints one JSON object per file per line (the SignatureFacts and
// "file"). Exit code 0 when every file is intact and its certificate trusted, 1 otherwise,
// 2 on a usage error. Without --roots nothing is trusted (certificateProblem CERT_UNTRUSTED);
// without --tsa-roots no time-stamp counts, and trust is judged now. Revocation: the CRLs the
// certificates name, fetched, and the PDF's /DSS (with --offline, the /DSS only).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyPdfSignature } from '../shared/node/pdf-signature-verifier';
import { CrlRevocationSource } from '../shared/node/revocation';

const USAGE = 'usage: npm run verify -- FILE... [--roots ROOTS.pem]... [--tsa-roots TSA-ROOTS.pem]... [--offline]';

/** Every certificate in a PEM bundle, each as its own PEM block. */
function certificatesIn(pemFile: string): string[] {
  const blocks = readFileSync(pemFile, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`${pemFile} holds no PEM certificate`);
  return blocks;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { roots: { type: 'string', multiple: true }, 'tsa-roots': { type: 'string', multiple: true }, offline: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let trustedRootsPem: string[];
  let timeStampRootsPem: string[] | undefined;
  try {
    trustedRootsPem = (values.roots ?? []).flatMap(certificatesIn);
    timeStampRootsPem = values['tsa-roots'] ? values['tsa-roots'].flatMap(certificatesIn) : undefined;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const revocation = new CrlRevocationSource();
  let allGood = true;
  for (const file of positionals) {
    let pdf: Buffer;
    try {
      pdf = readFileSync(file);
    } catch (error) {
      process.stderr.write(`${file}: ${(error as Error).message}\n`);
      return 2;
    }
    // the CRLs the certificates name are fetched (5 s each at most) unless --offline: then only the PDF's own /DSS answers
    const facts = await verifyPdfSignature(pdf, { trustedRootsPem, now: new Date(), timeStampRootsPem, revocation: values.offline ? undefined : revocation });
    process.stdout.write(`${JSON.stringify({ file, ...facts })}\n`);
    if (!facts.intact || facts.certificateTrusted !== true) allGood = false;
  }
  return allGood ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 2;
  },
);
