import type { Office } from '../../shared/office';
import { calendarDateIn, deadlineAfterWorkingDays, workingDaysLeft, workingMinutesBetween } from '../../shared/working-days';

/** The last on-time day for a file completed at `completeAt`, in the office's calendar. */
export function deadlineDate(completeAt: string, slaWorkingDays: number, office: Office, holidays: ReadonlySet<string>): string {
  return deadlineAfterWorkingDays(calendarDateIn(new Date(completeAt), office.timeZone), slaWorkingDays, holidays);
}

/**
 * Stored for files with no running deadline, so that "nearest deadline first" is a plain index
 * order (these sort last) instead of a sort over the whole queue.
 */
export const NO_DEADLINE = '9999-12-31';

/** A file's stored deadline as the desk shows it: the date, and the working days left from `today`. */
export function deadlineView(stored: string | null, today: string, holidays: ReadonlySet<string>) {
  if (!stored || stored === NO_DEADLINE) return { deadline: null, workingDaysLeft: null };
  return { deadline: stored, workingDaysLeft: workingDaysLeft(today, stored, holidays) };
}

/** Working minutes left of a stage's standard time (negative once it is exceeded); null where the stage has none. */
export function stageMinutesLeft(standardMinutes: number | null, enteredAt: string, office: Office | null, holidays: ReadonlySet<string>, now: Date): number | null {
  if (standardMinutes === null || !office) return null;
  return standardMinutes - workingMinutesBetween(new Date(enteredAt), now, office.timeZone, holidays);
}
