import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateCacheKey } from '../../db/cache-key';
import { CACHE_KEY_FILE, CacheKeyStoreError, createSafeStorageKeyStore, type SafeStorageLike } from '../../main/electron/safe-storage-key-store';

/** Stands in for Electron's safeStorage: real AES-GCM under a key the "OS" holds. */
function fakeSafeStorage(options: { available?: boolean; backend?: string } = {}): SafeStorageLike & { osKey: Buffer } {
  const osKey = randomBytes(32);
  return {
    osKey,
    isEncryptionAvailable: () => options.available ?? true,
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
    encryptString(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', osKey, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from('v10'), iv, cipher.getAuthTag(), body]);
    },
    decryptString(encrypted) {
      if (encrypted.subarray(0, 3).toString() !== 'v10') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      const decipher = createDecipheriv('aes-256-gcm', osKey, encrypted.subarray(3, 15));
      decipher.setAuthTag(encrypted.subarray(15, 31));
      return Buffer.concat([decipher.update(encrypted.subarray(31)), decipher.final()]).toString('utf8');
    },
  };
}

let userData: string;
beforeEach(() => {
  userData = mkdtempSync(join(tmpdir(), 'meja-izin-keystore-'));
});
afterEach(() => rmSync(userData, { recursive: true, force: true }));

describe('the cache key kept by safeStorage', () => {
  it('has no key before one is saved, and gives back exactly the key saved', async () => {
    const store = createSafeStorageKeyStore({ safeStorage: fakeSafeStorage(), userDataDir: userData, platform: 'linux' });
    expect(await store.load()).toBeNull();
    const key = randomBytes(32);
    await store.save(key);
    expect(await store.load()).toEqual(key);
  });

  it('writes only ciphertext, to <userData>/cache.key.enc with mode 0600, and leaves no temp file', async () => {
    const store = createSafeStorageKeyStore({ safeStorage: fakeSafeStorage(), userDataDir: userData, platform: 'linux' });
    const key = randomBytes(32);
    await store.save(key);
    const file = join(userData, CACHE_KEY_FILE);
    const bytes = readFileSync(file);
    expect(bytes.includes(key)).toBe(false);
    expect(bytes.toString('latin1')).not.toContain(key.toString('base64'));
    expect(bytes.toString('latin1')).not.toContain(key.toString('hex'));
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(userData)).toEqual([CACHE_KEY_FILE]);
  });

  it('never replaces a stored key (the cache is encrypted under it): two desks starting at once agree on one', async () => {
    const safeStorage = fakeSafeStorage();
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const one = createSafeStorageKeyStore({ safeStorage, userDataDir: userData, platform: 'linux' });
    const two = createSafeStorageKeyStore({ safeStorage, userDataDir: userData, platform: 'linux' });
    await Promise.all([one.save(a), two.save(b)]);
    const kept = await one.load();
    expect(kept!.equals(a) || kept!.equals(b)).toBe(true);
    expect(await two.load()).toEqual(kept);
    await one.save(randomBytes(32));
    expect(await one.load()).toEqual(kept);
    expect(readdirSync(userData)).toEqual([CACHE_KEY_FILE]);
  });

  it('works through loadOrCreateCacheKey, as createDeskServices calls it', async () => {
    const store = createSafeStorageKeyStore({ safeStorage: fakeSafeStorage(), userDataDir: userData, platform: 'linux' });
    const first = await loadOrCreateCacheKey(store);
    expect(first).toHaveLength(32);
    expect(await loadOrCreateCacheKey(store)).toEqual(first);
  });

  it('tightens a key file left readable by others', async () => {
    if (process.platform === 'win32') return;
    const store = createSafeStorageKeyStore({ safeStorage: fakeSafeStorage(), userDataDir: userData, platform: 'linux' });
    const key = randomBytes(32);
    await store.save(key);
    const file = join(userData, CACHE_KEY_FILE);
    chmodSync(file, 0o644);
    expect(await store.load()).toEqual(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses to store anything on Linux without a keyring, saying so, instead of storing it plain', async () => {
    for (const safeStorage of [fakeSafeStorage({ backend: 'basic_text' }), fakeSafeStorage({ available: false }), fakeSafeStorage({ backend: 'unknown' })]) {
      const store = createSafeStorageKeyStore({ safeStorage, userDataDir: userData, platform: 'linux' });
      const saving = store.save(randomBytes(32));
      await expect(saving).rejects.toBeInstanceOf(CacheKeyStoreError);
      await expect(saving).rejects.toMatchObject({ code: 'KEYSTORE_UNAVAILABLE' });
      await expect(saving).rejects.toThrow(/keyring/);
      await expect(store.load()).rejects.toMatchObject({ code: 'KEYSTORE_UNAVAILABLE' });
      expect(existsSync(join(userData, CACHE_KEY_FILE))).toBe(false);
      expect(readdirSync(userData)).toEqual([]);
    }
  });

  it('refuses on macOS or Windows when the OS encryption is unavailable', async () => {
    const store = createSafeStorageKeyStore({ safeStorage: fakeSafeStorage({ available: false }), userDataDir: userData, platform: 'darwin' });
    await expect(store.save(randomBytes(32))).rejects.toMatchObject({ code: 'KEYSTORE_UNAVAILABLE' });
    const fine = createSafeStorageKeyStore({ safeStorage: fakeSafeStorage({ backend: 'basic_text' }), userDataDir: userData, platform: 'win32' });
    await fine.save(randomBytes(32));
  });

  it('says the key is unreadable when the keyring changed or the file is damaged, never returns a wrong key', async () => {
    const file = join(userData, CACHE_KEY_FILE);
    await createSafeStorageKeyStore({ safeStorage: fakeSafeStorage(), userDataDir: userData, platform: 'linux' }).save(randomBytes(32));
    const otherKeyring = createSafeStorageKeyStore({ safeStorage: fakeSafeStorage(), userDataDir: userData, platform: 'linux' });
    await expect(otherKeyring.load()).rejects.toMatchObject({ code: 'KEY_UNREADABLE' });
    writeFileSync(file, 'garbage');
    await expect(otherKeyring.load()).rejects.toMatchObject({ code: 'KEY_UNREADABLE' });
  });

  it('refuses a key that is not a buffer of sensible length', async () => {
    const store = createSafeStorageKeyStore({ safeStorage: fakeSafeStorage(), userDataDir: userData, platform: 'linux' });
    await expect(store.save(Buffer.alloc(0))).rejects.toMatchObject({ code: 'KEY_INVALID' });
    await expect(store.save(randomBytes(16))).rejects.toMatchObject({ code: 'KEY_INVALID' });
    await expect(store.save('secret' as unknown as Buffer)).rejects.toMatchObject({ code: 'KEY_INVALID' });
  });
});
