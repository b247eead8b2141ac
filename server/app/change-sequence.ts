import type { Kysely, Transaction } from 'kysely';
import type { ServerDatabase } from '../db/server-database';

/** The next value of the office-wide change counter that pull cursors follow. */
export async function nextChangeSeq(trx: Kysely<ServerDatabase> | Transaction<ServerDatabase>): Promise<number> {
  const row = await trx
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', 'change_seq')
    .returning('value')
    .executeTakeFirstOrThrow();
  return row.value;
}
