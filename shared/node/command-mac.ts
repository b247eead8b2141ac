import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson, type CommandAuthor } from '../sync-protocol';

/**
 * The signature on a command: HMAC-SHA256 under the author's session key over the canonical
 * encoding of the command's content (transitionContent / issueContent) and its author. The desk
 * signs, the server checks; one function for both, so they cannot drift.
 */
export function commandMac(sessionKey: Buffer, content: Record<string, unknown>, author: CommandAuthor): string {
  return createHmac('sha256', sessionKey)
    .update(canonicalJson({ v: 1, content, author: { userId: author.userId, sessionId: author.sessionId } }), 'utf8')
    .digest('base64url');
}

export function commandMacMatches(sessionKey: Buffer, content: Record<string, unknown>, author: CommandAuthor, mac: string): boolean {
  const expected = Buffer.from(commandMac(sessionKey, content, author), 'base64url');
  const actual = Buffer.from(mac, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * What the server's ledger keeps of a command to know a replay from a reuse: the content and the
 * official it is booked to, not the session that signed it (a decision re-signed after its
 * author signed in again is the same decision).
 */
export function commandContentHash(content: Record<string, unknown>, authorUserId: string): string {
  return createHash('sha256').update(canonicalJson({ v: 1, content, authorUserId }), 'utf8').digest('hex');
}
