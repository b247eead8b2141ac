import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppFailure } from '../../../shared/result';
import { writeFileAtomic } from './atomic-write';

export interface PreparedPermit {
  bytes: Buffer;
  sha256: string;
  permitNumber: string;
}

/**
 * The final permits as prepared for signing, one file per application with its SHA-256 and
 * number beside it. What is stored here is what the reviewer sees and what the batch signs: a
 * file whose bytes no longer hash to what was recorded at preparation is refused, never
 * re-rendered behind the signer's back.
 */
export class PreparedPermitStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private paths(applicationId: string): { pdf: string; meta: string } {
    const safe = applicationId.replace(/[^A-Za-z0-9._-]/g, '_');
    return { pdf: join(this.dir, `${safe}.pdf`), meta: join(this.dir, `${safe}.json`) };
  }

  /** The prepared permit, checked against its recorded hash; null when none was prepared (or for another number). */
  async read(applicationId: string, permitNumber: string): Promise<PreparedPermit | null> {
    const { pdf, meta } = this.paths(applicationId);
    let recorded: { sha256: string; permitNumber: string };
    try {
      recorded = JSON.parse(await readFile(meta, 'utf8')) as { sha256: string; permitNumber: string };
    } catch {
      return null;
    }
    if (recorded.permitNumber !== permitNumber) return null;
    let bytes: Buffer;
    try {
      bytes = await readFile(pdf);
    } catch {
      throw new AppFailure('PDF_NOT_PREPARED', `the prepared permit of ${applicationId} is missing`);
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== recorded.sha256) throw new AppFailure('PDF_NOT_PREPARED', `the prepared permit of ${applicationId} changed since it was prepared`);
    return { bytes, sha256, permitNumber };
  }

  /** Records a prepared permit: the PDF first, then its hash, so a hash never names a missing file. */
  async write(applicationId: string, permitNumber: string, bytes: Uint8Array): Promise<PreparedPermit> {
    const { pdf, meta } = this.paths(applicationId);
    const buffer = Buffer.from(bytes);
    const sha256 = createHash('sha256').update(buffer).digest('hex');
    await writeFileAtomic(pdf, buffer);
    await writeFileAtomic(meta, Buffer.from(JSON.stringify({ sha256, permitNumber })));
    return { bytes: buffer, sha256, permitNumber };
  }

  async remove(applicationId: string): Promise<void> {
    const { pdf, meta } = this.paths(applicationId);
    await rm(meta, { force: true });
    await rm(pdf, { force: true });
  }
}
