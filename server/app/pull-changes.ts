import type { Kysely } from 'kysely';
import { documentMetaFromRow } from '../../shared/domain';
import type { PullResponse, PulledApplication } from '../../shared/sync-protocol';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { visibleApplicationIds } from './access-scope';
import {
  applicationFromRow,
  eventFromRow,
  loadOffice,
  loadPermitTypes,
  loadWorkflows,
  referenceFromRow,
} from './server-records';

/**
 * Everything of the official's own office that changed after `since` and that they may see, in
 * change order, one page at a time (need-to-know, UU 27/2022 PDP): a changed file of their
 * office outside their scope is named in `removed`, with no personal data, so the desk deletes
 * what it may no longer keep. Another office's files, workflows and permit types never appear,
 * not even by id; the office payload is the official's own office.
 */
export async function pullChanges(db: Kysely<ServerDatabase>, user: UserTable, since: number, limit: number): Promise<PullResponse> {
  const rows = await db
    .selectFrom('applications')
    .selectAll()
    .where('office_id', '=', user.office_id)
    .where('change_seq', '>', since)
    .orderBy('change_seq')
    .limit(limit + 1)
    .execute();
  const changed = rows.slice(0, limit);
  const visible = await visibleApplicationIds(db, user, changed);
  const page = changed.filter((r) => visible.has(r.id));
  const removed = changed.filter((r) => !visible.has(r.id)).map((r) => r.id);
  const ids = page.map((r) => r.id);
  const niks = [...new Set(page.map((r) => (JSON.parse(r.applicant) as { nik: string }).nik))];
  const claims = ids.length ? await db.selectFrom('claims').selectAll().where('application_id', 'in', ids).execute() : [];
  const issued = ids.length
    ? await db.selectFrom('issued_permits').select(['application_id', 'sha256', 'issued_at', 'signer_name', 'pades_level']).where('application_id', 'in', ids).execute()
    : [];
  const prepared = ids.length
    ? await db.selectFrom('prepared_permits').select(['application_id', 'sha256', 'certificate_sha256', 'prepared_at']).where('application_id', 'in', ids).execute()
    : [];
  const voided = ids.length
    ? await db.selectFrom('permit_numbers').select('application_id').where('application_id', 'in', ids).where('voided_at', 'is not', null).execute()
    : [];
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

  const applications: PulledApplication[] = page.map((row) => {
    const claim = claims.find((c) => c.application_id === row.id);
    const signed = issued.find((i) => i.application_id === row.id);
    const preparedPermit = prepared.find((p) => p.application_id === row.id);
    const application = {
      ...applicationFromRow(row),
      claimedBy: claim ? { userId: claim.user_id, name: claim.user_name, at: claim.claimed_at } : null,
      signedPermit: signed ? { sha256: signed.sha256, issuedAt: signed.issued_at, signerName: signed.signer_name, padesLevel: signed.pades_level } : null,
      permitNumberVoided: voided.some((v) => v.application_id === row.id),
      // the hash the desk checks the prepared permit's bytes against (GET …/prepared-permit)
      preparedPermit: preparedPermit ? { sha256: preparedPermit.sha256, certificateSha256: preparedPermit.certificate_sha256, preparedAt: preparedPermit.prepared_at } : null,
    };
    return {
      application,
      documents: documents.filter((d) => d.application_id === row.id).map(documentMetaFromRow),
      events: events.filter((e) => e.application_id === row.id).map(eventFromRow),
      references: references.filter((r) => r.nik === application.applicant.nik).map(referenceFromRow),
      changeSeq: row.change_seq,
    };
  });

  return {
    cursor: changed.length ? changed[changed.length - 1]!.change_seq : since,
    hasMore: rows.length > limit,
    removed,
    office: await loadOffice(db, user.office_id),
    permitTypes: await loadPermitTypes(db, user.office_id),
    workflows: await loadWorkflows(db, user.office_id),
    applications,
  };
}
