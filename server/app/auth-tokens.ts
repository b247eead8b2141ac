import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ServerDatabase, UserTable } from '../db/server-database';

const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function issueToken(db: Kysely<ServerDatabase>, userId: string, now = new Date()) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + TOKEN_LIFETIME_MS).toISOString();
  await db.deleteFrom('auth_tokens').where('expires_at', '<', now.toISOString()).execute();
  await db.insertInto('auth_tokens').values({ token_hash: tokenHash(token), user_id: userId, expires_at: expiresAt }).execute();
  return { token, expiresAt };
}

/** The active user a bearer token belongs to, or null when unknown or expired. */
export async function userForToken(db: Kysely<ServerDatabase>, token: string, now = new Date()): Promise<UserTable | null> {
  const row = await db
    .selectFrom('auth_tokens')
    .innerJoin('users', 'users.id', 'auth_tokens.user_id')
    .selectAll('users')
    .where('auth_tokens.token_hash', '=', tokenHash(token))
    .where('auth_tokens.expires_at', '>', now.toISOString())
    .where('users.active', '=', 1)
    .executeTakeFirst();
  return row ?? null;
}
