import type { Kysely } from 'kysely';
import type { FileContent } from '../../shared/contract';
import { AppFailure } from '../../shared/result';
import type { CacheDatabase } from '../../db/cache-database';
import { renderPermitPdf } from '../../shared/node/permit-pdf/permit-layout';
import { readApplication, readOffice, readPermitTypes } from './cache-reads';
import type { SessionService } from './session-service';
import type { PreparedPermit } from './signing/prepared-permit-store';

/**
 * The SK Izin as the file stands. Before the chain's numbering step: a draft rendered on the
 * desk, marked unnumbered (only the server numbers, and only at that step; opening a file never
 * reserves a number). From that step on: the final permit exactly as the server prepared it,
 * checked against the SHA-256 pulled with the file, so a paraf initials the very bytes the
 * Kepala Dinas will sign.
 */
export class DraftPermitService {
  constructor(
    private readonly db: Kysely<CacheDatabase>,
    private readonly session: SessionService,
    /** the server's prepared permit, fetched once and hash-checked (SigningBatchService.prepare) */
    private readonly prepared: (applicationId: string) => Promise<PreparedPermit>,
  ) {}

  async get(applicationId: string): Promise<FileContent & { permitNumber: string | null }> {
    this.session.requireUser();
    const { application } = await readApplication(this.db, applicationId);
    if (application.preparedPermit && application.permitNumber) {
      const permit = await this.prepared(applicationId);
      return { fileName: `izin-${application.registrationNumber}.pdf`, mimeType: 'application/pdf', base64: permit.bytes.toString('base64'), permitNumber: permit.permitNumber };
    }
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
