import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface BackupSchedule {
  dir: string;
  intervalMs: number;
  /** how many backups to keep; older ones are deleted */
  keep: number;
}

export interface ScheduledBackups {
  /** takes one backup now (the schedule calls this); answers its path */
  runOnce(): Promise<string>;
  stop(): void;
}

const PREFIX = 'server-';
const SUFFIX = '.sqlite';

/**
 * SQLite's online backup on a schedule: every interval, a consistent copy of the live file
 * (better-sqlite3's backup API, which copies while the server keeps writing), written under a
 * temporary name and renamed, so a backup on disk is always whole; the newest `keep` are kept.
 * PostgreSQL is backed up with its own tools (pg_dump, PITR): see README.
 */
export function scheduleSqliteBackups(backUpTo: (file: string) => Promise<void>, schedule: BackupSchedule, onError: (error: Error) => void): ScheduledBackups {
  mkdirSync(schedule.dir, { recursive: true });
  let running: Promise<string> | null = null;

  async function runOnce(): Promise<string> {
    const name = `${PREFIX}${new Date().toISOString().replace(/[:.]/g, '-')}${SUFFIX}`;
    const partial = join(schedule.dir, `${name}.partial`);
    await backUpTo(partial);
    const file = join(schedule.dir, name);
    renameSync(partial, file);
    const backups = readdirSync(schedule.dir).filter((f) => f.startsWith(PREFIX) && f.endsWith(SUFFIX)).sort();
    for (const old of backups.slice(0, Math.max(0, backups.length - schedule.keep))) rmSync(join(schedule.dir, old), { force: true });
    return file;
  }

  const timer = setInterval(() => {
    if (running) return; // the previous backup of a large file is still being copied
    running = runOnce()
      .catch((error: unknown) => {
        onError(error instanceof Error ? error : new Error(String(error)));
        return '';
      })
      .finally(() => {
        running = null;
      });
  }, schedule.intervalMs);
  timer.unref();
  return {
    runOnce,
    stop: () => clearInterval(timer),
  };
}
