import { sql, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { ApplicationTable, ServerDatabase } from '../db/server-database';
import { engineOf } from '../db/server-engine';
import { changeWatermark } from './change-watermark';

type Db = Kysely<ServerDatabase> | Transaction<ServerDatabase>;

/*
 * Why a desk's pull cursor never skips a change that commits late.
 *
 * A desk pulls `change_seq > cursor` in order and moves its cursor to the last value it saw. That
 * is only safe if no change with a value at or below the cursor can become visible after the pull.
 *
 * SQLite: the values come from one counter row (`counters.change_seq`), taken with
 * UPDATE … RETURNING by the one writer, whose write lock lasts until commit: values commit in
 * increasing order, and a reader that sees N+1 sees N.
 *
 * PostgreSQL (migration 025): holding one counter row until commit made every writer of every
 * office pass it one at a time, each holding it across its commit's WAL flush and the server's
 * own event-loop delays. The values now come from a sequence (nextval, CACHE 1), which writers
 * take without waiting for each other, and so may commit out of order. Pulls therefore read only
 * up to a safe watermark W (change-watermark.ts), found like this:
 *   1. read L = the sequence's last value handed out;
 *   2. then take a snapshot S and note the transactions in progress in it (its xip list);
 *   3. wait until a later snapshot shows each of them finished (committed or rolled back).
 * Then W = L is safe: a value v ≤ L was handed out before step 1, to a transaction that already
 * had its transaction id (every writer has one before it takes a value: nextChangeSeq and
 * stampApplicationChange make sure of it), so that transaction was either finished at S or in
 * its xip list, and by step 3 it is finished: committed, and visible to every later statement,
 * or rolled back, and never visible. No transaction can still make a value ≤ L appear.
 * The watermark is read after the pull started, so a desk that pushed and then pulls sees its own
 * change. tests/integration/server-concurrency.test.ts races writers and pullers on two server
 * processes and checks that no pulled cursor ever skipped a change.
 */

/** The next change value (in the caller's transaction). */
export async function nextChangeSeq(trx: Db): Promise<number> {
  if (engineOf(trx) === 'postgres') {
    // MATERIALIZED: the transaction id is assigned before nextval hands out the value (see above)
    const { rows } = await sql<{ value: number }>`
      WITH tx AS MATERIALIZED (SELECT pg_current_xact_id() AS xid) SELECT nextval('change_seq') AS value FROM tx`.execute(trx);
    return Number(rows[0]!.value);
  }
  const row = await trx
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', 'change_seq')
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

/** The last change value handed out (a cursor from which only later changes are pulled). */
export async function currentChangeSeq(db: Db): Promise<number> {
  if (engineOf(db) === 'postgres') {
    const { rows } = await sql<{ value: number }>`SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS value FROM change_seq`.execute(db);
    return Number(rows[0]!.value);
  }
  const row = await db.selectFrom('counters').select('value').where('name', '=', 'change_seq').executeTakeFirstOrThrow();
  return Number(row.value);
}

/**
 * The highest change value a pull may read up to: every value at or below it has committed or
 * never will. SQLite: no bound (its values commit in order).
 */
export async function pullableChangeSeq(db: Kysely<ServerDatabase>): Promise<number> {
  return engineOf(db) === 'postgres' ? changeWatermark(db).safeUpTo() : Number.MAX_SAFE_INTEGER;
}

/**
 * Takes the next change value and stamps the file with it (and a new version), with `set` and
 * only while it is still at `expectedStage` when given: desks pull the file again. Answers the
 * value, or null when the stage guard did not hold. One statement on PostgreSQL.
 */
export async function stampApplicationChange(
  trx: Db,
  applicationId: string,
  change: { set?: Updateable<ApplicationTable>; expectedStage?: string } = {},
): Promise<number | null> {
  if (engineOf(trx) === 'postgres') {
    let update = trx
      .with('tx', (db) => db.selectNoFrom(sql<string>`pg_current_xact_id()`.as('xid')))
      .updateTable('applications')
      .from('tx')
      .set((eb) => ({ ...change.set, change_seq: sql<number>`nextval('change_seq')`, version: eb('applications.version', '+', 1) }))
      .where('applications.id', '=', applicationId);
    if (change.expectedStage !== undefined) update = update.where('applications.stage', '=', change.expectedStage);
    // the CTE is materialized (see nextChangeSeq): kysely writes `with "tx" as (…)`, which PostgreSQL
    // materializes only when referenced twice, so the hint is spelled out
    const compiled = update.returning('applications.change_seq').compile();
    const text = compiled.sql.replace(/^with "tx" as \(/, 'with "tx" as materialized (');
    if (text === compiled.sql) throw new Error('stampApplicationChange: unexpected SQL shape');
    const { rows } = await trx.executeQuery<{ change_seq: number }>({ ...compiled, sql: text });
    return rows.length === 1 ? Number(rows[0]!.change_seq) : null;
  }
  // a refused guard leaves the counter taken: the caller's transaction rolls back (a Rejection)
  const changeSeq = await nextChangeSeq(trx);
  let update = trx
    .updateTable('applications')
    .set((eb) => ({ ...change.set, change_seq: changeSeq, version: eb('version', '+', 1) }))
    .where('id', '=', applicationId);
  if (change.expectedStage !== undefined) update = update.where('stage', '=', change.expectedStage);
  const stamped = await update.executeTakeFirst();
  return Number(stamped.numUpdatedRows) === 1 ? changeSeq : null;
}

/** Marks a file changed without moving it (a claim, a reserved number): desks pull it again. */
export async function markApplicationChanged(trx: Db, applicationId: string): Promise<void> {
  if ((await stampApplicationChange(trx, applicationId)) === null) throw new Error(`application ${applicationId} to stamp does not exist`);
}
