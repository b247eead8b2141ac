import type { Kysely } from 'kysely';
import { kartuKendaliTime, type KartuKendaliTime } from '../../shared/kartu-kendali-time';
import type { MonitoringFigures, MonitoringPeriod } from '../../shared/monitoring';
import type { Workflow } from '../../shared/workflow';
import { calendarDateIn, workingDaysLeft, type IsoDate } from '../../shared/working-days';
import type { ServerDatabase } from '../db/server-database';
import { applicantSchema } from '../../shared/domain';
import { eventFromRow, loadOffice, loadPermitTypes, loadWorkflows } from './server-records';

/**
 * The one definition of one office's performance figures, computed from the server's event
 * log through the same kartu kendali time accounting the desk shows (shared/kartu-kendali-time.ts).
 * The monitoring route and the monthly report (PDF, XLSX) both call this; nothing else counts.
 *
 * Definitions:
 * - a file is *completed* in the period when it reached a terminal stage on a day of the period
 *   (office calendar); it is *late* when that day is after its deadline (its permit type's
 *   working days from the moment it was complete), as the queue counts deadlines;
 * - a *passage* is one handover out of a stage, counted on the day it was decided; it is late
 *   when it took longer than the stage's mutu baku, or — for a stage the chain sets no mutu baku
 *   for (Metro's, whose standard is the file's 3 working days) — when it was handed on after the
 *   file's deadline;
 * - the median and 90th percentile are of passages' working minutes (nearest rank);
 * - an *overdue* file is open with its deadline before today.
 */
export async function computeMonitoringFigures(db: Kysely<ServerDatabase>, officeId: string, period: MonitoringPeriod, now: Date = new Date()): Promise<MonitoringFigures> {
  const office = await loadOffice(db, officeId);
  const holidays = new Set(office.holidays.map((h) => h.date));
  const workflows = new Map((await loadWorkflows(db, officeId)).map((w) => [w.id, w]));
  const permitTypes = new Map((await loadPermitTypes(db, officeId)).map((p) => [p.id, p]));
  const applications = await db
    .selectFrom('applications')
    .select(['id', 'registration_number', 'permit_type_id', 'workflow_id', 'stage', 'applicant', 'submitted_at', 'complete_at', 'stage_entered_at'])
    .where('office_id', '=', officeId)
    .execute();
  const eventRows = await db
    .selectFrom('events')
    .innerJoin('applications', 'applications.id', 'events.application_id')
    .selectAll('events')
    .where('applications.office_id', '=', officeId)
    .orderBy('events.seq')
    .execute();
  const claims = new Map(
    (
      await db
        .selectFrom('claims')
        .innerJoin('applications', 'applications.id', 'claims.application_id')
        .select(['claims.application_id', 'claims.user_name'])
        .where('applications.office_id', '=', officeId)
        .execute()
    ).map((c) => [c.application_id, c.user_name]),
  );
  const eventsByFile = new Map<string, ReturnType<typeof eventFromRow>[]>();
  for (const row of eventRows) {
    const list = eventsByFile.get(row.application_id) ?? [];
    list.push(eventFromRow(row));
    eventsByFile.set(row.application_id, list);
  }

  const day = (iso: string) => calendarDateIn(new Date(iso), office.timeZone);
  const inPeriod = (date: IsoDate) => date >= period.from && date <= period.to;
  const today = calendarDateIn(now, office.timeZone);

  const stagesNow = new Map<string, { workflowId: string; stage: string; role: string | null; count: number }>();
  for (const workflow of workflows.values()) {
    for (const stage of workflow.stages) if (stage.role !== null) stagesNow.set(`${workflow.id}:${stage.id}`, { workflowId: workflow.id, stage: stage.id, role: stage.role, count: 0 });
  }
  const tally = () => new Map<string, { key: string; label: string; onTime: number; late: number }>();
  const byPermitType = tally();
  const byStage = tally();
  const byOfficial = tally();
  const count = (map: ReturnType<typeof tally>, key: string, label: string, late: boolean) => {
    const row = map.get(key) ?? { key, label, onTime: 0, late: 0 };
    if (late) row.late += 1;
    else row.onTime += 1;
    map.set(key, row);
  };
  const passageMinutes = new Map<string, number[]>();
  const overStandard = new Map<string, number>();
  const outcomes = new Map<string, number>();
  const weekly = new Map<IsoDate, { weekStart: IsoDate; received: number; completed: number; onTime: number; late: number }>();
  for (let d = mondayOf(period.from); d <= period.to; d = addDays(d, 7)) weekly.set(d, { weekStart: d, received: 0, completed: 0, onTime: 0, late: 0 });
  const overdue: MonitoringFigures['overdue'] = [];
  let received = 0;
  const completed = { total: 0, onTime: 0, late: 0 };

  for (const app of applications) {
    const workflow = workflows.get(app.workflow_id);
    const permitType = permitTypes.get(app.permit_type_id);
    if (!workflow || !permitType) continue;
    const card = kartuKendaliTime({
      events: eventsByFile.get(app.id) ?? [],
      workflow,
      slaWorkingDays: permitType.slaWorkingDays,
      completeAt: app.complete_at,
      timeZone: office.timeZone,
      holidays,
      now,
    });
    const stage = workflow.stages.find((s) => s.id === app.stage);
    if (stage?.role) {
      const row = stagesNow.get(`${workflow.id}:${stage.id}`);
      if (row) row.count += 1;
    }
    const submittedDay = day(app.submitted_at);
    if (inPeriod(submittedDay)) {
      received += 1;
      const week = weekly.get(mondayOf(submittedDay));
      if (week) week.received += 1;
    }
    if (card.finishedAt && inPeriod(day(card.finishedAt))) {
      completed.total += 1;
      if (card.late) completed.late += 1;
      else completed.onTime += 1;
      const outcome = stage?.outcome ?? 'unknown';
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      count(byPermitType, permitType.id, permitType.name, card.late);
      const week = weekly.get(mondayOf(day(card.finishedAt)));
      if (week) {
        week.completed += 1;
        if (card.late) week.late += 1;
        else week.onTime += 1;
      }
    }
    countPassages(card, workflow, period, day, (key, label, official, minutes, late, over) => {
      count(byStage, key, label, late);
      count(byOfficial, official, official, late);
      passageMinutes.set(key, [...(passageMinutes.get(key) ?? []), minutes]);
      if (over) overStandard.set(key, (overStandard.get(key) ?? 0) + 1);
    });
    if (card.open && card.deadline && today > card.deadline && stage?.role) {
      const pending = card.steps.at(-1);
      overdue.push({
        applicationId: app.id,
        registrationNumber: app.registration_number,
        applicantName: applicantSchema.shape.fullName.parse(JSON.parse(app.applicant).fullName),
        permitTypeName: permitType.name,
        stage: app.stage,
        role: stage.role,
        holderName: claims.get(app.id) ?? null,
        deadline: card.deadline,
        workingDaysOverdue: -workingDaysLeft(today, card.deadline, holidays),
        minutesAtStage: pending?.pending ? pending.minutes : 0,
      });
    }
  }

  const stageTimes: MonitoringFigures['stageTimes'] = [];
  for (const workflow of workflows.values()) {
    for (const stage of workflow.stages) {
      if (stage.role === null) continue;
      const key = `${workflow.id}:${stage.id}`;
      const minutes = (passageMinutes.get(key) ?? []).sort((a, b) => a - b);
      stageTimes.push({
        workflowId: workflow.id,
        stage: stage.id,
        role: stage.role,
        standardMinutes: stage.standardMinutes,
        count: minutes.length,
        medianMinutes: percentile(minutes, 0.5),
        p90Minutes: percentile(minutes, 0.9),
        overStandard: overStandard.get(key) ?? 0,
      });
    }
  }
  overdue.sort((a, b) => b.workingDaysOverdue - a.workingDaysOverdue || a.deadline.localeCompare(b.deadline) || a.registrationNumber.localeCompare(b.registrationNumber));
  const byName = (a: { label: string }, b: { label: string }) => a.label.localeCompare(b.label);

  return {
    period: { from: period.from, to: period.to },
    computedAt: now.toISOString(),
    officeName: office.name,
    officeCity: office.city,
    stagesNow: [...stagesNow.values()],
    received,
    completed,
    completedByOutcome: [...outcomes.entries()].map(([outcome, n]) => ({ outcome, count: n })).sort((a, b) => a.outcome.localeCompare(b.outcome)),
    byPermitType: [...byPermitType.values()].sort(byName),
    byStage: [...byStage.values()],
    byOfficial: [...byOfficial.values()].sort(byName),
    stageTimes,
    overdue,
    weekly: [...weekly.values()],
  };
}

function countPassages(
  card: KartuKendaliTime,
  workflow: Workflow,
  period: MonitoringPeriod,
  day: (iso: string) => IsoDate,
  add: (key: string, label: string, official: string, minutes: number, late: boolean, over: boolean) => void,
) {
  for (const step of card.steps) {
    if (step.pending || !step.decidedAt) continue;
    const decided = day(step.decidedAt);
    if (decided < period.from || decided > period.to) continue;
    const late = step.standardMinutes !== null ? step.over : card.deadline !== null && decided > card.deadline;
    add(`${workflow.id}:${step.stage}`, step.stage, step.officialName ?? '—', step.minutes, late, step.over);
  }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function addDays(date: IsoDate, days: number): IsoDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function mondayOf(date: IsoDate): IsoDate {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}
