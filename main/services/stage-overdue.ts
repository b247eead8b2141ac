import type { Office } from '../../shared/office';
import { stageMinutesLeft } from './deadline';

/** Far enough back for any standard time across the longest cuti bersama; a file entered earlier is over in any case. */
const FURTHEST_BACK_MS = 400 * 86_400_000;

/**
 * The latest stage entry instant (ISO, as `stageEnteredAt` is stored) at which a file is past its
 * stage's standard time at `now`: a file entered at or before it shows a red stage timer, one
 * entered after it does not. Found by bisecting the very function the rows' timers use (time
 * spent only grows the earlier a file entered), so the "Lewat mutu baku" count and filter agree
 * with the rows to the millisecond, and the count is one index range per stage instead of a
 * working-time sum per file.
 */
export function stageOverdueSince(standardMinutes: number, office: Office, holidays: ReadonlySet<string>, now: Date): string {
  const over = (enteredMs: number) => (stageMinutesLeft(standardMinutes, new Date(enteredMs).toISOString(), office, holidays, now) ?? 0) < 0;
  let notOver = now.getTime();
  let isOver = notOver - (standardMinutes + 1) * 60_000;
  while (!over(isOver)) {
    const step = notOver - isOver;
    notOver = isOver;
    isOver -= step * 2;
    if (now.getTime() - isOver > FURTHEST_BACK_MS) return new Date(isOver).toISOString();
  }
  while (notOver - isOver > 1) {
    const middle = Math.floor((notOver + isOver) / 2);
    if (over(middle)) isOver = middle;
    else notOver = middle;
  }
  return new Date(isOver).toISOString();
}
