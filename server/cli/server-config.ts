import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';

/** An address or CIDR block of a proxy (proxy-addr's names for loopback and private ranges too). */
function isProxyAddress(text: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(text)) return true;
  const [address, prefix, ...rest] = text.split('/');
  if (rest.length > 0 || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  // a /0 block is every address: the same as believing any client
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= (family === 4 ? 32 : 128));
}

const proxyAddress = z.string().refine(isProxyAddress, 'not an IP address or CIDR block (e.g. 127.0.0.1 or 10.0.0.0/8)');

/**
 * The server's configuration: defaults, then a JSON file (--config FILE or MEJA_IZIN_CONFIG),
 * then environment variables, then command-line flags; each later source wins. Validated as a
 * whole: a bad value stops the server before it starts, naming the setting and where it came from.
 */
export const serverConfigSchema = z
  .object({
    /** a SQLite file, or a postgres:// URL */
    database: z.string().min(1),
    host: z.string().min(1),
    port: z.number().int().min(0).max(65_535),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    /**
     * the reverse proxy whose X-Forwarded-For is believed: false, or its address(es). Not `true`:
     * that believes whatever address any client writes in the header, and the sign-in throttle
     * (which counts per address) could be dodged, or turned against another official's address.
     */
    trustProxy: z.union([
      z.literal(false),
      z.literal(true).refine(() => false, "true would believe any client's X-Forwarded-For: name the proxy's address (e.g. 127.0.0.1)"),
      proxyAddress,
      z.array(proxyAddress).min(1),
    ]),
    /** PostgreSQL connections per process */
    poolSize: z.number().int().min(1).max(500),
    /** SIGTERM: how long requests under way may take to finish */
    shutdownGraceMs: z.number().int().min(0).max(600_000),
    /** SQLite only: the online backup on a schedule */
    backupDir: z.string().min(1).nullable(),
    backupIntervalMinutes: z.number().int().min(1).max(10_080),
    backupKeep: z.number().int().min(1).max(10_000),
  })
  .strict();

export type ServerConfig = z.infer<typeof serverConfigSchema>;

export const DEFAULT_SERVER_CONFIG: ServerConfig = {
  database: '.data/server.sqlite',
  host: '127.0.0.1',
  port: 8787,
  logLevel: 'info',
  trustProxy: false,
  poolSize: 10,
  shutdownGraceMs: 10_000,
  backupDir: null,
  backupIntervalMinutes: 60,
  backupKeep: 24,
};

/** The environment variable that sets each setting. */
export const SERVER_CONFIG_ENV: Record<keyof ServerConfig, string> = {
  database: 'MEJA_IZIN_DATABASE_URL',
  host: 'MEJA_IZIN_HOST',
  port: 'MEJA_IZIN_PORT',
  logLevel: 'MEJA_IZIN_LOG_LEVEL',
  trustProxy: 'MEJA_IZIN_TRUST_PROXY',
  poolSize: 'MEJA_IZIN_DB_POOL_SIZE',
  shutdownGraceMs: 'MEJA_IZIN_SHUTDOWN_GRACE_MS',
  backupDir: 'MEJA_IZIN_BACKUP_DIR',
  backupIntervalMinutes: 'MEJA_IZIN_BACKUP_INTERVAL_MINUTES',
  backupKeep: 'MEJA_IZIN_BACKUP_KEEP',
};

export class ServerConfigError extends Error {}

const NUMERIC = new Set<keyof ServerConfig>(['port', 'poolSize', 'shutdownGraceMs', 'backupIntervalMinutes', 'backupKeep']);

/** A text value (environment, flag) as the setting's type; a number that is not one stays text, and fails validation by name. */
function fromText(key: keyof ServerConfig, text: string): unknown {
  if (NUMERIC.has(key)) return /^-?\d+$/.test(text.trim()) ? Number(text) : text;
  if (key === 'trustProxy') {
    if (text === 'true' || text === 'false') return text === 'true';
    return text.includes(',') ? text.split(',').map((s) => s.trim()) : text;
  }
  return text;
}

export function loadServerConfig(sources: { file?: string; env?: NodeJS.ProcessEnv; flags?: Partial<Record<keyof ServerConfig, string>> }): ServerConfig {
  const merged: Record<string, unknown> = { ...DEFAULT_SERVER_CONFIG };
  const origin: Record<string, string> = {};
  const file = sources.file ?? sources.env?.MEJA_IZIN_CONFIG;
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ServerConfigError(`configuration file ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ServerConfigError(`configuration file ${file}: must hold one JSON object`);
    for (const [key, value] of Object.entries(parsed)) {
      merged[key] = value;
      origin[key] = file;
    }
  }
  for (const [key, name] of Object.entries(SERVER_CONFIG_ENV) as Array<[keyof ServerConfig, string]>) {
    const value = sources.env?.[name];
    if (value !== undefined && value !== '') {
      merged[key] = fromText(key, value);
      origin[key] = `$${name}`;
    }
  }
  for (const [key, value] of Object.entries(sources.flags ?? {}) as Array<[keyof ServerConfig, string | undefined]>) {
    if (value !== undefined) {
      merged[key] = fromText(key, value);
      origin[key] = 'the command line';
    }
  }
  const result = serverConfigSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      return `${key || '(configuration)'}${origin[key] ? ` (from ${origin[key]})` : ''}: ${issue.message}`;
    });
    throw new ServerConfigError(`invalid server configuration: ${problems.join('; ')}`);
  }
  return result.data;
}
