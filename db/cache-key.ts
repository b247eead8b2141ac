import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CACHE_KEY_BYTES, isPlainSqliteFile } from './sqlite-cipher';

export { CACHE_KEY_BYTES } from './sqlite-cipher';

/**
 * Where a desk keeps its cache key. The desktop passes one backed by Electron's safeStorage;
 * the loopback web host and the tests use `fileKeyStore` (a key file, mode 0600).
 */
export interface CacheKeyStore {
  /** the stored key, or null when none has been stored yet */
  load(): Promise<Buffer | null>;
  save(key: Buffer): Promise<void>;
}

export class CacheKeyMissingError extends Error {
  constructor(file: string) {
    super(
      `local cache ${file} is encrypted, but its key is not in this desk's key store: it cannot be opened. ` +
        'Restore the key store (or the key file), or move the cache folder aside to start with an empty cache.',
    );
    this.name = 'CacheKeyMissingError';
  }
}

/**
 * The desk's key: the stored one, or a new random one stored on first run. When `cacheFile`
 * already holds an encrypted cache but the store has no key, a new key could never open it:
 * that is refused with a clear error instead of leaving a desk that fails at every start.
 */
export async function loadOrCreateCacheKey(store: CacheKeyStore, cacheFile?: string): Promise<Buffer> {
  const stored = await store.load();
  if (stored) return stored;
  if (cacheFile && existsSync(cacheFile) && statSync(cacheFile).size > 0 && !isPlainSqliteFile(cacheFile)) throw new CacheKeyMissingError(cacheFile);
  await store.save(randomBytes(CACHE_KEY_BYTES));
  // read back what was kept: two desks starting at once in one data folder agree on one key
  const kept = await store.load();
  if (!kept) throw new Error('the cache key store did not keep the key it was given');
  return kept;
}

/**
 * A key file holding the raw key, mode 0600, for the web host and tests. It is created by
 * writing a temp file and hard-linking it into place, so two processes creating it at the same
 * moment end with one key, and a reader never sees a half-written file.
 */
export function fileKeyStore(path: string): CacheKeyStore {
  return {
    async load() {
      let key: Buffer;
      try {
        key = readFileSync(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      if (key.length !== CACHE_KEY_BYTES) throw new Error(`the cache key file ${path} does not hold a ${CACHE_KEY_BYTES}-byte key`);
      chmodSync(path, 0o600);
      return key;
    },
    async save(key) {
      if (key.length !== CACHE_KEY_BYTES) throw new Error(`a cache key must be ${CACHE_KEY_BYTES} bytes`);
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      const fd = openSync(temp, 'wx', 0o600);
      try {
        writeSync(fd, key);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      try {
        linkSync(temp, path);
      } catch (error) {
        // another process made the key first: theirs stands, and load() returns it
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        unlinkSync(temp);
      }
    },
  };
}

/**
 * A store that takes over a key file left by an earlier run (a desk that kept its key in
 * `<data>/cache.key` before the desktop kept it in safeStorage): the key moves into `primary`
 * and the file is deleted, so the existing cache still opens and no plain key stays behind.
 */
export function keyStoreTakingOverFile(primary: CacheKeyStore, legacyFile: string): CacheKeyStore {
  return {
    async load() {
      const key = await primary.load();
      if (key) return key;
      const legacy = await fileKeyStore(legacyFile).load();
      if (!legacy) return null;
      await primary.save(legacy);
      const kept = await primary.load();
      if (!kept?.equals(legacy)) throw new Error('the cache key could not be moved out of its key file');
      unlinkSync(legacyFile);
      return legacy;
    },
    save: (key) => primary.save(key),
  };
}
