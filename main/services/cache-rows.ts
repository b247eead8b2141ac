import type { Selectable } from 'kysely';
import type { DocumentMeta } from '../../shared/domain';
import type { CachedDocumentTable } from '../../db/cache-database';

export function documentMetaFromRow(row: Omit<Selectable<CachedDocumentTable>, 'content'>): DocumentMeta {
  return {
    id: row.id,
    applicationId: row.application_id,
    kind: row.kind,
    fileName: row.file_name,
    mimeType: row.mime_type,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
  };
}
