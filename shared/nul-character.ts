/**
 * Whether a parsed JSON value holds a NUL character (U+0000) in any string or key. Databases
 * refuse it in text (PostgreSQL) or keep it where no reader expects one, and no official types
 * one: the server and the desk refuse such input whole.
 */
export function holdsNulCharacter(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object' || depth > 64) return false;
  if (Array.isArray(value)) return value.some((item) => holdsNulCharacter(item, depth + 1));
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000') || holdsNulCharacter(item, depth + 1)) return true;
  }
  return false;
}
