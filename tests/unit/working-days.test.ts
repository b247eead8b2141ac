import { describe, expect, it } from 'vitest';
import { calendarDateIn, deadlineAfterWorkingDays, isWorkingDay, workingDaysLeft, workingMinutesBetween } from '../../shared/working-days';
import { demoOffice } from '../../server/seed/demo-configuration';

const holidays = new Set(demoOffice('http://127.0.0.1').holidays.map((h) => h.date));

describe('working days in an Indonesian office', () => {
  it('skips the weekend', () => {
    // Thursday 2026-11-19 + 3 working days: Fri 20, Mon 23, Tue 24
    expect(deadlineAfterWorkingDays('2026-11-19', 3, holidays)).toBe('2026-11-24');
  });

  it('skips a national holiday and cuti bersama', () => {
    // Mon 2026-08-17 is Independence Day: complete on Fri 14 Aug → Tue 18, Wed 19, Thu 20
    expect(deadlineAfterWorkingDays('2026-08-14', 3, holidays)).toBe('2026-08-20');
    // Christmas 2026: Thu 24 Dec cuti bersama, Fri 25 Natal
    expect(deadlineAfterWorkingDays('2026-12-23', 3, holidays)).toBe('2026-12-30');
    expect(isWorkingDay('2026-12-24', holidays)).toBe(false);
  });

  it('crosses the year end and Idulfitri', () => {
    // Thu 31 Dec, (Fri 1 Jan Tahun Baru), Mon 4 Jan, (Tue 5 Jan Isra Mikraj), Wed 6 Jan
    expect(deadlineAfterWorkingDays('2026-12-30', 3, holidays)).toBe('2027-01-06');
    // 2026-03-18..24 is Nyepi, Idulfitri and cuti bersama
    expect(deadlineAfterWorkingDays('2026-03-17', 1, holidays)).toBe('2026-03-25');
  });

  it('counts what is left, and how late a file is', () => {
    expect(workingDaysLeft('2026-11-20', '2026-11-24', holidays)).toBe(2);
    expect(workingDaysLeft('2026-11-24', '2026-11-24', holidays)).toBe(0);
    expect(workingDaysLeft('2026-11-27', '2026-11-24', holidays)).toBe(-3);
    expect(workingDaysLeft('2026-11-30', '2026-11-27', holidays)).toBe(-1);
  });

  it('takes the calendar day in the office zone, not UTC', () => {
    const lateEvening = new Date('2026-11-23T16:30:00Z'); // 23:30 WIB, 00:30 WITA next day
    expect(calendarDateIn(lateEvening, 'Asia/Jakarta')).toBe('2026-11-23');
    expect(calendarDateIn(lateEvening, 'Asia/Makassar')).toBe('2026-11-24');
    expect(calendarDateIn(lateEvening, 'Asia/Jayapura')).toBe('2026-11-24');
  });
});

describe('working minutes against a stage standard', () => {
  it('counts only working days, in the office zone', () => {
    // Friday 16:00 WIB to Monday 09:00 WIB: 8 h of Friday + 9 h of Monday
    expect(workingMinutesBetween(new Date('2026-11-20T09:00:00Z'), new Date('2026-11-23T02:00:00Z'), 'Asia/Jakarta', holidays)).toBe(17 * 60);
    // across Christmas 2026 (Thu 24 cuti bersama, Fri 25 Natal): Wed 23:00 WITA to Mon 01:00 WITA
    expect(workingMinutesBetween(new Date('2026-12-23T15:00:00Z'), new Date('2026-12-27T17:00:00Z'), 'Asia/Makassar', holidays)).toBe(60 + 60);
    expect(workingMinutesBetween(new Date('2026-11-23T05:00:00Z'), new Date('2026-11-23T05:35:00Z'), 'Asia/Jayapura', holidays)).toBe(35);
  });
});
