import { sql, type Kysely, type Transaction } from 'kysely';
import type { ServerDatabase } from '../db/server-database';
import { engineOf } from '../db/server-engine';

type Db = Kysely<ServerDatabase> | Transaction<ServerDatabase>;

/*
 * Why a desk's pull cursor never skips a change that commits late.
 *
 * A desk pulls `change_seq > cursor` in order and moves its cursor to the last value it saw. That
 * is only safe if no change with a smaller value can become visible after a larger one. The
 * change counter is one row (`counters.change_seq`), taken with `UPDATE … RETURNING`: the row
 * lock that UPDATE takes is held until the transaction ends. So while a writer holds value N,
 * the next writer waits at the counter, and gets N+1 only after the first has committed (or
 * rolled back, and then it gets N itself: no gaps are left either). Values therefore commit in
 * increasing order: a reader (PostgreSQL's READ COMMITTED, a fresh snapshot per statement; or
 * SQLite's one writer) that sees N+1 sees N. A sequence (nextval) would not do this: it hands
 * out values that commit in any order.
 *
 * The price is that writers pass the counter one at a time, so each takes it as its very last
 * step (stampApplicationChange after all its other writes), holding it for as little as possible,
 * and after the file's row lock (application-lock.ts), so lock order is always row → counter.
 */

/** The next value of the office-wide change counter that pull cursors follow. */
export async function nextChangeSeq(trx: Db): Promise<number> {
  const row = await trx
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', 'change_seq')
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

/**
 * Takes the next change value and stamps the file with it (and a new version), as the last step
 * of a transaction that changed it: desks pull the file again. Answers the value.
 * On PostgreSQL one statement (a data-modifying CTE), so the counter is held for one round trip
 * less; on SQLite two, on its one connection.
 */
export async function stampApplicationChange(trx: Db, applicationId: string): Promise<number> {
  if (engineOf(trx) === 'postgres') {
    const { rows } = await sql<{ change_seq: number }>`
      WITH next AS (UPDATE counters SET value = value + 1 WHERE name = 'change_seq' RETURNING value)
      UPDATE applications SET change_seq = next.value, version = applications.version + 1
      FROM next WHERE applications.id = ${applicationId}
      RETURNING applications.change_seq`.execute(trx);
    if (rows.length !== 1) throw new Error(`application ${applicationId} to stamp does not exist`);
    return Number(rows[0]!.change_seq);
  }
  const changeSeq = await nextChangeSeq(trx);
  const result = await trx
    .updateTable('applications')
    .set((eb) => ({ change_seq: changeSeq, version: eb('version', '+', 1) }))
    .where('id', '=', applicationId)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new Error(`application ${applicationId} to stamp does not exist`);
  return changeSeq;
}

/** Marks a file changed without moving it (a claim, a reserved number): desks pull it again. */
export async function markApplicationChanged(trx: Db, applicationId: string): Promise<void> {
  await stampApplicationChange(trx, applicationId);
}
