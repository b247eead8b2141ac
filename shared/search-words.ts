/**
 * A search box's text as the words the desk looks for: runs of letters and digits, lower case.
 * Punctuation only ("-", "*", a quote) gives no words: the desk treats it as no search and says
 * so, instead of answering with the whole queue as if it had matched. Used by main (the query)
 * and the renderer (the message), so both agree on what counts as a search.
 */
export function searchWords(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Where each word occurs in `value` (any case), as [start, end) ranges merged in order: the parts to highlight. */
export function matchedRanges(value: string, words: readonly string[]): Array<[number, number]> {
  const lower = value.toLowerCase();
  // lower-casing can change a string's length (rare letters); then no highlight rather than a misplaced one
  if (lower.length !== value.length) return [];
  const ranges: Array<[number, number]> = [];
  for (const word of words) {
    if (!word) continue;
    for (let at = lower.indexOf(word); at !== -1; at = lower.indexOf(word, at + 1)) ranges.push([at, at + word.length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}
