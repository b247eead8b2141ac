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
  /** the certificate the server prepared it for (its name, path and CA are in the bytes); null when none was registered */
  certificateSha256: string | null;
}

interface Recorded {
  sha256: string;
  permitNumber: string;
  certificateSha256: string | null;
}

/**
 * The final permits as the server prepared them, kept on the desk once fetched: one file per
 * application with its SHA-256 beside it. What is stored here is what the reviewer sees and
 * what the batch signs: a file whose bytes no longer hash to what was recorded is refused,
 * never fetched again or re-rendered behind the signer's back.
 */
export class PreparedPermitStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Where the prepared PDF of a file is kept (whether or not it is there, and whatever it holds). */
  pdfPath(applicationId: string): string {
    return this.paths(applicationId).pdf;
  }

  private paths(applicationId: string): { pdf: string; meta: string } {
    const safe = applicationId.replace(/[^A-Za-z0-9._-]/g, '_');
    return { pdf: join(this.dir, `${safe}.pdf`), meta: join(this.dir, `${safe}.json`) };
  }

  /**
   * The stored prepared permit whose hash is `sha256` (the one pulled from the server); null when
   * none is stored or the stored one is an earlier preparation. Throws when the stored bytes
   * changed since they were fetched.
   */
  async read(applicationId: string, sha256: string): Promise<PreparedPermit | null> {
    const { pdf, meta } = this.paths(applicationId);
    let recorded: Recorded;
    try {
      recorded = JSON.parse(await readFile(meta, 'utf8')) as Recorded;
    } catch {
      return null;
    }
    if (recorded.sha256 !== sha256) return null;
    let bytes: Buffer;
    try {
      bytes = await readFile(pdf);
    } catch {
      return null;
    }
    if (createHash('sha256').update(bytes).digest('hex') !== recorded.sha256) {
      throw new AppFailure('PREPARED_PERMIT_CHANGED', `the prepared permit of ${applicationId} changed on this desk since it was fetched`);
    }
    return { bytes, sha256, permitNumber: recorded.permitNumber, certificateSha256: recorded.certificateSha256 ?? null };
  }

  /** Keeps a prepared permit: the PDF first, then its hash, so a hash never names a missing file. */
  async write(applicationId: string, permitNumber: string, bytes: Uint8Array, certificateSha256: string | null): Promise<PreparedPermit> {
    const { pdf, meta } = this.paths(applicationId);
    const buffer = Buffer.from(bytes);
    const sha256 = createHash('sha256').update(buffer).digest('hex');
    await writeFileAtomic(pdf, buffer);
    await writeFileAtomic(meta, Buffer.from(JSON.stringify({ sha256, permitNumber, certificateSha256 } satisfies Recorded)));
    return { bytes: buffer, sha256, permitNumber, certificateSha256 };
  }

  async remove(applicationId: string): Promise<void> {
    const { pdf, meta } = this.paths(applicationId);
    await rm(meta, { force: true });
    await rm(pdf, { force: true });
  }
}
