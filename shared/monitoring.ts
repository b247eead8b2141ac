import { z } from 'zod';
import { applicationEventSchema } from './domain';
import { workflowSchema } from './workflow';
import { calendarDateSchema, daysBetween } from './calendar-date-schema';

/**
 * The office's performance figures, as the central server computes them from its event log
 * (server/app/monitoring-figures.ts): one shape for the monitoring screen, the desk's offline
 * copy and the monthly report.
 */
const isoDate = calendarDateSchema;

/** The longest period the figures are computed for: two years (each file and week of it is counted). */
export const MONITORING_PERIOD_MAX_DAYS = 731;

export const monitoringPeriodSchema = z
  .object({ from: isoDate, to: isoDate })
  .strict()
  .refine((p) => p.from <= p.to, { message: 'from must not be after to' })
  .refine((p) => daysBetween(p.from, p.to) < MONITORING_PERIOD_MAX_DAYS, { message: `a period spans at most ${MONITORING_PERIOD_MAX_DAYS} days` });

export const onTimeCountSchema = z.object({ key: z.string(), label: z.string(), onTime: z.number().int(), late: z.number().int() });

export const stageTimeSchema = z.object({
  workflowId: z.string(),
  stage: z.string(),
  role: z.string().nullable(),
  standardMinutes: z.number().int().nullable(),
  /** passages (handovers) out of the stage decided in the period */
  count: z.number().int(),
  medianMinutes: z.number().int().nullable(),
  p90Minutes: z.number().int().nullable(),
  overStandard: z.number().int(),
});

export const overdueFileSchema = z.object({
  applicationId: z.string(),
  registrationNumber: z.string(),
  applicantName: z.string(),
  permitTypeName: z.string(),
  stage: z.string(),
  role: z.string().nullable(),
  /** the official who took the file, else null (the role's desk holds it) */
  holderName: z.string().nullable(),
  deadline: isoDate,
  workingDaysOverdue: z.number().int(),
  minutesAtStage: z.number().int(),
});

export const monitoringFiguresSchema = z.object({
  period: z.object({ from: isoDate, to: isoDate }),
  computedAt: z.string(),
  officeName: z.string(),
  officeCity: z.string(),
  /** open files at each stage now */
  stagesNow: z.array(z.object({ workflowId: z.string(), stage: z.string(), role: z.string().nullable(), count: z.number().int() })),
  /** files received (submitted) in the period */
  received: z.number().int(),
  /** files finished (issued, returned, rejected) in the period, against their permit type's standard */
  completed: z.object({ total: z.number().int(), onTime: z.number().int(), late: z.number().int() }),
  completedByOutcome: z.array(z.object({ outcome: z.string(), count: z.number().int() })),
  byPermitType: z.array(onTimeCountSchema),
  /** passages out of each stage decided in the period: within the stage's mutu baku (or, with none, before the file's deadline) */
  byStage: z.array(onTimeCountSchema),
  byOfficial: z.array(onTimeCountSchema),
  stageTimes: z.array(stageTimeSchema),
  overdue: z.array(overdueFileSchema),
  weekly: z.array(z.object({ weekStart: isoDate, received: z.number().int(), completed: z.number().int(), onTime: z.number().int(), late: z.number().int() })),
});

export type MonitoringPeriod = z.infer<typeof monitoringPeriodSchema>;
export type MonitoringFigures = z.infer<typeof monitoringFiguresSchema>;
export type StageTime = z.infer<typeof stageTimeSchema>;
export type OverdueFile = z.infer<typeof overdueFileSchema>;

/** The calendar month YYYY-MM as a period. */
export function monthPeriod(month: string): MonitoringPeriod {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

/** The key the desk keeps the last answer under in its cache's meta table. */
export function monitoringCacheKey(period: MonitoringPeriod): string {
  return `monitoring:${period.from}..${period.to}`;
}

/** What a kartu kendali is drawn from, wherever the file lives: its lines, its chain and the office calendar. */
export const kartuSourceSchema = z.object({
  applicationId: z.string(),
  registrationNumber: z.string(),
  applicantName: z.string(),
  permitTypeName: z.string(),
  slaWorkingDays: z.number().int().positive(),
  completeAt: z.string().nullable(),
  workflow: workflowSchema,
  events: z.array(applicationEventSchema),
  timeZone: z.string(),
  holidays: z.array(z.string()),
  officeName: z.string(),
});

export type KartuSource = z.infer<typeof kartuSourceSchema>;
