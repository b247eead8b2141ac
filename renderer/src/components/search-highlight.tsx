import { matchedRanges } from '../../../shared/search-words';

/** `text` with the parts a search matched marked, in place (the text itself is never reordered). */
export function SearchHighlight({ text, words }: { text: string; words: readonly string[] }) {
  const ranges = words.length > 0 ? matchedRanges(text, words) : [];
  if (ranges.length === 0) return <>{text}</>;
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) parts.push(text.slice(at, start));
    parts.push(
      <mark key={start} className="search-match">
        {text.slice(start, end)}
      </mark>,
    );
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}
