import type { Kysely } from 'kysely';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { applicationAccess } from './access-scope';
import { forbidden, notFound } from './domain-refusal';
import { readPreparedPermit } from './prepare-permit';

/**
 * Refuses what the official may not see of this file (access-scope.ts): 404 for a file that does
 * not exist or is another office's, 403 for one of their office outside their work.
 */
async function requireVisibleApplication(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string, notFoundMessage = 'application not found'): Promise<void> {
  const access = await applicationAccess(db, user, applicationId);
  if (access === 'not_found') throw notFound(notFoundMessage);
  if (access !== 'visible') throw forbidden('this file is outside your work');
}

/** The issued (signed) permit of a file the official may see. */
export async function readIssuedPermitFor(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string): Promise<{ pdf: Buffer; sha256: string }> {
  await requireVisibleApplication(db, user, applicationId);
  const row = await db.selectFrom('issued_permits').select(['pdf', 'sha256']).where('application_id', '=', applicationId).executeTakeFirst();
  if (!row) throw notFound('no issued permit for this application');
  return row;
}

/**
 * The final permit of a file as the server prepared it (the bytes the desk shows, the paraf
 * initials and the Kepala Dinas signs), for an official who may see the file.
 */
export async function readPreparedPermitFor(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string): Promise<{ pdf: Buffer; sha256: string; certificateSha256: string | null }> {
  await requireVisibleApplication(db, user, applicationId);
  const prepared = await readPreparedPermit(db, applicationId);
  if (!prepared) throw notFound('no permit has been prepared for this application', 'not_prepared');
  return { pdf: prepared.pdf, sha256: prepared.sha256, certificateSha256: prepared.certificate_sha256 };
}

/** An applicant's document, for an official who may see its file; an unknown one answers as another office's. */
export async function readApplicationDocument(
  db: Kysely<ServerDatabase>,
  user: UserTable,
  documentId: string,
): Promise<{ content: Buffer; mimeType: string; fileName: string; sha256: string }> {
  const doc = await db.selectFrom('documents').select(['application_id', 'content', 'mime_type', 'file_name', 'sha256']).where('id', '=', documentId).executeTakeFirst();
  if (!doc) throw notFound('document not found');
  await requireVisibleApplication(db, user, doc.application_id, 'document not found');
  return { content: doc.content, mimeType: doc.mime_type, fileName: doc.file_name, sha256: doc.sha256 };
}
