import { openServerDb } from './db/open-server-db';
import { buildServerApp, type ServerAppOptions } from './app/build-server-app';
import { closeGracefully } from './app/graceful-close';
import { scheduleSqliteBackups, type BackupSchedule } from './db/scheduled-sqlite-backup';
import { sharedRevocationSource } from '../shared/node/revocation';
import { isSeeded, seedDemoDatabase, type SeedOptions } from './seed/seed-demo-database';

export interface CentralServerOptions {
  /** a SQLite file (the embedded default) or a postgres:// URL */
  dbFile: string;
  port?: number;
  /** loopback unless the office deploys it on its network on purpose */
  host?: string;
  seedDemoIfEmpty?: boolean | SeedOptions;
  logger?: ServerAppOptions['logger'];
  trustProxy?: ServerAppOptions['trustProxy'];
  /** CRLs this server publishes at /pki/<name> (the demo CA's, so demo certificates have a live CDP) */
  publishedCrls?: Record<string, Buffer>;
  /** PostgreSQL: connections in this process's pool */
  poolSize?: number;
  /** SQLite: online backups on a schedule */
  backup?: BackupSchedule;
  /** close(): how long requests under way may take to finish (default 10 s) */
  shutdownGraceMs?: number;
}

export interface RunningCentralServer {
  url: string;
  port: number;
  seeded: boolean;
  /** stops taking requests, lets those under way finish (within the grace period), then closes the database */
  close(): Promise<void>;
}

export async function startCentralServer(options: CentralServerOptions): Promise<RunningCentralServer> {
  const opened = await openServerDb(options.dbFile, { poolSize: options.poolSize });
  const { db, close } = opened;
  const app = buildServerApp({ db, logger: options.logger ?? false, trustProxy: options.trustProxy, publishedCrls: options.publishedCrls, revocation: sharedRevocationSource() });
  if (opened.preMigrationBackup) app.log.info({ backup: opened.preMigrationBackup }, 'backed up the database before migrating it');
  const backups =
    options.backup && opened.backUpTo
      ? scheduleSqliteBackups(opened.backUpTo, options.backup, (error) => app.log.error({ err: error }, 'scheduled SQLite backup failed'))
      : null;
  if (options.backup && !opened.backUpTo) app.log.warn('the backup schedule applies to SQLite only: back up PostgreSQL with pg_dump or PITR');
  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen({ host, port: options.port ?? 0 });
  } catch (error) {
    backups?.stop();
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
      backups?.stop();
      const inTime = await closeGracefully(app, options.shutdownGraceMs ?? 10_000);
      if (!inTime) app.log.warn('requests still running at the end of the shutdown grace period were cut off');
      await close();
    },
  };
}
