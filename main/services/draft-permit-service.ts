import type { Kysely } from 'kysely';
import type { FileContent } from '../../shared/contract';
import { AppFailure } from '../../shared/result';
import type { CacheDatabase } from '../../db/cache-database';
import { readApplication, readOffice, readPermitTypes } from './cache-reads';
import { renderPermitPdf } from './permit-pdf-layout';
import type { ServerClient } from './server-client';
import type { SessionService } from './session-service';

/**
 * The draft SK Izin the koordinator verifies. Its number comes from the server (only the
 * server hands numbers out); without a connection the draft still renders, marked unnumbered.
 */
export class DraftPermitService {
  constructor(
    private readonly db: Kysely<CacheDatabase>,
    private readonly session: SessionService,
    private readonly client: ServerClient,
  ) {}

  async get(applicationId: string): Promise<FileContent & { permitNumber: string | null }> {
    this.session.requireUser();
    const { row, application } = await readApplication(this.db, applicationId);
    const permitType = (await readPermitTypes(this.db)).get(application.permitTypeId);
    const office = await readOffice(this.db);
    if (!permitType || !office) throw new AppFailure('INTERNAL', 'permit type or office missing from cache');

    let { permitNumber, verificationId } = application;
    if (!permitNumber) {
      try {
        const reserved = await this.client.reserveNumber(application.id);
        ({ permitNumber, verificationId } = reserved);
        const stored = JSON.parse(row.data) as Record<string, unknown>;
        await this.db
          .updateTable('applications')
          .set({ data: JSON.stringify({ ...stored, permitNumber, verificationId }) })
          .where('id', '=', application.id)
          .execute();
      } catch (error) {
        if (!(error instanceof AppFailure) || !['SERVER_UNREACHABLE', 'SERVER_ERROR', 'SESSION_EXPIRED'].includes(error.code)) throw error;
      }
    }
    const verificationUrl = verificationId ? `${office.verificationBaseUrl}/verifikasi/${verificationId}` : null;
    const bytes = await renderPermitPdf({ office, permitType, application, permitNumber, verificationUrl, draft: true });
    return {
      fileName: `draf-${application.registrationNumber}.pdf`,
      mimeType: 'application/pdf',
      base64: Buffer.from(bytes).toString('base64'),
      permitNumber,
    };
  }
}
