import { SIGNATURE_CONTENTS_BYTES } from './signature-placeholder';
import { SIGNING_TIME_SLOT, SIGNING_TIME_SLOT_KEY, signingTimeText } from './signing-time-slot';

/** Byte spans [start, end) of a prepared permit that signing fills in: the /ByteRange array, the /Contents hole and the /M date. */
export interface SignatureHoles {
  byteRange: [number, number];
  contents: [number, number];
  /** the date inside /M's parentheses; null in a permit prepared before it had the slot */
  signingTime: [number, number] | null;
}

const SLOT_KEY = Buffer.from(SIGNING_TIME_SLOT_KEY, 'latin1');
const FILLED_SIGNING_TIME = /^D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;

/** What a signer may leave in the /M slot: a real time in the slot's own form (as signingTimeText writes it), or the slot untouched. */
function isSigningTimeText(text: string): boolean {
  if (text === SIGNING_TIME_SLOT) return true;
  const m = FILLED_SIGNING_TIME.exec(text);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return signingTimeText(new Date(Date.UTC(y, mo - 1, d, h, mi, s))) === text;
}

const BYTE_RANGE_KEY = Buffer.from('/ByteRange');
const CONTENTS_KEY = Buffer.from(`/Contents <${'0'.repeat(64)}`);

function indexOfOnly(pdf: Buffer, needle: Buffer): number {
  const first = pdf.indexOf(needle);
  return first >= 0 && pdf.indexOf(needle, first + 1) < 0 ? first : -1;
}

/** Where a prepared permit's single empty signature is to be filled in; null when it has none. */
export function signatureHoles(prepared: Buffer): SignatureHoles | null {
  const rangeAt = indexOfOnly(prepared, BYTE_RANGE_KEY);
  const contentsAt = indexOfOnly(prepared, CONTENTS_KEY);
  if (rangeAt < 0 || contentsAt < 0) return null;
  const rangeEnd = prepared.indexOf(']', rangeAt);
  if (rangeEnd < 0 || rangeEnd - rangeAt > 120) return null;
  const start = contentsAt + '/Contents '.length;
  const end = start + SIGNATURE_CONTENTS_BYTES * 2 + 2;
  if (prepared[end - 1] !== 0x3e) return null;
  const slotAt = prepared.indexOf(SLOT_KEY);
  if (slotAt >= 0 && prepared.indexOf(SLOT_KEY, slotAt + 1) >= 0) return null;
  const slotStart = slotAt + '/M ('.length;
  return { byteRange: [rangeAt, rangeEnd + 1], contents: [start, end], signingTime: slotAt >= 0 ? [slotStart, slotStart + SIGNING_TIME_SLOT.length] : null };
}

/**
 * Whether `signed` is `prepared` with only its signature filled in: the same length, and equal
 * byte for byte everywhere but inside the /ByteRange array, the /Contents hole and the /M date. A permit
 * signed this way shows exactly what was prepared (and reviewed, and initialled).
 */
export function isPreparedPermitFilledIn(prepared: Buffer, signed: Buffer): boolean {
  if (prepared.length !== signed.length) return false;
  const holes = signatureHoles(prepared);
  if (!holes) return false;
  // the signing time written in the slot is a date of the slot's form, nothing else
  if (holes.signingTime && !isSigningTimeText(signed.toString('latin1', ...holes.signingTime))) return false;
  const spans = [holes.byteRange, holes.contents, ...(holes.signingTime ? [holes.signingTime] : [])].sort((a, b) => a[0] - b[0]);
  let from = 0;
  for (const [start, end] of spans) {
    if (prepared.compare(signed, from, start, from, start) !== 0) return false;
    from = end;
  }
  return prepared.compare(signed, from, signed.length, from, prepared.length) === 0;
}
