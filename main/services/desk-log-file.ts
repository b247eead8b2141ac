import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describeError, type DeskLog, type LogContext } from './desk-log';

export const LOG_FILE_NAME = 'meja-izin.log';

export interface FileLogOptions {
  /** the file rotates once it passes this size */
  maxBytes?: number;
  /** rotated files kept besides the current one: meja-izin.log.1 (newest) … .N */
  keep?: number;
}

export interface FileLog extends DeskLog {
  readonly file: string;
  close(): void;
}

/**
 * The desk's log as a file in the data folder, `<dir>/meja-izin.log`, one JSON object a line
 * (pino), rotated by size: past `maxBytes` it becomes `.1`, the older ones move up and the
 * oldest beyond `keep` goes. Written synchronously: what a crash left behind is already on
 * disk, and the desk logs little. The folder and the files are the desk user's only (0700/0600),
 * like the cache.
 */
export function createFileLog(dir: string, options: FileLogOptions = {}): FileLog {
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const keep = options.keep ?? 4;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(dir, 0o700);
  const file = join(dir, LOG_FILE_NAME);
  const open = () => {
    const destination = pino.destination({ dest: file, sync: true, mode: 0o600 });
    return { destination, logger: pino({ base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, destination) };
  };
  let { destination, logger } = open();

  let closed = false;

  function rotate() {
    rmSync(`${file}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i -= 1) if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    destination.end();
    renameSync(file, `${file}.1`);
    ({ destination, logger } = open());
  }

  function write(level: 'error' | 'warn' | 'info', event: string, context: LogContext | undefined, error?: unknown) {
    if (closed) return;
    try {
      logger[level]({ event, ...context, ...(error === undefined ? {} : { err: describeError(error) }) });
      if (statSync(file).size > maxBytes) rotate();
    } catch (failure) {
      // a log that cannot be written must not take the desk down with it
      console.error('meja-izin log: could not write', describeError(failure).message);
    }
  }

  return {
    file,
    error: (event, error, context) => write('error', event, context, error),
    warn: (event, context) => write('warn', event, context),
    info: (event, context) => write('info', event, context),
    close: () => {
      if (!closed) destination.end();
      closed = true;
    },
  };
}
