import { createHash } from 'node:crypto';
import { AppFailure } from '../../../shared/result';
import { BYTE_RANGE_PLACEHOLDER, SIGNATURE_CONTENTS_BYTES } from '../../../shared/node/permit-pdf/signature-placeholder';
import { SIGNING_TIME_SLOT_KEY, signingTimeText } from '../../../shared/node/permit-pdf/signing-time-slot';

const BYTE_RANGE_KEY = Buffer.from('/ByteRange');
/** the placeholder /ByteRange the server leaves, as written: also checked by the signing workers (signing-worker-pool.ts) */
export const BYTE_RANGE_PLACEHOLDERS = new RegExp(`^/ByteRange\\s*\\[\\s*0\\s+(?:/${BYTE_RANGE_PLACEHOLDER.replace(/\*/g, '\\*')}\\s*){3}\\]`);
export const CONTENTS_KEY = Buffer.from(`/Contents <${'0'.repeat(64)}`);
/** the /M slot a prepared permit leaves for the signing time (signature-placeholder.ts): also filled by the signing workers */
export const SIGNING_TIME_KEY = Buffer.from(SIGNING_TIME_SLOT_KEY, 'latin1');
export const CONTENTS_HEX_LENGTH = SIGNATURE_CONTENTS_BYTES * 2;
const EMPTY_CONTENTS = Buffer.alloc(CONTENTS_HEX_LENGTH, '0');

function indexOfOnly(pdf: Buffer, needle: Buffer): number {
  const first = pdf.indexOf(needle);
  return first >= 0 && pdf.indexOf(needle, first + 1) < 0 ? first : -1;
}

/** A prepared permit with its real /ByteRange written: the signed ranges are everything but [start, end). */
export interface OpenSignature {
  pdf: Buffer;
  /** offset of /Contents' '<' */
  start: number;
  /** offset just after /Contents' '>' */
  end: number;
}

/**
 * Writes the real /ByteRange, and the signing time into the /M slot (when the permit has one),
 * into a copy of a prepared PDF's single empty signature. Lengths never change, so every offset
 * in the file's cross-reference table stays right.
 */
export function openPreparedSignature(prepared: Uint8Array, signedAt: Date | null = new Date()): OpenSignature {
  const pdf = Buffer.from(prepared);
  const slotAt = indexOfOnly(pdf, SIGNING_TIME_KEY);
  // null: the slot is left as it is, claiming no time (as a desk from before the slot signed)
  if (slotAt >= 0 && signedAt) pdf.write(signingTimeText(signedAt), slotAt + '/M ('.length, 'latin1');
  const rangeAt = indexOfOnly(pdf, BYTE_RANGE_KEY);
  const contentsAt = indexOfOnly(pdf, CONTENTS_KEY);
  const placeholder = rangeAt >= 0 ? BYTE_RANGE_PLACEHOLDERS.exec(pdf.toString('latin1', rangeAt, rangeAt + 80))?.[0] : undefined;
  const start = contentsAt + '/Contents '.length;
  const end = start + CONTENTS_HEX_LENGTH + 2;
  const emptyContents = contentsAt >= 0 && pdf[end - 1] === 0x3e && EMPTY_CONTENTS.compare(pdf, start + 1, end - 1) === 0;
  if (!placeholder || !emptyContents) throw new AppFailure('PDF_NOT_PREPARED', 'the permit PDF has no single empty signature to fill');
  const byteRange = `/ByteRange [0 ${start} ${end} ${pdf.length - end}]`;
  if (byteRange.length > placeholder.length) throw new AppFailure('PDF_NOT_PREPARED', 'byte range does not fit its placeholder');
  pdf.write(byteRange.padEnd(placeholder.length, ' '), rangeAt, 'latin1');
  return { pdf, start, end };
}

/** Puts a CMS into the opened signature's /Contents, in place. */
export function fillSignatureContents({ pdf, start }: OpenSignature, cms: Buffer): Buffer {
  const signature = cms.toString('hex');
  if (signature.length > CONTENTS_HEX_LENGTH) throw new AppFailure('PDF_NOT_PREPARED', 'the signature is larger than the space reserved for it');
  pdf.write(signature, start + 1, 'latin1');
  return pdf;
}

/**
 * Fills a prepared PDF's empty signature: writes the real /ByteRange, hashes everything but
 * /Contents, and puts the CMS the callback returns into /Contents. Works on the bytes directly:
 * a permit is signed in about the time of one RSA operation.
 */
export async function signPreparedPdf(prepared: Uint8Array, cms: (digest: Buffer) => Promise<Buffer>, signedAt: Date | null = new Date()): Promise<Buffer> {
  const open = openPreparedSignature(prepared, signedAt);
  const { pdf, start, end } = open;
  const digest = createHash('sha256').update(pdf.subarray(0, start)).update(pdf.subarray(end)).digest();
  return fillSignatureContents(open, await cms(digest));
}
