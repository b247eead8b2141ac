import type { Kysely } from 'kysely';
import { documentMetaFromRow } from '../../shared/domain';
import type { PullResponse, PulledApplication } from '../../shared/sync-protocol';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { visibleApplicationIds } from './access-scope';
import { applicationFromRow, eventFromRow, referenceFromRow } from './server-records';
import { officeDefinitions } from './definitions-cache';
import { pullableChangeSeq } from './change-sequence';
import { engineOf } from '../db/server-engine';

/**
 * Everything of the official's own office that changed after `since` and that they may see, in
 * change order, one page at a time (need-to-know, UU 27/2022 PDP): a changed file of their
 * office outside their scope is named in `removed`, with no personal data, so the desk deletes
 * what it may no longer keep. Another office's files, workflows and permit types never appear,
 * not even by id; the office payload is the official's own office.
 */
export async function pullChanges(db: Kysely<ServerDatabase>, user: UserTable, since: number, limit: number): Promise<PullResponse> {
  if (engineOf(db) === 'postgres') return readChanges(db, user, since, limit);
  // SQLite's one connection serves every request in turn: the page's reads take it once, instead
  // of queueing behind every other request once per read
  return db.transaction().execute((trx) => readChanges(trx, user, since, limit));
}

async function readChanges(db: Kysely<ServerDatabase>, user: UserTable, since: number, limit: number): Promise<PullResponse> {
  // PostgreSQL: only up to the value below which every change has committed (change-sequence.ts)
  const [upTo, definitions] = await Promise.all([pullableChangeSeq(db), officeDefinitions(db, user.office_id)]);
  // the file's one-to-one companions (claim, signed and prepared permit, voided number) come with it: one query
  const rows = await db
    .selectFrom('applications')
    .leftJoin('claims', 'claims.application_id', 'applications.id')
    .leftJoin('issued_permits', 'issued_permits.application_id', 'applications.id')
    .leftJoin('prepared_permits', 'prepared_permits.application_id', 'applications.id')
    .leftJoin('permit_numbers', 'permit_numbers.application_id', 'applications.id')
    .selectAll('applications')
    .select([
      'claims.user_id as claim_user_id',
      'claims.user_name as claim_user_name',
      'claims.claimed_at as claimed_at',
      'issued_permits.sha256 as issued_sha256',
      'issued_permits.issued_at as issued_at',
      'issued_permits.signer_name as signer_name',
      'issued_permits.pades_level as pades_level',
      'prepared_permits.sha256 as prepared_sha256',
      'prepared_permits.certificate_sha256 as prepared_certificate_sha256',
      'prepared_permits.prepared_at as prepared_at',
      'permit_numbers.voided_at as number_voided_at',
    ])
    .where('applications.office_id', '=', user.office_id)
    .where('applications.change_seq', '>', since)
    .where('applications.change_seq', '<=', upTo)
    .orderBy('applications.change_seq')
    .limit(limit + 1)
    .execute();
  const changed = rows.slice(0, limit);
  const visible = await visibleApplicationIds(db, user, changed, definitions.workflows);
  const page = changed.filter((r) => visible.has(r.id)).map((row) => ({ row, application: applicationFromRow(row) }));
  const removed = changed.filter((r) => !visible.has(r.id)).map((r) => r.id);
  const ids = page.map((p) => p.application.id);
  const niks = [...new Set(page.map((p) => p.application.applicant.nik))];
  // independent reads: on PostgreSQL they run side by side on the pool's connections
  const [documents, events, references] = ids.length
    ? await Promise.all([
        db
          .selectFrom('documents')
          .select(['id', 'application_id', 'kind', 'file_name', 'mime_type', 'size_bytes', 'sha256'])
          .where('application_id', 'in', ids)
          .orderBy('id')
          .execute(),
        db.selectFrom('events').selectAll().where('application_id', 'in', ids).orderBy('seq').execute(),
        db.selectFrom('reference_records').selectAll().where('nik', 'in', niks).execute(),
      ])
    : [[], [], []];
  const documentsOf = groupBy(documents, (d) => d.application_id);
  const eventsOf = groupBy(events, (e) => e.application_id);
  const referencesOf = groupBy(references, (r) => r.nik);

  const applications: PulledApplication[] = page.map(({ row, application: base }) => {
    const application = {
      ...base,
      claimedBy: row.claim_user_id !== null ? { userId: row.claim_user_id, name: row.claim_user_name!, at: row.claimed_at! } : null,
      signedPermit: row.issued_sha256 !== null ? { sha256: row.issued_sha256, issuedAt: row.issued_at!, signerName: row.signer_name!, padesLevel: row.pades_level } : null,
      permitNumberVoided: row.number_voided_at !== null,
      // the hash the desk checks the prepared permit's bytes against (GET …/prepared-permit)
      preparedPermit:
        row.prepared_sha256 !== null ? { sha256: row.prepared_sha256, certificateSha256: row.prepared_certificate_sha256, preparedAt: row.prepared_at! } : null,
    };
    return {
      application,
      documents: (documentsOf.get(row.id) ?? []).map(documentMetaFromRow),
      events: (eventsOf.get(row.id) ?? []).map(eventFromRow),
      references: (referencesOf.get(application.applicant.nik) ?? []).map(referenceFromRow),
      changeSeq: row.change_seq,
    };
  });

  return {
    cursor: changed.length ? changed[changed.length - 1]!.change_seq : since,
    hasMore: rows.length > limit,
    removed,
    office: definitions.office,
    permitTypes: definitions.permitTypes,
    workflows: definitions.workflows,
    applications,
  };
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
