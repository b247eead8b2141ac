import { describe, expect, it } from 'vitest';
import type { ApplicationEvent } from '../../shared/domain';
import { formatWorkingDuration, kartuKendaliTime } from '../../shared/kartu-kendali-time';
import { METRO_WORKFLOW, PEKANBARU_WORKFLOW, demoOffice } from '../../server/seed/demo-configuration';

const holidays = new Set(demoOffice('http://127.0.0.1').holidays.map((h) => h.date));
const zone = 'Asia/Jakarta';

/** WIB wall-clock time as an instant */
const wib = (local: string) => new Date(`${local}:00+07:00`).toISOString();

let n = 0;
function event(at: string, from: string | null, to: string, action: string, actorName = 'Petugas', actorRole: ApplicationEvent['actorRole'] = null): ApplicationEvent {
  n += 1;
  return { id: `e${n}`, applicationId: 'a1', commandId: null, actorName, actorRole, action, fromStage: from, toStage: to, reason: null, at, evidence: null };
}

describe('kartu kendali with time', () => {
  it('counts no working time over a weekend', () => {
    // received Friday 16:00 WIB, passed on Monday 09:00 WIB: 8 h on Friday + 9 h on Monday
    const events = [event(wib('2026-11-20T16:00'), null, 'pemeriksaan', 'diajukan'), event(wib('2026-11-23T09:00'), 'pemeriksaan', 'verifikasi_draf', 'teruskan', 'Siti', 'penata_perizinan')];
    const card = kartuKendaliTime({ events, workflow: METRO_WORKFLOW, slaWorkingDays: 3, completeAt: events[0]!.at, timeZone: zone, holidays, now: new Date(wib('2026-11-23T10:00')) });
    expect(card.steps[0]).toMatchObject({ stage: 'pemeriksaan', minutes: 17 * 60, officialName: 'Siti', pending: false, standardMinutes: null, over: false });
    expect(formatWorkingDuration(card.steps[0]!.minutes)).toBe('17 jam');
    // the koordinator's step is still open: counted live up to now (one hour)
    expect(card.steps[1]).toMatchObject({ stage: 'verifikasi_draf', pending: true, minutes: 60, decidedAt: null });
    expect(card.open).toBe(true);
    expect(card.deadline).toBe('2026-11-25');
    expect(card.late).toBe(false);
  });

  it('skips a national holiday (17 August)', () => {
    // Friday 14 Aug 12:00 → Tuesday 18 Aug 12:00; Monday 17 Aug is Hari Kemerdekaan
    const events = [event(wib('2026-08-14T12:00'), null, 'pemeriksaan', 'diajukan'), event(wib('2026-08-18T12:00'), 'pemeriksaan', 'verifikasi_draf', 'teruskan')];
    const card = kartuKendaliTime({ events, workflow: METRO_WORKFLOW, slaWorkingDays: 3, completeAt: null, timeZone: zone, holidays, now: new Date(wib('2026-08-18T12:00')) });
    expect(card.steps[0]!.minutes).toBe(24 * 60);
    expect(formatWorkingDuration(card.steps[0]!.minutes)).toBe('1 hari kerja');
    expect(formatWorkingDuration(card.steps[0]!.minutes, 'en')).toBe('1 working day');
  });

  it('skips Nyepi and the Idulfitri cuti bersama of 2026 (18–24 March)', () => {
    // Tuesday 17 Mar 10:00 → Wednesday 25 Mar 10:00: only 14 h on the 17th and 10 h on the 25th count
    const events = [
      event(wib('2026-03-17T10:00'), null, 'pemeriksaan', 'diajukan'),
      event(wib('2026-03-25T10:00'), 'pemeriksaan', 'verifikasi_draf', 'teruskan'),
      event(wib('2026-03-25T12:30'), 'verifikasi_draf', 'penandatanganan', 'setujui_draf'),
      event(wib('2026-03-26T14:00'), 'penandatanganan', 'terbit', 'tandatangani', 'Kadis', 'kepala_dinas'),
    ];
    const card = kartuKendaliTime({ events, workflow: METRO_WORKFLOW, slaWorkingDays: 3, completeAt: events[0]!.at, timeZone: zone, holidays, now: new Date(wib('2026-04-01T09:00')) });
    expect(card.steps.map((s) => s.minutes)).toEqual([24 * 60, 150, 24 * 60 + 90]);
    expect(card.steps.map((s) => formatWorkingDuration(s.minutes))).toEqual(['1 hari kerja', '2 jam 30 menit', '1 hari kerja 1 jam']);
    expect(card.open).toBe(false);
    expect(card.finishedAt).toBe(events[3]!.at);
    // 17 March + 3 working days, skipping 18–24 March: 25, 26, 27 March
    expect(card.deadline).toBe('2026-03-27');
    expect(card.late).toBe(false);
    expect(card.totalMinutes).toBe(14 * 60 + 24 * 60 + 14 * 60);
  });

  it('marks a step that went over its mutu baku and a file past its standard', () => {
    const t0 = Date.parse(wib('2026-11-17T09:00'));
    const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();
    const events = [
      event(at(0), null, 'penerimaan_berkas', 'diajukan'),
      event(at(30), 'penerimaan_berkas', 'cetak_blanko', 'terima_lengkap', 'Rina', 'front_office'),
      event(at(40), 'cetak_blanko', 'paraf_analis_muda', 'cetak_draf', 'Yusuf', 'back_office'),
    ];
    const card = kartuKendaliTime({ events, workflow: PEKANBARU_WORKFLOW, slaWorkingDays: 2, completeAt: at(0), timeZone: zone, holidays, now: new Date(wib('2026-11-24T09:00')) });
    expect(card.steps[0]).toMatchObject({ minutes: 30, standardMinutes: 35, overByMinutes: -5, over: false });
    expect(card.steps[1]).toMatchObject({ minutes: 10, standardMinutes: 3, overByMinutes: 7, over: true, officialName: 'Yusuf' });
    // still open at the analyst's step, five working days later: far over its 5 minutes and the 2-day standard
    expect(card.steps[2]).toMatchObject({ stage: 'paraf_analis_muda', pending: true, over: true });
    expect(formatWorkingDuration(card.steps[2]!.minutes)).toBe('4 hari kerja 23 jam');
    expect(card.deadline).toBe('2026-11-19');
    expect(card.late).toBe(true);
  });

  it('reads durations naturally', () => {
    expect(formatWorkingDuration(35)).toBe('35 menit');
    expect(formatWorkingDuration(1440)).toBe('1 hari kerja');
    expect(formatWorkingDuration(1440 + 120)).toBe('1 hari kerja 2 jam');
    expect(formatWorkingDuration(2 * 1440 + 61, 'en')).toBe('2 working days 1 h');
    expect(formatWorkingDuration(0)).toBe('0 menit');
  });
});
