import { sql, type Kysely } from 'kysely';
import { documentMetaFromRow } from '../../shared/domain';
import type { PullResponse, PulledApplication } from '../../shared/sync-protocol';
import type { Office } from '../../shared/office';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { visibleApplicationIds } from './access-scope';
import { applicationFromRow, eventFromRow, referenceFromRow } from './server-records';
import { officeDefinitions } from './definitions-cache';
import { pullableChangeSeq } from './change-sequence';
import { engineOf } from '../db/server-engine';
import type { PulledFileCache } from './pulled-file-cache';

/**
 * Everything of the official's own office that changed after `since` and that they may see, in
 * change order, one page at a time (need-to-know, UU 27/2022 PDP): a changed file of their
 * office outside their scope is named in `removed`, with no personal data, so the desk deletes
 * what it may no longer keep. Another office's files, workflows and permit types never appear,
 * not even by id; the office payload is the official's own office.
 *
 * Answers the PullResponse already serialised: the files in it are read and serialised once per
 * change for all desks (pulled-file-cache.ts), and the answer is put together from those pieces.
 */
export async function pullChanges(db: Kysely<ServerDatabase>, user: UserTable, since: number, limit: number, pulledFiles: PulledFileCache): Promise<string> {
  if (engineOf(db) === 'postgres') return readChanges(db, user, since, limit, pulledFiles);
  // SQLite's one connection serves every request in turn: the page's reads take it once, instead
  // of queueing behind every other request once per read
  return db.transaction().execute((trx) => readChanges(trx, user, since, limit, pulledFiles));
}

async function readChanges(db: Kysely<ServerDatabase>, user: UserTable, since: number, limit: number, pulledFiles: PulledFileCache): Promise<string> {
  // PostgreSQL: only up to the value below which every change has committed (change-sequence.ts);
  // the definitions read now, not with the request's sign-in check: a file on a workflow added
  // meanwhile would be judged invisible, and the cursor would pass it
  const [upTo, definitions] = await Promise.all([pullableChangeSeq(db), officeDefinitions(db, user.office_id)]);
  const rows = await changedFiles(db, user.office_id, since, upTo, limit);
  const changed = rows.slice(0, limit);
  const visible = await visibleApplicationIds(db, user, changed, definitions.workflows);
  const page = changed.filter((r) => visible.has(r.id));
  const removed = changed.filter((r) => !visible.has(r.id)).map((r) => r.id);
  const held = page.map((row) => pulledFiles.get(row.id, row.change_seq));
  const read = new Map((await readPulledFiles(db, page.filter((_, i) => held[i] === undefined))).map((file) => [file.application.id, file]));
  const serialiseRead = (row: ChangedRow): string | undefined => {
    const file = read.get(row.id);
    if (!file) return undefined;
    const serialised = JSON.stringify(file);
    pulledFiles.set(row.id, row.change_seq, serialised);
    return serialised;
  };
  const files: string[] = [];
  for (const [i, row] of page.entries()) {
    const json = held[i] ?? serialiseRead(row);
    // none: changed again since the page was read (PostgreSQL reads them in two statements); that
    // later change is above this pull's watermark, so the next pull brings the file and judges it
    if (json !== undefined) files.push(json);
  }
  const head: Omit<PullResponse, 'applications' | 'office' | 'permitTypes' | 'workflows'> = {
    cursor: changed.length ? changed[changed.length - 1]!.change_seq : since,
    hasMore: rows.length > limit,
    removed,
  };
  // the cursor first: a desk (and bench:server) can read it before the rest
  return `${JSON.stringify(head).slice(0, -1)},${definitionsJson(definitions)},"applications":[${files.join(',')}]}`;
}

type ChangedRow = Awaited<ReturnType<typeof changedFiles>>[number];

/**
 * The files of the office changed after `since` up to `upTo`, in change order: only what judging
 * the page needs. Most of a page is already held serialised (pulled-file-cache.ts): the files
 * themselves are read only for those that are not (readPulledFiles).
 */
function changedFiles(db: Kysely<ServerDatabase>, officeId: string, since: number, upTo: number, limit: number) {
  return db
    .selectFrom('applications')
    .select(['id', 'stage', 'office_id', 'change_seq'])
    .where('office_id', '=', officeId)
    .where('change_seq', '>', since)
    .where('change_seq', '<=', upTo)
    .orderBy('change_seq')
    .limit(limit + 1)
    .execute();
}

/** These files with their one-to-one companions (claim, signed and prepared permit, voided number): one query. */
function fullFiles(db: Kysely<ServerDatabase>, rows: ChangedRow[]) {
  const ids = rows.map((r) => r.id);
  return db
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
    .where((eb) => (engineOf(db) === 'postgres' ? eb('applications.id', '=', sql<string>`ANY(${ids}::text[])`) : eb('applications.id', 'in', ids)))
    .execute();
}

/**
 * The pulled form of these files, each with its documents' metadata, events and the national
 * records of its applicant; a file whose change value moved since the page was read is left out.
 * Those are read in statements of their own after the file: an event committed in between comes
 * along early, and the file comes again with its own change value.
 */
async function readPulledFiles(db: Kysely<ServerDatabase>, changed: ChangedRow[]): Promise<PulledApplication[]> {
  if (changed.length === 0) return [];
  const pageSeq = new Map(changed.map((r) => [r.id, r.change_seq]));
  const rows = (await fullFiles(db, changed)).filter((row) => row.change_seq === pageSeq.get(row.id));
  if (rows.length === 0) return [];
  const page = rows.map((row) => ({ row, application: applicationFromRow(row) }));
  const ids = page.map((p) => p.application.id);
  const niks = [...new Set(page.map((p) => p.application.applicant.nik))];
  // independent reads: on PostgreSQL they run side by side on the pool's connections
  const [documents, events, references] = await Promise.all([
    db
      .selectFrom('documents')
      .select(['id', 'application_id', 'kind', 'file_name', 'mime_type', 'size_bytes', 'sha256'])
      .where('application_id', 'in', ids)
      .orderBy('id')
      .execute(),
    db.selectFrom('events').selectAll().where('application_id', 'in', ids).orderBy('seq').execute(),
    db.selectFrom('reference_records').selectAll().where('nik', 'in', niks).execute(),
  ]);
  const documentsOf = groupBy(documents, (d) => d.application_id);
  const eventsOf = groupBy(events, (e) => e.application_id);
  const referencesOf = groupBy(references, (r) => r.nik);
  return page.map(({ row, application: base }) => {
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
}

// Keyed by the office object: the definitions cache makes new ones whenever any definition changes.
const definitionsJsonByOffice = new WeakMap<Office, string>();

/** `"office":…,"permitTypes":…,"workflows":…` of the official's office, serialised once per version of its definitions. */
function definitionsJson(definitions: { office: Office; permitTypes: unknown; workflows: unknown }): string {
  let json = definitionsJsonByOffice.get(definitions.office);
  if (json === undefined) {
    const { office, permitTypes, workflows } = definitions;
    json = JSON.stringify({ office, permitTypes, workflows }).slice(1, -1);
    definitionsJsonByOffice.set(definitions.office, json);
  }
  return json;
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
