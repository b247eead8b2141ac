import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ROLES, type Role } from '../../shared/roles';
import type { ServerDatabase } from '../db/server-database';
import { revokeEverySession } from './auth-tokens';
import { hashPassword } from './password-hash';
import { PASSWORD_PROBLEM_TEXT, passwordProblems } from './password-policy';
import { resolveOfficeId } from './server-records';

/** What an administrator did wrong, said plainly; the CLI prints it and exits 1. */
export class UserAdminError extends Error {}

function checkPassword(password: string, username: string): void {
  const problems = passwordProblems(password, username);
  if (problems.length) throw new UserAdminError(`password refused: ${problems.map((p) => PASSWORD_PROBLEM_TEXT[p]).join('; ')}`);
}

export interface NewUser {
  username: string;
  fullName: string;
  nip: string;
  role: string;
  password: string;
  /** the office the official belongs to; may be left out only on a server with one office */
  officeId?: string;
}

export async function addUser(db: Kysely<ServerDatabase>, user: NewUser): Promise<string> {
  if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(user.username)) throw new UserAdminError('username: 2–64 of a-z 0-9 . _ -, starting with a letter or digit');
  if (!(ROLES as readonly string[]).includes(user.role)) throw new UserAdminError(`role must be one of ${ROLES.join(', ')}`);
  if (!user.fullName.trim()) throw new UserAdminError('full name is required');
  checkPassword(user.password, user.username);
  const existing = await db.selectFrom('users').select('id').where('username', '=', user.username).executeTakeFirst();
  if (existing) throw new UserAdminError(`user ${user.username} exists already`);
  let officeId: string;
  try {
    officeId = await resolveOfficeId(db, user.officeId);
  } catch (error) {
    throw new UserAdminError((error as Error).message);
  }
  const id = randomUUID();
  await db
    .insertInto('users')
    .values({ id, office_id: officeId, username: user.username, full_name: user.fullName.trim(), nip: user.nip.trim(), role: user.role as Role, password_hash: await hashPassword(user.password), active: 1 })
    .execute();
  return id;
}

async function userId(db: Kysely<ServerDatabase>, username: string): Promise<string> {
  const row = await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
  if (!row) throw new UserAdminError(`no user ${username}`);
  return row.id;
}

/** The account signs in no more; its tokens and author sessions end now. */
export async function disableUser(db: Kysely<ServerDatabase>, username: string): Promise<void> {
  const id = await userId(db, username);
  await db.updateTable('users').set({ active: 0 }).where('id', '=', id).execute();
  await revokeEverySession(db, id);
}

/** A new password under the policy; every session of the account ends, so the old password opens nothing. */
export async function resetPassword(db: Kysely<ServerDatabase>, username: string, password: string): Promise<void> {
  const id = await userId(db, username);
  checkPassword(password, username);
  await db.updateTable('users').set({ password_hash: await hashPassword(password) }).where('id', '=', id).execute();
  await revokeEverySession(db, id);
}
