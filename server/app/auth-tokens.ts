import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { AuthorSession } from '../../shared/sync-protocol';
import type { AuthSessionTable, ServerDatabase, UserTable } from '../db/server-database';
import { DEFINITIONS_VERSION_COLUMN, noteDefinitionsVersion } from './definitions-cache';

const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** An author session outlives its tokens: decisions made offline stay provably the official's for two weeks. */
export const AUTHOR_SESSION_LIFETIME_MS = 14 * 24 * 60 * 60 * 1000;
/** Expired sessions are kept a while so a late command is told "expired" rather than "unknown". */
const SESSION_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

// Tokens are stored only as their SHA-256: a copy of the database signs no one in.
function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function newToken(now: Date) {
  return { token: randomBytes(32).toString('base64url'), expiresAt: new Date(now.getTime() + TOKEN_LIFETIME_MS).toISOString() };
}

/**
 * An online sign-in: a bearer token (12 h, refreshable) and an author session whose key the
 * desk signs this official's commands with (14 days). The key is returned once, here.
 */
export async function startSession(db: Kysely<ServerDatabase>, userId: string, now = new Date()): Promise<{ token: string; expiresAt: string; session: AuthorSession }> {
  const { token, expiresAt } = newToken(now);
  const session = { id: randomUUID(), key: randomBytes(32), expiresAt: new Date(now.getTime() + AUTHOR_SESSION_LIFETIME_MS).toISOString() };
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('auth_tokens').where('expires_at', '<', now.toISOString()).execute();
    await trx.deleteFrom('auth_sessions').where('expires_at', '<', new Date(now.getTime() - SESSION_RETENTION_MS).toISOString()).execute();
    await trx
      .insertInto('auth_sessions')
      .values({ id: session.id, user_id: userId, session_key: session.key, created_at: now.toISOString(), expires_at: session.expiresAt, revoked_at: null })
      .execute();
    await trx.insertInto('auth_tokens').values({ token_hash: tokenHash(token), user_id: userId, expires_at: expiresAt, session_id: session.id }).execute();
  });
  return { token, expiresAt, session: { id: session.id, key: session.key.toString('base64url'), expiresAt: session.expiresAt } };
}

/** What one token check read: the official, the definitions version, the token's author session, and when the token expires. */
interface TokenCheck {
  user: UserTable;
  definitionsVersion: number | null;
  session: AuthorSessionRow | null;
  tokenExpiresAt: string;
  readAt: number;
}

/**
 * How long a token check stands: a sign-out, a revocation or a deactivation committed after a
 * check is seen by every request checked later than this, on every server process (the process
 * that makes the change forgets its own checks at once). A desk sends a request every second or
 * so while its official works; reading the token, official and session for each one was a
 * quarter of the database's statements and the largest share of its work under load.
 */
const TOKEN_CHECK_FRESH_MS = 1000;
const TOKEN_CHECKS_HELD = 10_000;

/**
 * The checks of one database handle (two servers in one process keep theirs apart, as two
 * processes do), in the order they were read, so those past TOKEN_CHECK_FRESH_MS are dropped
 * from the front: none is kept longer than it may be used. `generation` moves whenever checks are
 * forgotten, so a read under way then is not kept (it may have read the row before the change).
 */
class TokenChecks {
  private readonly held = new Map<string, TokenCheck>();
  private generation = 0;

  fresh(hash: string, now: Date): TokenCheck | undefined {
    const check = this.held.get(hash);
    return check && performance.now() - check.readAt < TOKEN_CHECK_FRESH_MS && check.tokenExpiresAt > now.toISOString() ? check : undefined;
  }

  /** Begins a read: what it found is then kept with the returned function, unless checks were forgotten meanwhile. */
  startRead(): (hash: string, check: TokenCheck | null) => void {
    const generation = this.generation;
    return (hash, check) => {
      this.held.delete(hash);
      if (!check || generation !== this.generation) return;
      for (const [oldest, held] of this.held) {
        if (this.held.size < TOKEN_CHECKS_HELD && performance.now() - held.readAt < TOKEN_CHECK_FRESH_MS) break;
        this.held.delete(oldest);
      }
      this.held.set(hash, check);
    };
  }

  forget(which: { hash: string } | { userId: string }): void {
    this.generation += 1;
    if ('hash' in which) this.held.delete(which.hash);
    else for (const [hash, check] of this.held) if (check.user.id === which.userId) this.held.delete(hash);
  }
}

const tokenChecksByDb = new WeakMap<object, TokenChecks>();
function tokenChecksOf(db: Kysely<ServerDatabase>): TokenChecks {
  const key = db.getExecutor().adapter;
  let checks = tokenChecksByDb.get(key);
  if (!checks) tokenChecksByDb.set(key, (checks = new TokenChecks()));
  return checks;
}

/**
 * The active user a bearer token belongs to, or null when unknown, expired or revoked. A token
 * whose sign-in (author session) an administrator revoked answers null too, even one a refresh
 * made while the revocation was under way. What a check read stands for TOKEN_CHECK_FRESH_MS.
 * The row carries no password hash (a check is held in memory): it is the empty string.
 */
export async function userForToken(db: Kysely<ServerDatabase>, token: string, now = new Date()): Promise<UserTable | null> {
  const hash = tokenHash(token);
  const checks = tokenChecksOf(db);
  let check = checks.fresh(hash, now);
  if (!check) {
    const keep = checks.startRead();
    check = (await readTokenCheck(db, hash, now)) ?? undefined;
    keep(hash, check ?? null);
  }
  if (!check) return null;
  // a row of the request's own: the version and the session are noted on it for this request
  const user = { ...check.user };
  noteDefinitionsVersion(user, check.definitionsVersion);
  if (check.session) tokenSessions.set(user, { session: check.session, readAt: check.readAt });
  return user;
}

async function readTokenCheck(db: Kysely<ServerDatabase>, hash: string, now: Date): Promise<TokenCheck | null> {
  const readAt = performance.now();
  const row = await db
    .selectFrom('auth_tokens')
    .innerJoin('users', 'users.id', 'auth_tokens.user_id')
    // a token from before author sessions has none, and stays good until it expires
    .leftJoin('auth_sessions', 'auth_sessions.id', 'auth_tokens.session_id')
    .select(['users.id', 'users.office_id', 'users.username', 'users.full_name', 'users.nip', 'users.role', 'users.active'])
    .select('auth_tokens.expires_at as token_expires_at')
    // the offices' definitions version along, for the request's lookups (definitions-cache.ts)
    .select(DEFINITIONS_VERSION_COLUMN.as('definitions_version'))
    // and the token's author session, which verifies the official's own commands (command-authorship.ts)
    .select(['auth_sessions.id as token_session_id', 'auth_sessions.session_key as token_session_key', 'auth_sessions.expires_at as token_session_expires_at'])
    .where('auth_tokens.token_hash', '=', hash)
    .where('auth_tokens.expires_at', '>', now.toISOString())
    .where('users.active', '=', 1)
    .where('auth_sessions.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  const { token_expires_at, definitions_version, token_session_id, token_session_key, token_session_expires_at, ...user } = row;
  return {
    user: { ...user, password_hash: '' },
    definitionsVersion: definitions_version,
    session:
      token_session_id !== null && token_session_key !== null && token_session_expires_at !== null
        ? { id: token_session_id, user_id: user.id, session_key: token_session_key, expires_at: token_session_expires_at, revoked_at: null }
        : null,
    tokenExpiresAt: token_expires_at,
    readAt,
  };
}

/** This process forgets its token checks: of one token, or of every token of one official. */
function forgetTokenChecks(db: Kysely<ServerDatabase>, which: { hash: string } | { userId: string }): void {
  tokenChecksOf(db).forget(which);
}

/** An author session as command-authorship.ts judges it. */
export type AuthorSessionRow = Pick<Selectable<AuthSessionTable>, 'id' | 'user_id' | 'session_key' | 'expires_at' | 'revoked_at'>;

const tokenSessions = new WeakMap<UserTable, { session: AuthorSessionRow; readAt: number }>();

/**
 * The author session the request's token belongs to, read with the token (userForToken) less
 * than TOKEN_CHECK_FRESH_MS ago and not revoked then, with its official (the row that check
 * returned, active then), keyed by that row; undefined for a token from before author sessions
 * or a check older than that: a revocation or a deactivation committed after the check is seen
 * by any command judged later than this (a request whose body takes longer to arrive, or a long
 * batch, reads them again).
 */
export function tokenSessionOf(user: UserTable): AuthorSessionRow | undefined {
  const held = tokenSessions.get(user);
  return held && performance.now() - held.readAt < TOKEN_CHECK_FRESH_MS ? held.session : undefined;
}

/** "Keluar": the token answers 401 from now on. The author session stays, so decisions already signed can still be delivered. */
export async function revokeToken(db: Kysely<ServerDatabase>, token: string): Promise<void> {
  await db.deleteFrom('auth_tokens').where('token_hash', '=', tokenHash(token)).execute();
  forgetTokenChecks(db, { hash: tokenHash(token) });
}

/**
 * A new token for the same official and session; the old one is revoked in the same transaction.
 * A sign-in lasts no longer than its author session (AUTHOR_SESSION_LIFETIME_MS): a token is
 * refreshed only while that session is neither expired nor revoked, and never past its end, so
 * a token taken from a desk cannot be kept alive for ever by refreshing it.
 */
export async function rotateToken(db: Kysely<ServerDatabase>, token: string, now = new Date()): Promise<{ token: string; expiresAt: string } | null> {
  const rotated = await db.transaction().execute(async (trx) => {
    const old = await trx
      .selectFrom('auth_tokens')
      .innerJoin('users', 'users.id', 'auth_tokens.user_id')
      .innerJoin('auth_sessions', 'auth_sessions.id', 'auth_tokens.session_id')
      .select(['auth_tokens.user_id', 'auth_tokens.session_id', 'auth_sessions.expires_at as session_expires_at'])
      .where('auth_tokens.token_hash', '=', tokenHash(token))
      .where('auth_tokens.expires_at', '>', now.toISOString())
      .where('users.active', '=', 1)
      .where('auth_sessions.revoked_at', 'is', null)
      .where('auth_sessions.expires_at', '>', now.toISOString())
      .executeTakeFirst();
    if (!old) return null;
    await trx.deleteFrom('auth_tokens').where('token_hash', '=', tokenHash(token)).execute();
    const renewed = newToken(now);
    const fresh = renewed.expiresAt < old.session_expires_at ? renewed : { token: renewed.token, expiresAt: old.session_expires_at };
    await trx.insertInto('auth_tokens').values({ token_hash: tokenHash(fresh.token), user_id: old.user_id, expires_at: fresh.expiresAt, session_id: old.session_id }).execute();
    return fresh;
  });
  forgetTokenChecks(db, { hash: tokenHash(token) });
  return rotated;
}

/**
 * An administrator disabled the official or set a new password: every token and author
 * session ends. Their decisions still waiting on a desk wait until they sign in again.
 */
export async function revokeEverySession(db: Kysely<ServerDatabase>, userId: string, now = new Date()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('auth_tokens').where('user_id', '=', userId).execute();
    await trx.updateTable('auth_sessions').set({ revoked_at: now.toISOString() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  });
  forgetTokenChecks(db, { userId });
}
