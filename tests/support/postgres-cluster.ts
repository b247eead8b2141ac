import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A throwaway PostgreSQL cluster on loopback: its own folder, port and superuser; gone after stop(). */
export interface PostgresCluster {
  port: number;
  /** the cluster's maintenance database, for CREATE DATABASE */
  adminUrl: string;
  urlFor(database: string): string;
  /** the same database over the cluster's Unix-domain socket (a server on the database's own host) */
  socketUrlFor(database: string): string;
  /** a new, empty database; answers its URL */
  createDatabase(name: string): Promise<string>;
  /** the postmaster's process id (its backends are its children), while it runs */
  postmasterPid(): number | null;
  /** stops the server and removes its folder (synchronous, so it can run at process exit) */
  stop(): void;
}

export interface ClusterOptions {
  /** false (tests): fsync and synchronous commit off, as a RAM-backed test database would be; true (benchmarks): PostgreSQL's own defaults */
  durable?: boolean;
  maxConnections?: number;
  /** further `-c name=value` server settings (a benchmark's pg_stat_statements, say) */
  settings?: string[];
}

/** Creates an empty database (C collation, as SQLite compares text) in the cluster `adminUrl` points into; answers its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/<major>/bin), or a clear error. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (majors.length === 0) {
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): the PostgreSQL tests cannot start a cluster. Install Debian\'s package (`apt-get install -y postgresql`; `bash .ci/run` does it).',
    );
  }
  return join(root, majors[0]!, 'bin');
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * initdb refuses to run as root: as root, every PostgreSQL program runs as the `postgres` user
 * (runuser) in a folder that user owns; as anyone else, as that user.
 */
function asClusterOwner(bin: string, program: string, args: string[]): { command: string; args: string[] } {
  const path = join(bin, program);
  return process.getuid?.() === 0 ? { command: 'runuser', args: ['-u', 'postgres', '--', path, ...args] } : { command: path, args };
}

function run(bin: string, program: string, args: string[], what: string, logFile?: string): void {
  const { command, args: full } = asClusterOwner(bin, program, args);
  const result = spawnSync(command, full, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) {
    const log = logFile && existsSync(logFile) ? `\n--- server log ---\n${readFileSync(logFile, 'utf8').slice(-2000)}` : '';
    throw new Error(`PostgreSQL test cluster: ${what} failed (${command} ${full.join(' ')}): ${result.error?.message ?? ''}${result.stderr}${result.stdout}${log}`);
  }
}

export async function startPostgresCluster(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'meja-izin-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  let stopped = false;
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      if (!Number.isInteger(uid)) throw new Error('PostgreSQL test cluster: there is no `postgres` user to run initdb as (root may not)');
      chownSync(dir, uid, gid);
    }
    // C locale: text sorts by bytes, as SQLite's default collation does
    run(bin, 'initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], 'initdb');
    const port = await freeLoopbackPort();
    const settings = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      `-c max_connections=${options.maxConnections ?? 200}`,
      ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
      ...(options.settings ?? []).map((setting) => `-c ${setting}`),
    ].join(' ');
    run(bin, 'pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '60', '-o', settings, 'start'], 'pg_ctl start', logFile);
    const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
    const adminUrl = urlFor('postgres');
    return {
      port,
      adminUrl,
      urlFor,
      socketUrlFor: (database) => `postgres://postgres@/${database}?host=${encodeURIComponent(dir)}&port=${port}`,
      createDatabase: (name) => createDatabase(adminUrl, name),
      postmasterPid() {
        const pidFile = join(data, 'postmaster.pid');
        const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n', 1)[0]) : NaN;
        return Number.isInteger(pid) && pid > 0 ? pid : null;
      },
      stop() {
        if (stopped) return;
        stopped = true;
        const { command, args } = asClusterOwner(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
        spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
        remove();
      },
    };
  } catch (error) {
    const { command, args } = asClusterOwner(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    if (existsSync(join(data, 'postmaster.pid'))) spawnSync(command, args, { timeout: 30_000 });
    remove();
    throw error;
  }
}
