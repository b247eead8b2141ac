import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD, DEMO_USERS } from '../../server/seed/demo-configuration';

export const EMBEDDED_SERVER_PORT = 8787;

/**
 * With no office server configured, the desk runs the reference server itself on loopback,
 * with a demo database seeded on first run: a complete office on one machine.
 */
export async function startEmbeddedServer(dataDir: string, log: (line: string) => void = console.log): Promise<RunningCentralServer> {
  mkdirSync(dataDir, { recursive: true });
  const dbFile = join(dataDir, 'embedded-server.sqlite');
  let server: RunningCentralServer;
  try {
    server = await startCentralServer({ dbFile, port: EMBEDDED_SERVER_PORT, seedDemoIfEmpty: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    server = await startCentralServer({ dbFile, port: 0, seedDemoIfEmpty: true });
  }
  log(`Embedded central server on ${server.url} (database ${dbFile}${server.seeded ? ', demo data seeded now' : ''})`);
  log(`Demo accounts, password "${DEMO_PASSWORD}":`);
  for (const user of DEMO_USERS) log(`  ${user.username.padEnd(12)} ${user.role}`);
  return server;
}
