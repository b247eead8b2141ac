import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CACHE_KEY_BYTES, type CacheKeyStore } from '../../db/cache-key';

/** Where the encrypted cache key lives, under Electron's userData folder. */
export const CACHE_KEY_FILE = 'cache.key.enc';
const PAYLOAD_PREFIX = 'meja-izin-cache-key:v1:';

/** The part of Electron's `safeStorage` this store uses (the real one is passed by main.ts). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron; `basic_text` means a hard-coded password, i.e. no protection */
  getSelectedStorageBackend?(): string;
}

export type CacheKeyStoreErrorCode = 'KEYSTORE_UNAVAILABLE' | 'KEY_UNREADABLE' | 'KEY_INVALID';

/** Thrown instead of ever keeping the key in plain form. The message is for the official, in Indonesian then English. */
export class CacheKeyStoreError extends Error {
  constructor(
    readonly code: CacheKeyStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CacheKeyStoreError';
  }
}

export interface SafeStorageKeyStoreOptions {
  safeStorage: SafeStorageLike;
  /** Electron's `app.getPath('userData')` */
  userDataDir: string;
  /** defaults to process.platform; tests set it */
  platform?: NodeJS.Platform;
}

/** Why the OS cannot protect the key here, or null when it can. */
export function keyProtectionProblem(safeStorage: SafeStorageLike, platform: NodeJS.Platform): string | null {
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    if (backend === 'basic_text' || backend === 'unknown' || !safeStorage.isEncryptionAvailable()) {
      return (
        'Kunci cache tidak disimpan: sesi Linux ini tidak memiliki keyring (GNOME Keyring/libsecret atau KWallet) ' +
        `yang aktif (safeStorage: ${backend}). Meja Izin tidak pernah menyimpan kunci tanpa enkripsi. ` +
        'Masuk ke sesi desktop dengan keyring yang terbuka (misalnya pasang gnome-keyring), lalu buka Meja Izin lagi. / ' +
        `The cache key was not stored: this Linux session has no keyring (safeStorage backend "${backend}"); ` +
        'without one Electron would encrypt with a hard-coded password, which protects nothing. ' +
        'Start Meja Izin in a desktop session with an unlocked keyring (e.g. gnome-keyring).'
      );
    }
    return null;
  }
  if (!safeStorage.isEncryptionAvailable()) {
    return (
      'Kunci cache tidak disimpan: enkripsi sistem operasi (Keychain/DPAPI) tidak tersedia, dan Meja Izin tidak pernah ' +
      'menyimpan kunci tanpa enkripsi. / The cache key was not stored: the operating system encryption (safeStorage) ' +
      'is not available, and Meja Izin never stores the key in plain form.'
    );
  }
  return null;
}

/**
 * The desk cache's key, kept by the operating system: the key is encrypted with Electron's
 * `safeStorage` (Keychain on macOS, DPAPI on Windows, the desktop keyring on Linux) and only
 * that ciphertext is written, to `<userData>/cache.key.enc`, mode 0600, by temp file + hard
 * link (the same create-once rule as db/cache-key.ts's `fileKeyStore`: a stored key is never
 * replaced).
 * Where the OS cannot protect it (no keyring on Linux), both load and save refuse with a
 * clear message rather than fall back to plain storage. Nothing here imports `electron`:
 * main.ts passes the real `safeStorage`, the tests a fake one.
 */
export function createSafeStorageKeyStore(options: SafeStorageKeyStoreOptions): CacheKeyStore {
  const file = join(options.userDataDir, CACHE_KEY_FILE);
  const platform = options.platform ?? process.platform;

  function ensureProtected() {
    const problem = keyProtectionProblem(options.safeStorage, platform);
    if (problem) throw new CacheKeyStoreError('KEYSTORE_UNAVAILABLE', problem);
  }

  return {
    async load() {
      ensureProtected();
      let encrypted: Buffer;
      try {
        encrypted = await readFile(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      if (platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
      let payload: string;
      try {
        payload = options.safeStorage.decryptString(encrypted);
      } catch (error) {
        throw new CacheKeyStoreError(
          'KEY_UNREADABLE',
          'Kunci cache tidak dapat dibuka oleh keyring sistem operasi (keyring diganti atau berkas rusak). / ' +
            `The cache key in ${file} cannot be decrypted by the operating system keyring (the keyring changed or the file is damaged).`,
          { cause: error },
        );
      }
      const key = payload.startsWith(PAYLOAD_PREFIX) ? Buffer.from(payload.slice(PAYLOAD_PREFIX.length), 'base64') : null;
      if (!key || key.length !== CACHE_KEY_BYTES) {
        throw new CacheKeyStoreError('KEY_UNREADABLE', `Berkas kunci cache tidak dikenal. / ${file} does not hold a Meja Izin cache key.`);
      }
      return key;
    },

    async save(key) {
      if (!Buffer.isBuffer(key) || key.length !== CACHE_KEY_BYTES) {
        throw new CacheKeyStoreError('KEY_INVALID', `a cache key must be ${CACHE_KEY_BYTES} bytes`);
      }
      ensureProtected();
      const encrypted = options.safeStorage.encryptString(PAYLOAD_PREFIX + key.toString('base64'));
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(encrypted);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await chmod(temp, 0o600);
        // Hard-link into place: never replaces a key already stored (the cache is encrypted
        // under it), and two desks starting at once end with one key, which load() returns.
        await link(temp, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        await unlink(temp).catch(() => undefined);
      }
      // Make the new link itself durable; a directory cannot be opened for sync on Windows.
      if (platform !== 'win32') {
        const dir = await open(dirname(file), 'r');
        await dir.sync().finally(() => dir.close());
      }
    },
  };
}
