import { z } from 'zod';

/** The years an office's records and reports can name: wider than any real file, narrow enough that no loop over a period runs away. */
export const CALENDAR_YEARS = { first: 2000, last: 2099 } as const;

function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const inYears = (year: number) => year >= CALENDAR_YEARS.first && year <= CALENDAR_YEARS.last;

/** YYYY-MM-DD naming a day that exists (no 2026-02-30), in CALENDAR_YEARS. */
export const calendarDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD')
  .refine((text) => {
    const [y, m, d] = text.split('-').map(Number) as [number, number, number];
    return inYears(y) && isRealDate(y, m, d);
  }, `not a calendar date between ${CALENDAR_YEARS.first} and ${CALENDAR_YEARS.last}`);

/** YYYY-MM, a month in CALENDAR_YEARS. */
export const calendarMonthSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month is YYYY-MM')
  .refine((text) => inYears(Number(text.slice(0, 4))), `not a month between ${CALENDAR_YEARS.first} and ${CALENDAR_YEARS.last}`);

/** Days from one calendar date to another (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
