import type { Kysely } from 'kysely';
import type { FileContent } from '../../shared/contract';
import { AppFailure } from '../../shared/result';
import type { CacheDatabase } from '../../db/cache-database';
import { readApplication, readOffice, readPermitTypes } from './cache-reads';
import { renderPermitPdf } from './permit-pdf-layout';
import type { SessionService } from './session-service';

/**
 * The draft SK Izin as the file stands: its number if the chain's numbering step has given one
 * (only the server numbers, and only at that step; opening a file never reserves a number),
 * otherwise marked unnumbered.
 */
export class DraftPermitService {
  constructor(
    private readonly db: Kysely<CacheDatabase>,
    private readonly session: SessionService,
  ) {}

  async get(applicationId: string): Promise<FileContent & { permitNumber: string | null }> {
    this.session.requireUser();
    const { application } = await readApplication(this.db, applicationId);
    const permitType = (await readPermitTypes(this.db)).get(application.permitTypeId);
    const office = await readOffice(this.db);
    if (!permitType || !office) throw new AppFailure('INTERNAL', 'permit type or office missing from cache');
    const { permitNumber, verificationId } = application;
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
