import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { userSchema, type User } from '../../shared/sync-protocol';
import type { CacheDatabase } from '../../db/cache-database';
import { readMeta, writeMeta } from './cache-reads';

// scrypt, as the server uses; the desk keeps only this verifier, never the password.
const PARAMS = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, 32, PARAMS, (err, key) => (err ? reject(err) : resolve(key))));
}

const keyFor = (username: string) => `offline_credential:${username.toLowerCase()}`;

/** After an online sign-in: remember enough to let the same official in while the server is down. */
export async function rememberCredential(db: Kysely<CacheDatabase>, username: string, password: string, user: User): Promise<void> {
  const salt = randomBytes(16);
  const verifier = await derive(password, salt);
  await writeMeta(db, keyFor(username), JSON.stringify({ salt: salt.toString('base64'), verifier: verifier.toString('base64'), user }));
}

/** The official this desk knows by these credentials, null for a wrong password, undefined if never seen here. */
export async function checkRememberedCredential(db: Kysely<CacheDatabase>, username: string, password: string): Promise<User | null | undefined> {
  const raw = await readMeta(db, keyFor(username));
  if (!raw) return undefined;
  const stored = JSON.parse(raw) as { salt: string; verifier: string; user: unknown };
  const expected = Buffer.from(stored.verifier, 'base64');
  const actual = await derive(password, Buffer.from(stored.salt, 'base64'));
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? userSchema.parse(stored.user) : null;
}
