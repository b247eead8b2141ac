import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { startCentralServer } from '../start-central-server';
import { serverLoggerOptions } from '../app/server-logger';
import { describeLocation, serverDbLocation } from '../db/server-engine';
import { ServerConfigError, loadServerConfig, type ServerConfig } from './server-config';

// `npm run server`: the central server alone. Settings from --config FILE / MEJA_IZIN_CONFIG,
// the MEJA_IZIN_* environment and these flags (server-config.ts); README "Menjalankan server kantor".
const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    db: { type: 'string' },
    pg: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'log-level': { type: 'string' },
    'trust-proxy': { type: 'string' },
    'backup-dir': { type: 'string' },
    'backup-every': { type: 'string' },
    'backup-keep': { type: 'string' },
  },
});

let config: ServerConfig;
try {
  if (values.db && values.pg) throw new ServerConfigError('give either --db FILE (SQLite) or --pg URL (PostgreSQL), not both');
  config = loadServerConfig({
    file: values.config,
    env: process.env,
    flags: {
      database: values.pg ?? values.db,
      port: values.port,
      host: values.host,
      logLevel: values['log-level'],
      trustProxy: values['trust-proxy'],
      backupDir: values['backup-dir'],
      backupIntervalMinutes: values['backup-every'],
      backupKeep: values['backup-keep'],
    },
  });
} catch (error) {
  if (!(error instanceof ServerConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const location = serverDbLocation(config.database);
if (location.engine === 'sqlite') mkdirSync(dirname(location.file), { recursive: true });
const server = await startCentralServer({
  dbFile: config.database,
  port: config.port,
  host: config.host,
  logger: serverLoggerOptions(config.logLevel),
  trustProxy: config.trustProxy,
  poolSize: config.poolSize,
  shutdownGraceMs: config.shutdownGraceMs,
  backup: config.backupDir ? { dir: config.backupDir, intervalMs: config.backupIntervalMinutes * 60_000, keep: config.backupKeep } : undefined,
});
console.log(`Meja Izin central server listening on ${server.url} (database ${describeLocation(config.database)})`);

// SIGTERM (systemd, docker stop) and SIGINT (Ctrl+C): finish what is under way, close the database, exit 0
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().then(
      () => {
        console.log(`Meja Izin central server stopped (${signal})`);
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  });
}
