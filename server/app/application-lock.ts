import { sql, type QueryCreator, type Selectable, type Transaction } from 'kysely';
import type { ReferenceRecord } from '../../shared/domain';
import type { ApplicationTable, ReferenceRecordTable, ServerDatabase, UserTable } from '../db/server-database';
import { referenceFromRow } from './server-records';
import { DEFINITIONS_VERSION_COLUMN, noteDefinitionsVersion } from './definitions-cache';
import { engineOf } from '../db/server-engine';
import { bookLedgerRow, type PendingLedgerRow } from './command-ledger';

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
  if (engineOf(trx) === 'postgres') {
    // no definitions version along: a subquery of this statement would read it as of the
    // statement's start, before any wait for the lock, and a signer binding or workflow changed
    // meanwhile would go unseen; the caller's lookup reads it after the lock (definitions-cache.ts)
    return trx.selectFrom('applications').selectAll().where('id', '=', applicationId).where('office_id', '=', user.office_id).forUpdate().executeTakeFirst();
  }
  // SQLite: the transaction reads one snapshot throughout, so the definitions' version comes
  // along and the caller's workflow lookup needs no round trip
  const row = await trx
    .selectFrom('applications')
    .selectAll('applications')
    .select(DEFINITIONS_VERSION_COLUMN.as('definitions_version'))
    .where('id', '=', applicationId)
    .where('office_id', '=', user.office_id)
    .executeTakeFirst();
  if (!row) return undefined;
  const { definitions_version, ...app } = row;
  noteDefinitionsVersion(trx, definitions_version);
  return app;
}

/**
 * The file locked as lockOfficeApplication does, with what judging a decision on it needs in the
 * same round trip: who has taken it (claims are written only under this lock, claims.ts), whether
 * a signed permit is recorded, and on PostgreSQL the national records of the applicant's NIK
 * (undefined on SQLite, where the judge reads them itself: a query there costs no round trip).
 * With `book`, the command's ledger row is booked first (command-ledger.ts, bookInApply): in the
 * same statement on PostgreSQL, by a statement of its own on SQLite (no round trip there);
 * `seenBefore` says its id was already there.
 */
export async function lockApplicationForDecision(
  trx: Transaction<ServerDatabase>,
  user: Pick<UserTable, 'office_id'>,
  applicationId: string,
  book?: PendingLedgerRow,
): Promise<
  | {
      app: Selectable<ApplicationTable>;
      claim: { user_id: string; user_name: string } | null;
      signed: boolean;
      references: ReferenceRecord[] | undefined;
      seenBefore: boolean;
    }
  | undefined
> {
  const postgres = engineOf(trx) === 'postgres';
  let seenBefore = false;
  if (book && !postgres) seenBefore = !(await bookLedgerRow(trx, book).executeTakeFirst());
  const bookedAlong = book !== undefined && postgres;
  // the booking as a data-modifying WITH, which runs to completion with the statement; only the
  // raw EXISTS below reads it, so the query is typed without it
  const from = bookedAlong
    ? (trx.with('booked', (qc) => bookLedgerRow(qc, book)) as unknown as QueryCreator<ServerDatabase>)
    : trx;
  let query = from
    .selectFrom('applications')
    .leftJoin('claims', 'claims.application_id', 'applications.id')
    .selectAll('applications')
    .select((eb) => [
      'claims.user_id as claim_user_id',
      'claims.user_name as claim_user_name',
      eb.exists(eb.selectFrom('issued_permits').select('issued_permits.application_id').whereRef('issued_permits.application_id', '=', 'applications.id')).as('signed'),
      (postgres
        ? sql<StoredReference[]>`(SELECT coalesce(json_agg(json_build_object('nik', r.nik, 'source', r.source, 'fields', r.fields, 'retrieved_at', r.retrieved_at)), '[]'::json)
            FROM reference_records r WHERE r.nik = (applications.applicant::json ->> 'nik'))`
        : sql<StoredReference[] | null>`NULL`
      ).as('references_json'),
      (bookedAlong ? sql<boolean>`EXISTS (SELECT 1 FROM booked)` : sql<boolean>`TRUE`).as('booked'),
    ])
    .where('applications.id', '=', applicationId)
    .where('applications.office_id', '=', user.office_id);
  if (postgres) query = query.forUpdate(['applications']);
  const row = await query.executeTakeFirst();
  // no such file of this office: the caller refuses, which rolls the booking back (the refusal is booked afresh)
  if (!row) return undefined;
  const { claim_user_id, claim_user_name, signed, references_json, booked, ...app } = row;
  return {
    app,
    claim: claim_user_id !== null && claim_user_name !== null ? { user_id: claim_user_id, user_name: claim_user_name } : null,
    signed: Boolean(signed),
    references: references_json ? references_json.map(referenceFromRow) : undefined,
    seenBefore: bookedAlong ? !booked : seenBefore,
  };
}

type StoredReference = Selectable<ReferenceRecordTable>;
