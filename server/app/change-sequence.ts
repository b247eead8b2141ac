import type { Kysely, Transaction } from 'kysely';
import type { ServerDatabase } from '../db/server-database';

/** Marks a file changed without moving it (a claim, a reserved number): desks pull it again. */
export async function markApplicationChanged(trx: Kysely<ServerDatabase> | Transaction<ServerDatabase>, applicationId: string, version: number): Promise<void> {
  const changeSeq = await nextChangeSeq(trx);
  await trx.updateTable('applications').set({ version: version + 1, change_seq: changeSeq }).where('id', '=', applicationId).execute();
}

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
