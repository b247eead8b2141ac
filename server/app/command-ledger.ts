import type { Kysely, Transaction } from 'kysely';
import type { CommandResult, RejectionCode } from '../../shared/sync-protocol';
import type { ServerDatabase, UserTable } from '../db/server-database';

/** A command the server refuses, with the reason the desk shows the official. */
export class Rejection extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
  }
}

/** Who a command is booked to, who carried it, and what it says (its content hash). */
export interface Booking {
  author: UserTable;
  pushedBy: UserTable;
  /** commandContentHash(content, author.id): shared/node/command-mac.ts */
  contentHash: string;
}

/**
 * Runs a command at most once per client-made id, in one transaction with its effects. A
 * command id seen before answers with the result it got the first time (accepted or rejected),
 * so a retried, duplicated or reordered push changes nothing — but only when it is the same
 * command: the same id with other content, another author or another endpoint is refused as
 * COMMAND_ID_REUSED, and the first command's record stands.
 */
export async function runCommandOnce(
  db: Kysely<ServerDatabase>,
  booking: Booking,
  commandId: string,
  now: Date,
  apply: (trx: Transaction<ServerDatabase>) => Promise<number>,
): Promise<CommandResult> {
  return db.transaction().execute(async (trx) => {
    const seen = await trx.selectFrom('commands').selectAll().where('id', '=', commandId).executeTakeFirst();
    if (seen) {
      const same = seen.content_hash === null ? seen.user_id === booking.author.id : seen.content_hash === booking.contentHash;
      if (!same) return { id: commandId, status: 'rejected', code: 'COMMAND_ID_REUSED', message: `command id ${commandId} was already used for another command` };
      return seen.status === 'accepted'
        ? { id: seen.id, status: 'accepted', changeSeq: seen.change_seq ?? 0 }
        : { id: seen.id, status: 'rejected', code: seen.code as RejectionCode, message: seen.message ?? '' };
    }
    let result: CommandResult;
    try {
      result = { id: commandId, status: 'accepted', changeSeq: await apply(trx) };
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      result = { id: commandId, status: 'rejected', code: error.code, message: error.message };
    }
    await trx
      .insertInto('commands')
      .values({
        id: commandId,
        user_id: booking.author.id,
        pushed_by_user_id: booking.pushedBy.id,
        content_hash: booking.contentHash,
        received_at: now.toISOString(),
        status: result.status,
        code: result.status === 'rejected' ? result.code : null,
        message: result.status === 'rejected' ? result.message : null,
        change_seq: result.status === 'accepted' ? result.changeSeq : null,
      })
      .execute();
    return result;
  });
}
