/**
 * Working days in an Indonesian office: Monday to Friday, less national holidays and cuti
 * bersama. Dates are calendar dates (YYYY-MM-DD) in the office's own time zone, so an
 * application completed at 23:30 WIB counts from that WIB day, not from the UTC one.
 */
export type IsoDate = string;

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

export function calendarDateIn(instant: Date, timeZone: string): IsoDate {
  let formatter = dateFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormatters.set(timeZone, formatter);
  }
  return formatter.format(instant);
}

function toUtcDay(date: IsoDate): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
}

function fromUtcDay(day: Date): IsoDate {
  return day.toISOString().slice(0, 10);
}

function nextDay(date: IsoDate, step: 1 | -1 = 1): IsoDate {
  const day = toUtcDay(date);
  day.setUTCDate(day.getUTCDate() + step);
  return fromUtcDay(day);
}

export function isWorkingDay(date: IsoDate, holidays: ReadonlySet<IsoDate>): boolean {
  const weekday = toUtcDay(date).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(date);
}

/**
 * The last day on which a file completed on `start` is still on time: the n-th working day
 * after the start date (the day of completion itself does not count, as "3 hari kerja sejak
 * diterima" is read at the counter).
 */
export function deadlineAfterWorkingDays(start: IsoDate, workingDays: number, holidays: ReadonlySet<IsoDate>): IsoDate {
  let date = start;
  let counted = 0;
  while (counted < workingDays) {
    date = nextDay(date);
    if (isWorkingDay(date, holidays)) counted += 1;
  }
  return date;
}

/**
 * Working days from `today` up to the deadline: 0 on the deadline itself, negative once it has
 * passed (the number of working days overdue).
 */
export function workingDaysLeft(today: IsoDate, deadline: IsoDate, holidays: ReadonlySet<IsoDate>): number {
  if (today === deadline) return 0;
  const forward = today < deadline;
  let date = today;
  let count = 0;
  while (date !== deadline) {
    date = nextDay(date, forward ? 1 : -1);
    if (forward ? isWorkingDay(date, holidays) : isWorkingDay(nextDay(date), holidays)) count += 1;
  }
  return forward ? count : -count;
}

// WIB, WITA and WIT have no daylight saving: a fixed offset each.
const ZONE_OFFSET_MINUTES: Record<string, number> = { 'Asia/Jakarta': 420, 'Asia/Makassar': 480, 'Asia/Jayapura': 540 };

/**
 * Minutes of working days between two instants in the office's zone: weekends, national
 * holidays and cuti bersama do not count against a stage's standard time.
 */
export function workingMinutesBetween(start: Date, end: Date, timeZone: string, holidays: ReadonlySet<IsoDate>): number {
  if (end <= start) return 0;
  const offset = (ZONE_OFFSET_MINUTES[timeZone] ?? 420) * 60_000;
  let day = calendarDateIn(start, timeZone);
  const lastDay = calendarDateIn(end, timeZone);
  let minutes = 0;
  for (;;) {
    if (isWorkingDay(day, holidays)) {
      const dayStart = toUtcDay(day).getTime() - offset;
      const from = Math.max(dayStart, start.getTime());
      const to = Math.min(dayStart + 86_400_000, end.getTime());
      if (to > from) minutes += (to - from) / 60_000;
    }
    if (day === lastDay) return Math.floor(minutes);
    day = nextDay(day);
  }
}
