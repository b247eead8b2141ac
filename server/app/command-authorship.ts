import type { Kysely } from 'kysely';
import type { CommandAuthor } from '../../shared/sync-protocol';
import { commandMacMatches } from '../../shared/node/command-mac';
import { tokenSessionOf } from './auth-tokens';
import type { ServerDatabase, UserTable } from '../db/server-database';

export type Authorship =
  | { ok: true; author: UserTable }
  | { ok: false; code: 'AUTHOR_UNVERIFIED' | 'AUTHOR_SESSION_EXPIRED'; message: string };

/**
 * Whose decision a command is. A signed command (author + mac) is the author's, whoever's token
 * carries it, once its MAC verifies under that author's session key: so a decision made offline
 * by one official and delivered when a colleague signs in on the same desk is booked to the one
 * who made it, and judged by their role. An unsigned command is the pushing official's own.
 * A MAC that does not verify, or names an unknown session, is refused; a verified one whose
 * session has expired or was revoked is refused as expired, and the desk keeps it until its
 * author signs in again.
 */
export async function resolveAuthor(
  db: Kysely<ServerDatabase>,
  pusher: UserTable,
  content: Record<string, unknown>,
  claim: { author?: CommandAuthor; mac?: string },
  now: Date,
): Promise<Authorship> {
  if (!claim.author && !claim.mac) return { ok: true, author: pusher };
  if (!claim.author || !claim.mac) return unverified('a command names its author and carries their MAC, or neither');
  // the usual case, an official delivering their own decision signed in the session their token
  // belongs to: session and official as read with the token a moment ago (tokenSessionOf)
  const own = tokenSessionOf(pusher);
  const session =
    own?.id === claim.author.sessionId
      ? own
      : await db.selectFrom('auth_sessions').select(['id', 'user_id', 'session_key', 'expires_at', 'revoked_at']).where('id', '=', claim.author.sessionId).executeTakeFirst();
  if (!session || session.user_id !== claim.author.userId) return unverified('no such session for this official');
  if (!commandMacMatches(session.session_key, content, claim.author, claim.mac)) return unverified('the MAC does not match the command');
  const author = session === own ? pusher : await db.selectFrom('users').selectAll().where('id', '=', session.user_id).executeTakeFirst();
  if (!author) return unverified('no such official');
  if (!sameOffice(pusher, author)) return unverified('the author belongs to another office');
  if (session.revoked_at !== null || session.expires_at <= now.toISOString() || author.active !== 1) {
    return { ok: false, code: 'AUTHOR_SESSION_EXPIRED', message: `the session of ${author.full_name} has ended: they must sign in again to deliver this decision` };
  }
  return { ok: true, author };
}

function unverified(message: string): Authorship {
  return { ok: false, code: 'AUTHOR_UNVERIFIED', message };
}

/** Only an official of the author's own office may deliver the author's decisions. */
function sameOffice(pusher: UserTable, author: UserTable): boolean {
  return pusher.office_id === author.office_id;
}
