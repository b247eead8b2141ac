import type { Kysely } from 'kysely';
import type { Role } from '../../shared/roles';
import type { LoginResponse } from '../../shared/sync-protocol';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { startSession } from './auth-tokens';
import { DomainRefusal } from './domain-refusal';

/** The active account of this username, if there is one. */
export async function findActiveUser(db: Kysely<ServerDatabase>, username: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).where('active', '=', 1).executeTakeFirst();
}

/** The same answer for an unknown user as for a wrong password: it does not tell which usernames exist. */
export const badCredentials = (): DomainRefusal => new DomainRefusal(401, 'bad_credentials', 'unknown user or wrong password');

/** Past the throttle's threshold (login-throttle.ts): 429 with Retry-After, even for the right password. */
export const tooManyAttempts = (retryAfterSeconds: number): DomainRefusal =>
  new DomainRefusal(429, 'too_many_attempts', `too many failed sign-ins; try again in ${retryAfterSeconds} s`, {}, { 'retry-after': String(retryAfterSeconds) });

/** After the password is verified: a bearer token and an author session for signing commands. */
export async function openSignIn(db: Kysely<ServerDatabase>, user: UserTable): Promise<LoginResponse> {
  const { token, expiresAt, session } = await startSession(db, user.id);
  return {
    token,
    expiresAt,
    user: { id: user.id, username: user.username, fullName: user.full_name, nip: user.nip, role: user.role as Role },
    session,
  };
}
