import type { Selectable, Transaction } from 'kysely';
import type { ApplicationTable, ServerDatabase, UserTable } from '../db/server-database';
import { engineOf } from '../db/server-engine';

/**
 * A file of the official's own office, read with its row locked for the rest of the transaction,
 * before anything about it is judged: a concurrent claim, transition or signed permit on the
 * same file waits until this transaction ends and then judges the file as this one left it.
 * Every writer takes this lock first and the change counter last (change-sequence.ts), so two
 * writers never wait for each other in opposite orders.
 *
 * PostgreSQL: SELECT … FOR UPDATE. SQLite has no row locks and needs none: its one writer
 * (one connection per process, a transaction at a time) already runs these in turn.
 */
export async function lockOfficeApplication(trx: Transaction<ServerDatabase>, user: Pick<UserTable, 'office_id'>, applicationId: string): Promise<Selectable<ApplicationTable> | undefined> {
  let query = trx.selectFrom('applications').selectAll().where('id', '=', applicationId).where('office_id', '=', user.office_id);
  if (engineOf(trx) === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}
