import type { Office } from '../../shared/office';
import { calendarDateIn, deadlineAfterWorkingDays, workingDaysLeft, workingMinutesBetween } from '../../shared/working-days';

/** The file's deadline under the permit's standard, and the working days left today. */
export function deadlineOf(completeAt: string | null, slaWorkingDays: number, office: Office | null, holidays: ReadonlySet<string>, now: Date) {
  if (!completeAt || !office) return { deadline: null, workingDaysLeft: null };
  const deadline = deadlineAfterWorkingDays(calendarDateIn(new Date(completeAt), office.timeZone), slaWorkingDays, holidays);
  return { deadline, workingDaysLeft: workingDaysLeft(calendarDateIn(now, office.timeZone), deadline, holidays) };
}

/** The last on-time day for a file completed at `completeAt`, in the office's calendar. */
export function deadlineDate(completeAt: string, slaWorkingDays: number, office: Office, holidays: ReadonlySet<string>): string {
  return deadlineAfterWorkingDays(calendarDateIn(new Date(completeAt), office.timeZone), slaWorkingDays, holidays);
}

/**
 * Stored for files with no running deadline, so that "nearest deadline first" is a plain index
 * order (these sort last) instead of a sort over the whole queue.
 */
export const NO_DEADLINE = '9999-12-31';

/** Working minutes left of a stage's standard time (negative once it is exceeded); null where the stage has none. */
export function stageMinutesLeft(standardMinutes: number | null, enteredAt: string, office: Office | null, holidays: ReadonlySet<string>, now: Date): number | null {
  if (standardMinutes === null || !office) return null;
  return standardMinutes - workingMinutesBetween(new Date(enteredAt), now, office.timeZone, holidays);
}
