/**
 * The /M of a permit prepared before anyone signs it: a date of the right length (PDF's
 * D:YYYYMMDDHHmmSSZ, UTC) that the signer overwrites in place with the signing time, so the
 * file keeps its length and offsets. Written as `/M (D:19700101000000Z)`, once.
 */
export const SIGNING_TIME_SLOT = 'D:19700101000000Z';
export const SIGNING_TIME_SLOT_KEY = `/M (${SIGNING_TIME_SLOT})`;

/** A signing time as the slot holds it: D:YYYYMMDDHHmmSSZ in UTC, always 17 characters (years 1000–9999). */
export function signingTimeText(at: Date): string {
  return `D:${at.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}
