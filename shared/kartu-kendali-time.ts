import type { ApplicationEvent } from './domain';
import type { Role } from './roles';
import type { Workflow } from './workflow';
import { calendarDateIn, deadlineAfterWorkingDays, workingMinutesBetween, type IsoDate } from './working-days';

/**
 * The kartu kendali with time: where a file's time went. Each handover is one step — the file
 * received at a stage, decided there by an official — measured in working time (weekends,
 * national holidays and cuti bersama do not count) against the stage's mutu baku; the file's
 * whole time against its permit type's standard in working days. A step still open is counted
 * up to `now`. Pure: the desk (card, PDF) and the server (monitoring, monthly report) share it.
 */

/** One working day as `workingMinutesBetween` counts it: a whole calendar working day. */
export const MINUTES_PER_WORKING_DAY = 24 * 60;

export interface KartuStep {
  stage: string;
  /** the role that acts at the stage (null: a stage the chain no longer knows) */
  role: Role | null;
  receivedAt: string;
  /** null while the file is still at this stage */
  decidedAt: string | null;
  action: string | null;
  toStage: string | null;
  /** the official who decided; null while pending */
  officialName: string | null;
  officialRole: Role | null;
  reason: string | null;
  /** working minutes from receipt to decision (or to now, while pending) */
  minutes: number;
  /** the stage's mutu baku in minutes; null when the chain sets none for the stage */
  standardMinutes: number | null;
  /** minutes over the standard (negative: under it); null without a standard */
  overByMinutes: number | null;
  over: boolean;
  pending: boolean;
}

export interface KartuKendaliTime {
  steps: KartuStep[];
  /** the clock starts when the file is complete (or, lacking that, at its first line) */
  startedAt: string | null;
  /** when the file reached a terminal stage; null while open */
  finishedAt: string | null;
  open: boolean;
  totalMinutes: number;
  slaWorkingDays: number;
  /** the last office calendar day on which the file is on time */
  deadline: IsoDate | null;
  /** finished after its deadline, or still open past it */
  late: boolean;
}

export interface KartuKendaliInput {
  events: readonly ApplicationEvent[];
  workflow: Workflow;
  slaWorkingDays: number;
  /** the file's completeAt: the standard counts from the moment it was complete */
  completeAt: string | null;
  timeZone: string;
  holidays: ReadonlySet<IsoDate>;
  now: Date;
}

export function kartuKendaliTime(input: KartuKendaliInput): KartuKendaliTime {
  const { workflow, timeZone, holidays, now } = input;
  const stageOf = (id: string) => workflow.stages.find((s) => s.id === id);
  const isTerminal = (id: string) => stageOf(id)?.role === null;
  // local lines (decisions still in the outbox) carry the desk's time; order by time, stable
  const events = [...input.events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const steps: KartuStep[] = [];
  let open: KartuStep | null = null;
  let finishedAt: string | null = null;

  const measure = (from: string, to: Date) => workingMinutesBetween(new Date(from), to, timeZone, holidays);
  const close = (step: KartuStep, event: ApplicationEvent | null, at: Date) => {
    step.minutes = measure(step.receivedAt, at);
    if (event) {
      step.decidedAt = event.at;
      step.action = event.action;
      step.toStage = event.toStage;
      step.officialName = event.actorName;
      step.officialRole = event.actorRole;
      step.reason = event.reason;
      step.pending = false;
    }
    step.overByMinutes = step.standardMinutes === null ? null : step.minutes - step.standardMinutes;
    step.over = step.overByMinutes !== null && step.overByMinutes > 0;
  };

  for (const event of events) {
    if (event.fromStage !== null && event.fromStage === event.toStage) continue; // not a handover
    if (open) {
      close(open, event, new Date(event.at));
      open = null;
    }
    if (isTerminal(event.toStage)) {
      finishedAt = event.at;
      continue;
    }
    finishedAt = null;
    const stage = stageOf(event.toStage);
    open = {
      stage: event.toStage,
      role: stage?.role ?? null,
      receivedAt: event.at,
      decidedAt: null,
      action: null,
      toStage: null,
      officialName: null,
      officialRole: null,
      reason: null,
      minutes: 0,
      standardMinutes: stage?.standardMinutes ?? null,
      overByMinutes: null,
      over: false,
      pending: true,
    };
    steps.push(open);
  }
  if (open) close(open, null, now);

  const startedAt = input.completeAt ?? events[0]?.at ?? null;
  const end = finishedAt ? new Date(finishedAt) : now;
  const totalMinutes = startedAt ? measure(startedAt, end) : 0;
  const deadline = startedAt ? deadlineAfterWorkingDays(calendarDateIn(new Date(startedAt), timeZone), input.slaWorkingDays, holidays) : null;
  const late = deadline !== null && calendarDateIn(end, timeZone) > deadline;
  return { steps, startedAt, finishedAt, open: finishedAt === null, totalMinutes, slaWorkingDays: input.slaWorkingDays, deadline, late };
}

export type DurationLocale = 'id' | 'en';

/**
 * Working time as people say it: "1 hari kerja 2 jam", "35 menit" — never "1440 menit". Days
 * with hours, hours with minutes, and minutes alone below an hour.
 */
export function formatWorkingDuration(minutes: number, locale: DurationLocale = 'id'): string {
  const total = Math.max(0, Math.round(Math.abs(minutes)));
  const days = Math.floor(total / MINUTES_PER_WORKING_DAY);
  const hours = Math.floor((total % MINUTES_PER_WORKING_DAY) / 60);
  const mins = total % 60;
  const words =
    locale === 'en'
      ? { day: (n: number) => `${n} working day${n === 1 ? '' : 's'}`, hour: (n: number) => `${n} h`, minute: (n: number) => `${n} min` }
      : { day: (n: number) => `${n} hari kerja`, hour: (n: number) => `${n} jam`, minute: (n: number) => `${n} menit` };
  const parts: string[] = [];
  if (days > 0) {
    parts.push(words.day(days));
    if (hours > 0) parts.push(words.hour(hours));
  } else if (hours > 0) {
    parts.push(words.hour(hours));
    if (mins > 0) parts.push(words.minute(mins));
  } else {
    parts.push(words.minute(mins));
  }
  return parts.join(' ');
}

/** "lebih 25 menit" / "sisa 5 menit": a step's distance from its mutu baku. */
export function formatOverUnder(overByMinutes: number, locale: DurationLocale = 'id'): string {
  const amount = formatWorkingDuration(overByMinutes, locale);
  if (locale === 'en') return overByMinutes > 0 ? `${amount} over` : `${amount} under`;
  return overByMinutes > 0 ? `lebih ${amount}` : `kurang ${amount}`;
}
