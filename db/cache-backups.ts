import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CACHE_CIPHER, checkIntegrity, openEncrypted, restrictMode } from './sqlite-cipher';

/** A verified copy of the cache, encrypted with the same key, named by when it was taken. */
export interface CacheBackup {
  file: string;
  /** when the copy's snapshot was taken */
  at: Date;
}

const NAME = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z\.sqlite$/;

/** Backups live in `<cache file>.backups/`, one folder per cache file. */
export function backupFolder(cacheFile: string): string {
  return `${cacheFile}.backups`;
}

function backupName(at: Date): string {
  return `${at.toISOString().replace(/[:.]/g, '-')}.sqlite`;
}

/** The verified backups of a cache, newest first (files being written have another name). */
export function listBackups(cacheFile: string): CacheBackup[] {
  const folder = backupFolder(cacheFile);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .flatMap((name) => {
      const m = NAME.exec(name);
      return m ? [{ file: join(folder, name), at: new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) }] : [];
    })
    .sort((a, b) => b.at.getTime() - a.at.getTime());
}

/** The newest backup that opens with the key and passes `quick_check`, or null. */
export function newestGoodBackup(cacheFile: string, key: Buffer): CacheBackup | null {
  for (const backup of listBackups(cacheFile)) {
    try {
      const sqlite = openEncrypted(backup.file, key, { readonly: true, fileMustExist: true });
      const result = checkIntegrity(sqlite);
      sqlite.close();
      if (result === 'ok') return backup;
    } catch {
      // a backup that cannot be opened is no candidate; the next older one may be
    }
  }
  return null;
}

/** Keeps the `keep` newest backups. */
export function pruneBackups(cacheFile: string, keep: number): void {
  for (const old of listBackups(cacheFile).slice(keep)) rmSync(old.file, { force: true });
}

/**
 * Puts a backup in place of the cache file (copy to a temp name, rename): the caller has
 * moved the damaged file and its -wal/-shm aside first, so no old WAL is applied to it.
 */
export function restoreBackup(cacheFile: string, backup: CacheBackup): void {
  const temp = `${cacheFile}.restoring`;
  copyFileSync(backup.file, temp);
  restrictMode(temp);
  renameSync(temp, cacheFile);
}

// The backup job, run in a worker thread so the window's loop never waits for it: a separate
// read-only connection takes a consistent snapshot with VACUUM INTO (the fork's online backup
// API cannot write an encrypted destination: it opens the target without a key), which the
// fork writes encrypted with the source's cipher and key. The copy is then checked with
// integrity_check and only a sound copy gets its final name.
const BACKUP_JOB = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { modulePath, source, temp, target, keyHex, cipher } = workerData;
function keyed(file, readonly) {
  const Database = require(modulePath);
  const db = new Database(file, { readonly, fileMustExist: true });
  db.pragma("cipher = '" + cipher + "'");
  db.pragma('key = "x' + "'" + keyHex + "'" + '"');
  db.pragma('temp_store = MEMORY');
  return db;
}
try {
  fs.rmSync(temp, { force: true });
  fs.closeSync(fs.openSync(temp, 'w', 0o600));
  const src = keyed(source, true);
  try { src.prepare('VACUUM INTO ?').run(temp); } finally { src.close(); }
  const copy = keyed(temp, true);
  let result;
  try { result = String(copy.pragma('integrity_check', { simple: true })); } finally { copy.close(); }
  if (result !== 'ok') throw new Error('the new backup failed its integrity check: ' + result);
  fs.chmodSync(temp, 0o600);
  fs.renameSync(temp, target);
  parentPort.postMessage({ ok: true });
} catch (error) {
  try { fs.rmSync(temp, { force: true }); } catch {}
  parentPort.postMessage({ ok: false, message: String((error && error.message) || error) });
}
`;

function sqliteModulePath(): string {
  // __filename in the CommonJS bundle of the Electron main process; import.meta.url under ESM
  const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  return createRequire(here).resolve('better-sqlite3-multiple-ciphers');
}

/** Writes one verified, encrypted backup of the cache off the main thread. */
export function writeBackup(cacheFile: string, key: Buffer, at: Date): Promise<CacheBackup> {
  const folder = backupFolder(cacheFile);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const target = join(folder, backupName(at));
  const workerData = { modulePath: sqliteModulePath(), source: cacheFile, temp: `${target}.partial`, target, keyHex: key.toString('hex'), cipher: CACHE_CIPHER };
  return new Promise((resolve, reject) => {
    const worker = new Worker(BACKUP_JOB, { eval: true, workerData });
    let answered = false;
    worker.once('message', (message: { ok: boolean; message?: string }) => {
      answered = true;
      if (message.ok) resolve({ file: target, at });
      else reject(new Error(`backup of ${cacheFile} failed: ${message.message}`));
    });
    worker.once('error', (error) => {
      answered = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`backup worker for ${cacheFile} ended (${code}) without an answer`));
    });
  });
}

export interface BackupScheduleOptions {
  /** how often; the first run is at start when the newest backup is older than this */
  intervalMs: number;
  keep: number;
  now: () => Date;
  /** after each verified backup (the journal drops what every kept backup holds) */
  afterBackup?: (backups: CacheBackup[]) => void;
  onError?: (error: unknown) => void;
}

/** The rolling backup: one verified copy at start if the last is stale, then one per interval; the newest `keep` stay. */
export class BackupSchedule {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<CacheBackup> | null = null;
  private lastError: string | null = null;
  private stopped = false;

  constructor(
    private readonly cacheFile: string,
    private readonly key: Buffer,
    private readonly options: BackupScheduleOptions,
  ) {}

  start(): void {
    // a copy left half-written when the process died is never a backup
    const folder = backupFolder(this.cacheFile);
    if (existsSync(folder)) for (const name of readdirSync(folder)) if (name.endsWith('.partial')) rmSync(join(folder, name), { force: true });
    const newest = listBackups(this.cacheFile)[0];
    if (!newest || this.options.now().getTime() - newest.at.getTime() >= this.options.intervalMs) void this.runInBackground();
    this.timer = setInterval(() => void this.runInBackground(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Takes a backup now (or joins the one under way). */
  runNow(): Promise<CacheBackup> {
    if (this.stopped) return Promise.reject(new Error('the cache is closed'));
    this.running ??= writeBackup(this.cacheFile, this.key, this.options.now())
      .then((backup) => {
        pruneBackups(this.cacheFile, this.options.keep);
        this.lastError = null;
        this.options.afterBackup?.(listBackups(this.cacheFile));
        return backup;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  status(): { backups: CacheBackup[]; lastError: string | null } {
    return { backups: listBackups(this.cacheFile), lastError: this.lastError };
  }

  /** Stops the timer and waits for a backup under way, so the file is not read after close. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private async runInBackground(): Promise<void> {
    try {
      await this.runNow();
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      (this.options.onError ?? ((e) => console.error('cache backup failed:', e)))(error);
    }
  }
}
