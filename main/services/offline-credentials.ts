import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppFailure } from '../../shared/result';
import { scryptKey, type ScryptCost } from '../../shared/node/scrypt-key';
import { authorSessionSchema, userSchema, type User } from '../../shared/sync-protocol';
import type { CacheDatabase } from '../../db/cache-database';
import { readMeta, writeMeta } from './cache-reads';
import type { SigningSession } from './outbox-command';

/*
 * Signing in while the server is down. The desk keeps no verifier of the password: it keeps the
 * author session the server issued at the last online sign-in (a random key, never the
 * password) encrypted with AES-256-GCM under a key derived from the password by scrypt with
 * strong parameters. Offline sign-in is a successful decryption; what it unlocks is that
 * session's key, to sign the decisions made offline. Nothing stored here is, or yields, a
 * password: the server accepts neither the ciphertext, nor the session key, nor any hash as one.
 *
 * A guessed password can still be tried against the ciphertext by whoever copies the cache
 * file (any offline sign-in can be): scrypt at N=2^17 makes each guess cost ~0.35 s and 128 MB,
 * the cache itself is encrypted at rest, and the server's password policy keeps guess lists short.
 * Five wrong passwords at this desk lock offline sign-in until an online sign-in.
 */
const KDF = { N: 2 ** 17, r: 8, p: 1 } as const;
const KDF_MAXMEM = 256 * 1024 * 1024;
export const MAX_OFFLINE_FAILURES = 5;

const recordSchema = z.object({
  v: z.literal(2),
  kdf: z.object({ N: z.number().int().min(2 ** 14).max(2 ** 20), r: z.number().int().min(1).max(32), p: z.number().int().min(1).max(4), salt: z.string() }),
  iv: z.string(),
  data: z.string(),
  tag: z.string(),
  failures: z.number().int().nonnegative(),
});
type OfflineRecord = z.infer<typeof recordSchema>;

const payloadSchema = z.object({ user: userSchema, session: authorSessionSchema.nullable() });

const PREFIX = 'offline_credential:';
const keyFor = (username: string) => `${PREFIX}${username.normalize('NFKC').toLowerCase()}`;
// binds the ciphertext to its account: one official's record copied under another's name does not open
const aadFor = (username: string) => Buffer.from(`meja-izin offline credential v2\n${keyFor(username)}`, 'utf8');

const deriveKey = (password: string, salt: Buffer, kdf: ScryptCost): Promise<Buffer> => scryptKey(password, salt, kdf, { keyLength: 32, maxmem: KDF_MAXMEM });

/**
 * The first version kept scrypt(password) as a verifier, which a guess list turned back into
 * the server password. Such records are deleted, never read: the official signs in online once.
 */
async function deleteLegacyVerifiers(db: Kysely<CacheDatabase>): Promise<void> {
  const rows = await db.selectFrom('meta').select(['key', 'value']).where('key', 'like', `${PREFIX}%`).execute();
  const legacy = rows.filter((row) => !recordSchema.safeParse(safeJson(row.value)).success).map((row) => row.key);
  if (legacy.length) await db.deleteFrom('meta').where('key', 'in', legacy).execute();
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** After an online sign-in: what lets the same official in, and sign, while the server is down. */
export async function rememberCredential(db: Kysely<CacheDatabase>, username: string, password: string, user: User, session: SigningSession | null): Promise<void> {
  await deleteLegacyVerifiers(db);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(password, salt, KDF);
  const payload = { user, session: session ? { id: session.id, key: session.key.toString('base64url'), expiresAt: session.expiresAt } : null };
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aadFor(username));
  const data = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  key.fill(0);
  const record: OfflineRecord = {
    v: 2,
    kdf: { ...KDF, salt: salt.toString('base64') },
    iv: iv.toString('base64'),
    data: data.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    failures: 0,
  };
  await writeMeta(db, keyFor(username), JSON.stringify(record));
}

export interface UnlockedCredential {
  user: User;
  session: SigningSession | null;
}

/**
 * The official this desk knows by these credentials and their signing session; null for a wrong
 * password, undefined if they never signed in online here. Throws OFFLINE_SIGN_IN_LOCKED after
 * MAX_OFFLINE_FAILURES wrong passwords, before any work is done.
 */
export async function unlockRememberedCredential(db: Kysely<CacheDatabase>, username: string, password: string): Promise<UnlockedCredential | null | undefined> {
  await deleteLegacyVerifiers(db);
  const raw = await readMeta(db, keyFor(username));
  if (!raw) return undefined;
  const record = recordSchema.parse(JSON.parse(raw));
  if (record.failures >= MAX_OFFLINE_FAILURES) {
    throw new AppFailure('OFFLINE_SIGN_IN_LOCKED', `offline sign-in for ${username} is locked after ${record.failures} wrong passwords: sign in with the server reachable`);
  }
  const key = await deriveKey(password, Buffer.from(record.kdf.salt, 'base64'), record.kdf);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(record.iv, 'base64'));
    decipher.setAAD(aadFor(username));
    decipher.setAuthTag(Buffer.from(record.tag, 'base64'));
    plain = Buffer.concat([decipher.update(Buffer.from(record.data, 'base64')), decipher.final()]);
  } catch {
    // GCM's tag does not verify: the wrong password (or a damaged record); counted either way
    await writeMeta(db, keyFor(username), JSON.stringify({ ...record, failures: record.failures + 1 }));
    return null;
  } finally {
    key.fill(0);
  }
  if (record.failures > 0) await writeMeta(db, keyFor(username), JSON.stringify({ ...record, failures: 0 }));
  const payload = payloadSchema.parse(JSON.parse(plain.toString('utf8')));
  plain.fill(0);
  return {
    user: payload.user,
    session: payload.session ? { id: payload.session.id, key: Buffer.from(payload.session.key, 'base64url'), expiresAt: payload.session.expiresAt } : null,
  };
}
