/** One span of bytes to write over another of the same length. */
export interface ByteReplacement {
  from: Uint8Array;
  to: Uint8Array;
}

/**
 * A copy of `bytes` with each `from` replaced by its `to`, or null unless every `from` occurs
 * exactly once and has its `to`'s length: a span found twice, or not at all, means the bytes
 * are not the ones the caller expects, and nothing is written.
 */
export function replaceEachOnce(bytes: Uint8Array, replacements: ByteReplacement[]): Uint8Array | null {
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const positions: number[] = [];
  for (const { from, to } of replacements) {
    if (from.length === 0 || from.length !== to.length) return null;
    const at = haystack.indexOf(from);
    if (at < 0 || haystack.indexOf(from, at + 1) >= 0) return null;
    positions.push(at);
  }
  const copy = Uint8Array.from(bytes);
  replacements.forEach(({ to }, i) => copy.set(to, positions[i]!));
  return copy;
}
