import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServerApp } from '../../server/app/build-server-app';
import { serverLoggerOptions } from '../../server/app/server-logger';
import { ServerConfigError, loadServerConfig } from '../../server/cli/server-config';
import { openServerDb, serverMigrations } from '../../server/db/open-server-db';
import { scheduleSqliteBackups } from '../../server/db/scheduled-sqlite-backup';
import { serverMigrator, serverMigrationProvider } from '../../server/db/open-server-db';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { seedDemoDatabase } from '../../server/seed/seed-demo-database';
import { lenientThrottle } from '../support/office-server';
import { startServerProcess } from '../support/server-process';
import { makeTempDir } from '../support/temp-dir';

// Operations (issue 11): health and readiness, logs without secrets or personal data, a graceful
// SIGTERM, validated configuration, and SQLite's online backup on a schedule.

const temp = makeTempDir('server-operations');
afterAll(() => temp.remove());

describe('/health and /ready', () => {
  it('answer at the root and under the API prefix; /ready is 503 while migrations are pending', async () => {
    const file = join(temp.dir, 'ready.sqlite');
    const older = await openServerDb(file, { migrate: false });
    const names = Object.keys(serverMigrations);
    const { error } = await serverMigrator(older.db, 'sqlite', serverMigrationProvider(names.at(-2))).migrateToLatest();
    expect(error).toBeUndefined();
    const stale = buildServerApp({ db: older.db });
    for (const path of ['/health', '/api/v1/health']) expect((await stale.inject({ url: path })).json()).toEqual({ ok: true });
    for (const path of ['/ready', '/api/v1/ready']) {
      const response = await stale.inject({ url: path });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ ready: false, reason: `migrations pending: ${names.at(-1)}` });
    }
    await stale.close();
    await older.close();

    const current = await openServerDb(file);
    const app = buildServerApp({ db: current.db });
    for (const path of ['/ready', '/api/v1/ready']) expect((await app.inject({ url: path })).json()).toEqual({ ready: true });
    await app.close();
    await current.close();
    // the database gone: still alive, not ready
    const closed = buildServerApp({ db: current.db });
    expect((await closed.inject({ url: '/health' })).statusCode).toBe(200);
    const down = await closed.inject({ url: '/ready' });
    expect(down.statusCode).toBe(503);
    expect(down.json().reason).toMatch(/^database unreachable/);
    await closed.close();
  });
});

describe('structured logs', () => {
  it('name the route and status, never a password, token, authorization header, body or path id', async () => {
    const { db, close } = await openServerDb(join(temp.dir, 'logs.sqlite'));
    await seedDemoDatabase(db, { applications: 2, documents: false, pekanbaruFiles: 0, balikpapanFiles: 0 });
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const app = buildServerApp({ db, logger: serverLoggerOptions('info', stream), loginThrottle: lenientThrottle() });
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'penata', password: DEMO_PASSWORD } });
    const token = login.json().token as string;
    await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'penata', password: 'salah-sandi-rahasia' } });
    await app.inject({ url: '/api/v1/sync/pull?since=0', headers: { authorization: `Bearer ${token}` } });
    await app.inject({ url: '/verifikasi/kode-verifikasi-rahasia' });
    // a path no route has: answered without echoing it, and logged without it
    const unknown = await app.inject({ url: '/verifikasi/abc/extra?nama=Joko%20Lestari' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).not.toMatch(/Joko|extra/);
    await app.close();
    await close();

    const text = lines.join('\n');
    const records = lines.map((l) => JSON.parse(l) as { req?: { method: string; route: string }; res?: { statusCode: number } });
    expect(records.some((r) => r.req?.route === '/api/v1/sync/pull' && r.req.method === 'GET')).toBe(true);
    expect(records.some((r) => r.res?.statusCode === 401)).toBe(true);
    expect(records.some((r) => r.req?.route === '/verifikasi/:id')).toBe(true);
    for (const secret of [DEMO_PASSWORD, 'salah-sandi-rahasia', token, 'kode-verifikasi-rahasia', 'Bearer', 'since=0', '127.0.0.1', 'Joko', 'nama=']) expect(text).not.toContain(secret);
  });
});

describe('configuration', () => {
  it('merges file, environment and flags, each later one winning', () => {
    const file = join(temp.dir, 'server.json');
    writeFileSync(file, JSON.stringify({ port: 9000, logLevel: 'warn', backupDir: '/var/backups/meja-izin' }));
    const config = loadServerConfig({ file, env: { MEJA_IZIN_PORT: '9100', MEJA_IZIN_DATABASE_URL: 'postgres://meja@db/meja_izin', MEJA_IZIN_TRUST_PROXY: '10.0.0.1,10.0.0.2' }, flags: { port: '9200' } });
    expect(config).toMatchObject({ port: 9200, logLevel: 'warn', database: 'postgres://meja@db/meja_izin', trustProxy: ['10.0.0.1', '10.0.0.2'], backupDir: '/var/backups/meja-izin', backupKeep: 24 });
  });

  it('refuses a bad value, naming the setting and where it came from', () => {
    const file = join(temp.dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ logLevel: 'loud', colour: 'blue' }));
    expect(() => loadServerConfig({ env: { MEJA_IZIN_PORT: 'eighty' } })).toThrow(/port \(from \$MEJA_IZIN_PORT\): /);
    expect(() => loadServerConfig({ flags: { backupKeep: '0' } })).toThrow(/backupKeep \(from the command line\): /);
    expect(() => loadServerConfig({ file })).toThrow(ServerConfigError);
    expect(() => loadServerConfig({ file })).toThrow(/logLevel \(from .*bad\.json\).*colour|colour.*logLevel/s);
    expect(() => loadServerConfig({ file: join(temp.dir, 'missing.json') })).toThrow(/configuration file .*missing\.json/);
    // a proxy is named by its address: `true` would believe any client's X-Forwarded-For
    expect(() => loadServerConfig({ env: { MEJA_IZIN_TRUST_PROXY: 'true' } })).toThrow(/trustProxy \(from \$MEJA_IZIN_TRUST_PROXY\): .*name the proxy's address/s);
    expect(() => loadServerConfig({ flags: { trustProxy: 'proxy.example' } })).toThrow(/trustProxy/);
    expect(() => loadServerConfig({ flags: { trustProxy: '10.0.0.0/33' } })).toThrow(/trustProxy/);
    expect(() => loadServerConfig({ flags: { trustProxy: '0.0.0.0/0' } })).toThrow(/trustProxy/);
    expect(loadServerConfig({ flags: { trustProxy: '10.0.0.0/8,::1' } }).trustProxy).toEqual(['10.0.0.0/8', '::1']);
  });

  it('the server process exits 2 with the message on a bad setting, before opening anything', async () => {
    await expect(startServerProcess(['--db', join(temp.dir, 'never.sqlite')], { MEJA_IZIN_LOG_LEVEL: 'loud' })).rejects.toThrow(/exited \(2\)[\s\S]*logLevel \(from \$MEJA_IZIN_LOG_LEVEL\)/);
    expect(existsSync(join(temp.dir, 'never.sqlite'))).toBe(false);
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM lets a request under way finish, then closes the database and exits 0', async () => {
    const file = join(temp.dir, 'graceful.sqlite');
    const { db, close } = await openServerDb(file);
    await seedDemoDatabase(db, { applications: 1, documents: false, pekanbaruFiles: 0, balikpapanFiles: 0 });
    await close();
    const server = await startServerProcess(['--db', file, '--log-level', 'warn']);
    const wrong = () => fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'penata', password: 'bukan-sandinya-1' }) });
    // the throttle answers the third wrong password of an account after a delay: a slow request
    await wrong();
    await wrong();
    const started = Date.now();
    const slow = wrong();
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.child.kill('SIGTERM');
    const answer = await slow;
    expect(answer.status).toBe(401);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(await server.stop()).toBe(0);
    expect(server.output()).toContain('stopped (SIGTERM)');
    // the database was closed cleanly: WAL checkpointed and removed
    expect(existsSync(`${file}-wal`)).toBe(false);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});

describe('SQLite backups on a schedule', () => {
  it('writes consistent copies and keeps the newest N', async () => {
    const file = join(temp.dir, 'scheduled.sqlite');
    const opened = await openServerDb(file);
    await seedDemoDatabase(opened.db, { applications: 3, documents: false, pekanbaruFiles: 0, balikpapanFiles: 0 });
    const dir = join(temp.dir, 'backups');
    const errors: Error[] = [];
    const schedule = scheduleSqliteBackups(opened.backUpTo!, { dir, intervalMs: 3_600_000, keep: 2 }, (e) => errors.push(e));
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      made.push(await schedule.runOnce());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    schedule.stop();
    await opened.close();
    expect(errors).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(made.slice(1).map((f) => f.split('/').at(-1)).sort());
    const copy = new Database(made.at(-1)!, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((copy.prepare("SELECT count(*) AS n FROM applications WHERE office_id = 'dpmptsp-kota-metro'").get() as { n: number }).n).toBe(3);
    copy.close();
  });
});
