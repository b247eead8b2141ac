import { describe, expect, it } from 'vitest';
import { canMark, markedIds, reviewCounts, reviewedSha256, reviewReducer, startReview, type ReviewAction, type ReviewState } from '../../renderer/src/screens/signing-review/review-marks';

const run = (state: ReviewState, ...actions: ReviewAction[]) => actions.reduce(reviewReducer, state);
const hashOf = (id: string) => id.repeat(64).slice(0, 64).replace(/[^0-9a-f]/g, 'e');
const shown = (state: ReviewState): ReviewState => reviewReducer(state, { type: 'shown', id: state.ids[state.index]!, sha256: hashOf(state.ids[state.index]!) });

describe('the Kepala Dinas review marks', () => {
  it('refuses to mark a draft that has not been on screen, then marks it and moves on', () => {
    const start = startReview(['a', 'b', 'c']);
    expect(canMark(start)).toBe(false);
    expect(run(start, { type: 'mark' })).toBe(start);
    const marked = run(shown(start), { type: 'mark' });
    expect(marked.decisions).toEqual({ a: 'marked' });
    expect(marked.index).toBe(1);
    expect(reviewCounts(marked)).toEqual({ marked: 1, skipped: 0, unseen: 2 });
  });

  it('skips without having to see, undoes a skip or a mark, and never steps past either end', () => {
    let state = startReview(['a', 'b', 'c']);
    state = run(state, { type: 'skip' });
    expect(state).toMatchObject({ index: 1, decisions: { a: 'skipped' } });
    state = run(state, { type: 'step', by: -1 }, { type: 'step', by: -1 }, { type: 'skip' });
    expect(state).toMatchObject({ index: 0, decisions: {} });
    state = run(shown(run(state, { type: 'go', index: 2 })), { type: 'mark' });
    expect(state).toMatchObject({ index: 2, decisions: { c: 'marked' } });
    state = run(state, { type: 'mark' }, { type: 'step', by: 1 });
    expect(state).toMatchObject({ index: 2, decisions: {} });
  });

  it('marks a skipped draft once seen, and the marked ones are signed in review order', () => {
    let state = shown(startReview(['a', 'b', 'c', 'd']));
    state = run(state, { type: 'skip' }, { type: 'step', by: -1 }, { type: 'mark' });
    expect(state.decisions).toEqual({ a: 'marked' });
    state = run(shown(state), { type: 'mark' }, { type: 'leaveOut', id: 'a' });
    state = run(shown(run(state, { type: 'go', index: 3 })), { type: 'mark' });
    expect(markedIds(state)).toEqual(['b', 'd']);
    expect(reviewCounts(state)).toEqual({ marked: 2, skipped: 1, unseen: 1 });
  });

  it('gives the batch the hash each marked draft showed, and drops a mark when other bytes come on screen', () => {
    let state = run(shown(startReview(['a', 'b'])), { type: 'mark' });
    state = run(shown(state), { type: 'mark' });
    expect(reviewedSha256(state)).toEqual({ a: hashOf('a'), b: hashOf('b') });
    state = reviewReducer(state, { type: 'shown', id: 'a', sha256: 'f'.repeat(64) });
    expect(state.decisions).toEqual({ b: 'marked' });
    expect(canMark(run(state, { type: 'go', index: 0 }))).toBe(true);
    expect(reviewedSha256(state)).toEqual({ b: hashOf('b') });
  });
});
