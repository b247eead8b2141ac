import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_HEAD_CERTIFICATE_SERIAL, DEMO_PASSWORD, DEMO_SIGNERS, DEMO_USERS, PEKANBARU_HEAD_CERTIFICATE_SERIAL, PEKANBARU_SIGNERS, demoOffice, pekanbaruOffice } from '../../server/seed/demo-configuration';
import { demoCertificatePem, makeDemoSigningCertificates } from '../../server/seed/demo-certificates';

export const EMBEDDED_SERVER_PORT = 8787;
const DEMO_CRL_NAME = 'demo-ca.crl';

/**
 * With no office server configured, the desk runs the reference server itself on loopback,
 * with a demo database seeded on first run: a complete office on one machine.
 */
export interface EmbeddedServer extends RunningCentralServer {
  /** the demo Kepala Dinas's .p12, made with the demo database */
  demoCertificatePath: string;
  demoCertificatePassphrase: string;
}

export async function startEmbeddedServer(dataDir: string, log: (line: string) => void = console.log): Promise<EmbeddedServer> {
  mkdirSync(dataDir, { recursive: true });
  const dbFile = join(dataDir, 'embedded-server.sqlite');
  const demoCertificatePath = join(dataDir, 'demo-kepala-dinas.p12');
  const caFile = join(dataDir, 'demo-ca.pem');
  const crlFile = join(dataDir, 'demo-ca.crl');
  // the Pekanbaru office's Kepala Dinas (kadispekanbaru) signs his office's permits with his own
  const pekanbaruCertificatePath = join(dataDir, 'demo-kepala-dinas-pekanbaru.p12');
  if (!existsSync(demoCertificatePath) || !existsSync(pekanbaruCertificatePath) || !existsSync(caFile) || !existsSync(crlFile)) {
    // The demo CA publishes its CRL on the embedded server, so the demo certificate's revocation
    // is really checked and the permit's DSS carries it (PAdES B-LT). On a fallback port the CDP
    // does not answer and revocation is recorded as unknown.
    const demo = makeDemoSigningCertificates(demoOffice('http://127.0.0.1').headName, 'kadis-demo', {
      crlUrl: `http://127.0.0.1:${EMBEDDED_SERVER_PORT}/pki/${DEMO_CRL_NAME}`,
      subjectSerialNumber: DEMO_HEAD_CERTIFICATE_SERIAL,
      otherSigners: [{ name: pekanbaruOffice('http://127.0.0.1').headName, subjectSerialNumber: PEKANBARU_HEAD_CERTIFICATE_SERIAL, organization: 'DPMPTSP Kota Pekanbaru' }],
    });
    writeFileSync(caFile, demo.caPem);
    writeFileSync(crlFile, demo.crlDer);
    writeFileSync(demoCertificatePath, demo.p12, { mode: 0o600 });
    writeFileSync(pekanbaruCertificatePath, demo.otherP12s[0]!, { mode: 0o600 });
  }
  // each office registers its head's public certificate: the server prepares the final permits for it
  const seedDemoIfEmpty = {
    trustedRootsPem: [readFileSync(caFile, 'utf8')],
    pekanbaruFiles: 10,
    balikpapanFiles: 6,
    signers: DEMO_SIGNERS.map((b) => ({ ...b, certificatePem: demoCertificatePem(readFileSync(demoCertificatePath), 'kadis-demo') })),
    pekanbaruSigners: PEKANBARU_SIGNERS.map((b) => ({ ...b, certificatePem: demoCertificatePem(readFileSync(pekanbaruCertificatePath), 'kadis-demo') })),
  };
  const publishedCrls = { [DEMO_CRL_NAME]: readFileSync(crlFile) };
  let server: RunningCentralServer;
  try {
    server = await startCentralServer({ dbFile, port: EMBEDDED_SERVER_PORT, seedDemoIfEmpty, publishedCrls });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    server = await startCentralServer({ dbFile, port: 0, seedDemoIfEmpty, publishedCrls });
  }
  log(`Embedded central server on ${server.url} (database ${dbFile}${server.seeded ? ', demo data seeded now' : ''})`);
  log(`Demo accounts, password "${DEMO_PASSWORD}":`);
  for (const user of DEMO_USERS) log(`  ${user.username.padEnd(15)} ${user.role.padEnd(18)} ${user.office}`);
  log(`Demo signing certificate for kadis: ${demoCertificatePath} (passphrase "kadis-demo"; demo root CA in ${caFile})`);
  log(`Demo signing certificate for kadispekanbaru: ${pekanbaruCertificatePath} (passphrase "kadis-demo")`);
  return Object.assign(server, { demoCertificatePath, demoCertificatePassphrase: 'kadis-demo' });
}
