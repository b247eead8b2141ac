/**
 * Where the Kepala Dinas's review stands: which draft is on screen, which he has seen, and his
 * decision on each. Pure, so the keys and the buttons go through the same rules.
 */
export type Decision = 'marked' | 'skipped';

export interface ReviewState {
  ids: string[];
  index: number;
  decisions: Readonly<Record<string, Decision>>;
  /** drafts whose prepared bytes have been on screen, hash checked: id → the SHA-256 shown */
  seen: ReadonlyMap<string, string>;
}

export type ReviewAction =
  | { type: 'go'; index: number }
  | { type: 'step'; by: 1 | -1 }
  /** the current draft's first page is on screen, its bytes hashing to sha256 */
  | { type: 'shown'; id: string; sha256: string }
  /** mark for signing (then on to the next draft), or unmark a marked one */
  | { type: 'mark' }
  /** not to be signed now (then on to the next draft); again to undo */
  | { type: 'skip' }
  /** leaves one draft out of the batch from the list, wherever the review stands */
  | { type: 'leaveOut'; id: string };

export function startReview(ids: string[], decisions: Record<string, Decision> = {}, index = 0): ReviewState {
  return { ids, index: Math.max(0, Math.min(index, ids.length - 1)), decisions, seen: new Map() };
}

export function currentId(state: ReviewState): string | undefined {
  return state.ids[state.index];
}

function moved(state: ReviewState, by: number): ReviewState {
  const index = Math.max(0, Math.min(state.ids.length - 1, state.index + by));
  return index === state.index ? state : { ...state, index };
}

function decided(state: ReviewState, id: string, decision: Decision | null): ReviewState {
  const decisions = { ...state.decisions };
  if (decision) decisions[id] = decision;
  else delete decisions[id];
  return { ...state, decisions };
}

/** A draft is marked only once he has seen it: nothing is signed that was not on his screen. */
export function canMark(state: ReviewState): boolean {
  const id = currentId(state);
  return id !== undefined && (state.seen.has(id) || state.decisions[id] === 'marked');
}

export function reviewReducer(state: ReviewState, action: ReviewAction): ReviewState {
  const id = currentId(state);
  switch (action.type) {
    case 'go':
      return moved(state, action.index - state.index);
    case 'step':
      return moved(state, action.by);
    case 'shown':
      if (state.seen.get(action.id) === action.sha256) return state;
      // other bytes than those marked: the mark was for what he saw before, so it goes
      return { ...(state.seen.has(action.id) && state.decisions[action.id] === 'marked' ? decided(state, action.id, null) : state), seen: new Map([...state.seen, [action.id, action.sha256]]) };
    case 'mark':
      if (id === undefined || !canMark(state)) return state;
      return state.decisions[id] === 'marked' ? decided(state, id, null) : moved(decided(state, id, 'marked'), 1);
    case 'skip':
      if (id === undefined) return state;
      return state.decisions[id] === 'skipped' ? decided(state, id, null) : moved(decided(state, id, 'skipped'), 1);
    case 'leaveOut':
      return decided(state, action.id, 'skipped');
  }
}

export interface ReviewCounts {
  marked: number;
  skipped: number;
  unseen: number;
}

export function reviewCounts(state: ReviewState): ReviewCounts {
  let marked = 0;
  let skipped = 0;
  let unseen = 0;
  for (const id of state.ids) {
    if (state.decisions[id] === 'marked') marked += 1;
    else if (state.decisions[id] === 'skipped') skipped += 1;
    if (!state.seen.has(id)) unseen += 1;
  }
  return { marked, skipped, unseen };
}

export function markedIds(state: ReviewState): string[] {
  return state.ids.filter((id) => state.decisions[id] === 'marked');
}

/** For each marked draft, the SHA-256 of the bytes he saw: the batch signs those bytes or nothing. */
export function reviewedSha256(state: ReviewState): Record<string, string> {
  return Object.fromEntries(markedIds(state).flatMap((id) => (state.seen.has(id) ? [[id, state.seen.get(id)!]] : [])));
}
