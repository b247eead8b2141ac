import type { Insertable, Kysely, QueryCreator, Transaction } from 'kysely';
import type { CommandResult, RejectionCode } from '../../shared/sync-protocol';
import type { CommandTable, ServerDatabase, UserTable } from '../db/server-database';

/** A command the server refuses, with the reason the desk shows the official. */
export class Rejection extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
  }
}

/** What an applied command answers when its own writes already marked its ledger row accepted with its change value. */
export interface RecordedCommand {
  changeSeq: number;
  ledgerRecorded: true;
}

/** The ledger row that claims a command's id, 'pending' until its transaction says what became of it. */
export type PendingLedgerRow = Insertable<CommandTable> & { status: 'pending' };

/**
 * Books a ledger row unless its id is there already (INSERT … ON CONFLICT (id) DO NOTHING): the
 * query answers the id when it booked it, nothing when the id was seen before. Run on its own or
 * as a data-modifying WITH of another statement (application-lock.ts).
 */
export function bookLedgerRow(db: QueryCreator<ServerDatabase>, row: Insertable<CommandTable>) {
  return db.insertInto('commands').values(row).onConflict((oc) => oc.column('id').doNothing()).returning('id');
}

/** What `apply` answers when it booked the ledger row itself and found the id already there. */
export const SEEN_BEFORE = Symbol('command seen before');

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
 *
 * Also with several server processes on one database: the ledger row is claimed first, with
 * INSERT … ON CONFLICT (id) DO NOTHING on the primary key. A racing duplicate's insert waits on
 * that key until the first transaction ends; if it committed, the duplicate inserts nothing and
 * reads the first result (never applying twice, never failing); if it rolled back, the duplicate
 * goes ahead as the first. The row says 'pending' only inside the transaction that holds it.
 * A rejection rolls the whole transaction back, so nothing a refused command did before it was
 * refused stays; its ledger row is then written in a second transaction the same way (a
 * duplicate that won the id meanwhile is answered instead). This costs a refused command a second
 * transaction and spares every accepted one a savepoint round trip.
 *
 * With `bookInApply`, `apply` is given the pending row and books it itself in its first statement
 * (INSERT … ON CONFLICT (id) DO NOTHING as part of it, sparing the round trip), answering
 * SEEN_BEFORE when the id was already there; a refusal rolls its booking back as before.
 */
export async function runCommandOnce(
  db: Kysely<ServerDatabase>,
  booking: Booking,
  commandId: string,
  now: Date,
  apply: (trx: Transaction<ServerDatabase>, pending: PendingLedgerRow) => Promise<number | RecordedCommand | typeof SEEN_BEFORE>,
  { bookInApply = false }: { bookInApply?: boolean } = {},
): Promise<CommandResult> {
  const ledgerRow = <S extends 'pending' | 'rejected'>(status: S, rejection?: Rejection) => ({
    id: commandId,
    user_id: booking.author.id,
    pushed_by_user_id: booking.pushedBy.id,
    content_hash: booking.contentHash,
    received_at: now.toISOString(),
    status,
    code: rejection?.code ?? null,
    message: rejection?.message ?? null,
    change_seq: null,
  });
  let refused: Rejection;
  try {
    return await db.transaction().execute(async (trx) => {
      const pending = ledgerRow('pending');
      if (!bookInApply) {
        const first = await bookLedgerRow(trx, pending).executeTakeFirst();
        if (!first) return answerSeen(trx, booking, commandId);
      }
      const applied = await apply(trx, pending);
      if (applied === SEEN_BEFORE) return answerSeen(trx, booking, commandId);
      if (typeof applied !== 'number') return { id: commandId, status: 'accepted', changeSeq: applied.changeSeq } satisfies CommandResult;
      const changeSeq = applied;
      await trx.updateTable('commands').set({ status: 'accepted', change_seq: changeSeq }).where('id', '=', commandId).execute();
      return { id: commandId, status: 'accepted', changeSeq } satisfies CommandResult;
    });
  } catch (error) {
    if (!(error instanceof Rejection)) throw error;
    refused = error;
  }
  return db.transaction().execute(async (trx) => {
    const recorded = await bookLedgerRow(trx, ledgerRow('rejected', refused)).executeTakeFirst();
    if (!recorded) return answerSeen(trx, booking, commandId);
    return { id: commandId, status: 'rejected', code: refused.code, message: refused.message } satisfies CommandResult;
  });
}

/**
 * Answers a command refused without using up its id: its first result when the id is already in
 * the ledger, else this refusal, unrecorded. For a refusal that says nothing of the command
 * itself (its upload arrived damaged), so the same command sent again intact is still judged.
 */
export async function refuseUnrecorded(db: Kysely<ServerDatabase>, booking: Booking, commandId: string, refusal: Rejection): Promise<CommandResult> {
  const seen = await db.selectFrom('commands').select('id').where('id', '=', commandId).executeTakeFirst();
  if (seen) return db.transaction().execute((trx) => answerSeen(trx, booking, commandId));
  return { id: commandId, status: 'rejected', code: refusal.code, message: refusal.message };
}

/** The answer to a command id already in the ledger: its first result, or COMMAND_ID_REUSED. */
async function answerSeen(trx: Transaction<ServerDatabase>, booking: Booking, commandId: string): Promise<CommandResult> {
  const seen = await trx.selectFrom('commands').selectAll().where('id', '=', commandId).executeTakeFirstOrThrow();
  const same = seen.content_hash === null ? seen.user_id === booking.author.id : seen.content_hash === booking.contentHash;
  if (!same) return { id: commandId, status: 'rejected', code: 'COMMAND_ID_REUSED', message: `command id ${commandId} was already used for another command` };
  if (seen.status === 'accepted') return { id: seen.id, status: 'accepted', changeSeq: Number(seen.change_seq ?? 0) };
  if (seen.status === 'rejected') return { id: seen.id, status: 'rejected', code: seen.code as RejectionCode, message: seen.message ?? '' };
  throw new Error(`command ${commandId} is recorded as ${seen.status}, which no committed transaction leaves`);
}
