import Database from 'better-sqlite3-multiple-ciphers';
import { chmodSync, closeSync, copyFileSync, existsSync, openSync, readSync, renameSync, rmSync } from 'node:fs';

export type SqliteHandle = Database.Database;

/** The cache key is 32 random bytes per desk, used as a raw key (no passphrase KDF). */
export const CACHE_KEY_BYTES = 32;

/**
 * The cipher of the desk cache: ChaCha20-Poly1305 (SQLite3 Multiple Ciphers' default, set
 * explicitly so a change of default never makes a cache unreadable). Every page carries its
 * own nonce and Poly1305 tag, so a page changed on disk fails to decrypt instead of being read
 * as data: damage that `quick_check` alone would not see (bytes inside a cached document) is
 * caught. It is fast in software on CPUs without AES instructions, and the key is a raw
 * 32-byte random key (no passphrase KDF at open).
 */
export const CACHE_CIPHER = 'chacha20';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export class CacheKeyError extends Error {
  constructor(file: string) {
    super(`local cache ${file} cannot be opened with this desk's key: the key is wrong, or the file and all its backups are damaged`);
    this.name = 'CacheKeyError';
  }
}

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== CACHE_KEY_BYTES) throw new Error(`the cache key must be ${CACHE_KEY_BYTES} bytes`);
}

/** Keys a fresh connection; must come before anything reads the file. */
export function applyKey(sqlite: SqliteHandle, key: Buffer): void {
  assertKey(key);
  sqlite.pragma(`cipher = '${CACHE_CIPHER}'`);
  // x'…' is a raw key: the bytes are the page key, with no KDF
  sqlite.pragma(`key = "x'${key.toString('hex')}'"`);
}

/** Opens an encrypted SQLite file with the key; the first read proves the key (SQLITE_NOTADB if not). */
export function openEncrypted(file: string, key: Buffer, options: { readonly?: boolean; fileMustExist?: boolean } = {}): SqliteHandle {
  const sqlite = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.fileMustExist ?? false });
  try {
    applyKey(sqlite, key);
    sqlite.prepare('SELECT count(*) FROM sqlite_schema').get();
    return sqlite;
  } catch (error) {
    sqlite.close();
    throw error;
  }
}

/** The result of `PRAGMA quick_check` (or integrity_check), 'ok' when the file is sound; an error reading it counts as damage. */
export function checkIntegrity(sqlite: SqliteHandle, pragma: 'quick_check' | 'integrity_check' = 'quick_check'): string {
  try {
    return String(sqlite.pragma(pragma, { simple: true }));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** True when the file begins with SQLite's plain header: a cache from before encryption. */
export function isPlainSqliteFile(file: string): boolean {
  if (!existsSync(file)) return false;
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
  } finally {
    closeSync(fd);
  }
}

/** Files are created readable by the desk's user only; SQLite gives -wal and -shm the main file's mode. */
export function restrictMode(file: string): void {
  if (process.platform === 'win32') return;
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      chmodSync(path, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** Creates an empty file with mode 0600 (SQLite would create it with the process umask). */
export function createPrivateFile(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  restrictMode(file);
}

/**
 * Turns a plain SQLite file into an encrypted one in place, crash-safely: the WAL is folded in
 * and removed, a copy is encrypted with `rekey` (which needs a rollback journal, not WAL),
 * checked, and renamed over the original. Nothing plain stays behind except what the
 * filesystem itself keeps of freed blocks.
 */
export function encryptPlainFile(file: string, key: Buffer): void {
  const plain = new Database(file);
  try {
    plain.pragma('wal_checkpoint(TRUNCATE)');
    plain.pragma('journal_mode = DELETE');
  } finally {
    plain.close();
  }
  const temp = `${file}.encrypting`;
  rmSync(temp, { force: true });
  rmSync(`${temp}-journal`, { force: true });
  copyFileSync(file, temp);
  restrictMode(temp);
  try {
    const sqlite = new Database(temp);
    try {
      sqlite.pragma('journal_mode = DELETE');
      sqlite.pragma(`cipher = '${CACHE_CIPHER}'`);
      sqlite.pragma(`rekey = "x'${key.toString('hex')}'"`);
    } finally {
      sqlite.close();
    }
    const check = openEncrypted(temp, key, { fileMustExist: true });
    const result = checkIntegrity(check);
    check.close();
    if (result !== 'ok') throw new Error(`the encrypted copy of ${file} failed its check: ${result}`);
    renameSync(temp, file);
    for (const leftover of [`${file}-wal`, `${file}-shm`, `${file}-journal`]) rmSync(leftover, { force: true });
  } finally {
    rmSync(temp, { force: true });
    rmSync(`${temp}-journal`, { force: true });
  }
}
