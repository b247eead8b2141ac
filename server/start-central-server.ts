import { openServerDb } from './db/open-server-db';
import { buildServerApp } from './app/build-server-app';
import { sharedRevocationSource } from '../shared/node/revocation';
import { isSeeded, seedDemoDatabase, type SeedOptions } from './seed/seed-demo-database';

export interface CentralServerOptions {
  dbFile: string;
  port?: number;
  /** loopback unless the office deploys it on its network on purpose */
  host?: string;
  seedDemoIfEmpty?: boolean | SeedOptions;
  logger?: boolean;
  /** CRLs this server publishes at /pki/<name> (the demo CA's, so demo certificates have a live CDP) */
  publishedCrls?: Record<string, Buffer>;
}

export interface RunningCentralServer {
  url: string;
  port: number;
  seeded: boolean;
  close(): Promise<void>;
}

export async function startCentralServer(options: CentralServerOptions): Promise<RunningCentralServer> {
  const { db, close } = await openServerDb(options.dbFile);
  const app = buildServerApp({ db, logger: options.logger ?? false, publishedCrls: options.publishedCrls, revocation: sharedRevocationSource() });
  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen({ host, port: options.port ?? 0 });
  } catch (error) {
    await close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 0;
  const url = `http://${host}:${port}`;
  let seeded = false;
  if (options.seedDemoIfEmpty && !(await isSeeded(db))) {
    const seedOptions = typeof options.seedDemoIfEmpty === 'object' ? options.seedDemoIfEmpty : {};
    await seedDemoDatabase(db, { verificationBaseUrl: url, ...seedOptions });
    seeded = true;
  }
  return {
    url,
    port,
    seeded,
    async close() {
      await app.close();
      await close();
    },
  };
}
