import { randomBytes, timingSafeEqual } from 'node:crypto';
import { scryptKey, type ScryptCost } from '../../shared/node/scrypt-key';

const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

const derive = (password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> => scryptKey(password, salt, cost, { keyLength: KEY_LENGTH, maxmem: 64 * 1024 * 1024 });

function encode(salt: Buffer, key: Buffer): string {
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return encode(salt, await derive(password, salt, PARAMS));
}

/**
 * What an unknown (or disabled) user's password is checked against, so that answering "no" to
 * them costs the same scrypt as answering a known user: response time does not tell which
 * usernames exist. Random bytes in place of a key: no password matches it.
 */
const DUMMY_HASH = encode(randomBytes(16), randomBytes(KEY_LENGTH));

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** verifyPassword, doing the same work when there is no stored hash (no such active user). */
export async function verifyPasswordWithEqualWork(password: string, stored: string | undefined): Promise<boolean> {
  const matches = await verifyPassword(password, stored ?? DUMMY_HASH);
  return stored !== undefined && matches;
}
