import type { Kysely } from 'kysely';
import type { VerificationReport } from '../../../shared/contract';
import { AppFailure } from '../../../shared/result';
import type { RevocationSource } from '../../../shared/node/certificate-path';
import { verifyPdfSignature } from '../../../shared/node/pdf-signature-verifier';
import type { CacheDatabase } from '../../../db/cache-database';
import { readOffice } from '../cache-reads';
import type { ServerClient } from '../server-client';

/**
 * "Verifikasi dokumen": a PDF someone brings to the desk, checked on its own (by the verifier
 * the server and `npm run verify` share, against the office's trusted roots) and against the
 * registry.
 */
export class VerificationService {
  constructor(
    private readonly db: Kysely<CacheDatabase>,
    private readonly client: ServerClient,
    private readonly now: () => Date = () => new Date(),
    /** CRL/OCSP lookups; absent, revocation is read only from the PDF's own DSS, else not checked */
    private readonly revocation?: RevocationSource,
  ) {}

  async check(base64: string): Promise<VerificationReport> {
    const pdf = Buffer.from(base64, 'base64');
    const office = await readOffice(this.db);
    const facts = await verifyPdfSignature(pdf, { trustedRootsPem: office?.trustedRootsPem ?? [], timeStampRootsPem: office?.timeStampRootsPem ?? [], now: this.now(), revocation: this.revocation });
    let registry: VerificationReport['registry'] = 'unreachable';
    let permitNumber: string | null = null;
    let holderName: string | null = null;
    try {
      const answer = await this.client.verifyFile(facts.sha256);
      registry = answer.status;
      permitNumber = answer.permitNumber;
      holderName = answer.holderName;
    } catch (error) {
      if (!(error instanceof AppFailure)) throw error;
    }
    return { ...facts, registry, permitNumber, holderName };
  }
}
