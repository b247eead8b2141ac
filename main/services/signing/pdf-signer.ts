import { createHash } from 'node:crypto';
import { AppFailure } from '../../../shared/result';
import { BYTE_RANGE_PLACEHOLDER, SIGNATURE_CONTENTS_BYTES } from './pdf-signature-placeholder';

const BYTE_RANGE_PATTERN = new RegExp(`/ByteRange\\s*\\[\\s*0\\s+(?:/${BYTE_RANGE_PLACEHOLDER.replace(/\*/g, '\\*')}\\s*){3}\\]`, 'g');
const CONTENTS_PLACEHOLDER = `/Contents <${'0'.repeat(SIGNATURE_CONTENTS_BYTES * 2)}>`;

/**
 * Fills a prepared PDF's empty signature: writes the real /ByteRange, hashes everything but
 * /Contents, and puts the CMS the callback returns into /Contents. Lengths never change, so
 * every offset in the file's cross-reference table stays right.
 */
export async function signPreparedPdf(prepared: Uint8Array, cms: (digest: Buffer) => Promise<Buffer>): Promise<Buffer> {
  const pdf = Buffer.from(prepared);
  const text = pdf.toString('latin1');
  const ranges = [...text.matchAll(BYTE_RANGE_PATTERN)];
  const contentsAt = text.indexOf(CONTENTS_PLACEHOLDER);
  if (ranges.length !== 1 || contentsAt < 0 || text.indexOf(CONTENTS_PLACEHOLDER, contentsAt + 1) >= 0) {
    throw new AppFailure('PDF_NOT_PREPARED', 'the permit PDF has no single empty signature to fill');
  }
  const start = contentsAt + '/Contents '.length;
  const end = start + SIGNATURE_CONTENTS_BYTES * 2 + 2;
  const placeholder = ranges[0]![0];
  const byteRange = `/ByteRange [0 ${start} ${end} ${pdf.length - end}]`;
  if (byteRange.length > placeholder.length) throw new AppFailure('PDF_NOT_PREPARED', 'byte range does not fit its placeholder');
  pdf.write(byteRange.padEnd(placeholder.length, ' '), ranges[0]!.index!, 'latin1');

  const digest = createHash('sha256').update(pdf.subarray(0, start)).update(pdf.subarray(end)).digest();
  const signature = (await cms(digest)).toString('hex');
  if (signature.length > SIGNATURE_CONTENTS_BYTES * 2) throw new AppFailure('PDF_NOT_PREPARED', 'the signature is larger than the space reserved for it');
  pdf.write(signature, start + 1, 'latin1');
  return pdf;
}
