/** The first 12 hex digits of a SHA-256: enough to tell two files apart at a glance and to read aloud. */
export function shortHash(sha256: string): string {
  return sha256.slice(0, 12);
}
