import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openEncrypted, type SqliteHandle } from '../../db/sqlite-cipher';

/** The key a test desk keeps beside its cache (`createDeskServices` without a key store). */
export function deskCacheKey(cacheFile: string): Buffer {
  return readFileSync(join(dirname(cacheFile), 'cache.key'));
}

/** Opens a test desk's encrypted cache file directly, for assertions. */
export function openDeskCache(cacheFile: string, options: { readonly?: boolean } = { readonly: true }): SqliteHandle {
  return openEncrypted(cacheFile, deskCacheKey(cacheFile), { readonly: options.readonly ?? true, fileMustExist: true });
}
