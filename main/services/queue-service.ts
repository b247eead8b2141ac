import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { DeadlineState, QueueCounts, QueueItem, QueueQuery } from '../../shared/contract';
import { calendarDateIn, deadlineAfterWorkingDays } from '../../shared/working-days';
import { stagesForRole } from '../../shared/workflow';
import { searchWords } from '../../shared/search-words';
import type { CacheDatabase } from '../../db/cache-database';
import { holidaySet, readOffice, readPermitTypes, readWorkflows } from './cache-reads';
import { pendingApplicationIds } from './outbox';
import type { SessionService } from './session-service';
import { NO_DEADLINE, deadlineView, stageMinutesLeft } from './deadline';
import { stageOverdueSince } from './stage-overdue';

const PAGE = 100;
/** Up to this many trigram matches, a search sorts its matches; beyond it, it walks the sort order instead. */
const FEW_MATCHES = 3000;

/** A search's words as an FTS5 trigram query (each word somewhere in the file's text), or null when a word is too short for trigrams. */
export function trigramQuery(words: readonly string[]): string | null {
  if (words.length === 0 || words.some((w) => w.length < 3)) return null;
  return words.map((w) => `"${w}"`).join(' AND ');
}

type Base = SelectQueryBuilder<CacheDatabase, 'applications', object>;
type Sort = NonNullable<QueueQuery['sort']>;
/** Files per permit type and deadline day: every chip count and total is a sum over these. */
type Group = { permit_type_id: string; deadline_date: string | null; n: number };

/** A stage of a chain with its own standard time, and the entry instant at or before which a file at it is past that time. */
type TimedStage = { workflowId: string; stage: string; since: string };

/**
 * The files at one timed stage past its standard time: the applications_stage_entered index's
 * columns and expression (the workflow named, as that partial index requires), so each stage is
 * one range of that index, read without the table.
 */
const pastStageTime = (t: TimedStage) => sql`applications WHERE stage = ${t.stage} AND workflow_id = ${t.workflowId} AND json_extract(data, '$.stageEnteredAt') <= ${t.since}`;

/** The rowids of the files past their stage's standard time, one index range per stage (an OR of them would read the table). */
function pastStageTimeRowids(stages: readonly TimedStage[]): RawBuilder<unknown> {
  if (stages.length === 0) return sql`SELECT NULL WHERE 0`;
  return sql.join(
    stages.map((t) => sql`SELECT rowid FROM ${pastStageTime(t)}`),
    sql` UNION ALL `,
  );
}

/** How many files are past their stage's standard time, summed over one index range per stage. */
function countPastStageTime(stages: readonly TimedStage[]): RawBuilder<{ n: number }> {
  return sql<{ n: number }>`SELECT ${sql.join(
    stages.map((t) => sql`(SELECT count(*) FROM ${pastStageTime(t)})`),
    sql` + `,
  )} AS n`;
}

const SEARCH_ORDER: Record<Sort, RawBuilder<unknown>> = {
  deadline: sql`s.deadline_date, s.submitted_at, s.application_rowid`,
  submitted: sql`s.submitted_at, s.deadline_date, s.application_rowid`,
  name: sql`s.applicant_name, s.deadline_date, s.application_rowid`,
};

/**
 * The signed-in official's queue: the files at the stages their role acts on, filtered, sorted
 * and paged in SQLite, so 100,000 cached files stay instant; and search, by any part of a name,
 * NIK, registration or STR number, over every file the official may see. Deadlines are stored
 * per file; "overdue", "today" and "soon" are ranges over that column. Past its step's standard
 * time (the rows' stage timers, a separate measure from the permit's deadline) is a range over
 * each timed stage's entry time, worked out once per call (stage-overdue.ts).
 */
export class QueueService {
  constructor(
    private readonly db: Kysely<CacheDatabase>,
    private readonly session: SessionService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(query: QueueQuery = {}) {
    const user = this.session.requireUser();
    const workflows = await readWorkflows(this.db);
    const stages = [...new Set([...workflows.values()].flatMap((w) => stagesForRole(w, user.role)))];
    const canSign = [...workflows.values()].some((w) => w.stages.some((st) => st.role === user.role && st.actions.some((a) => a.kind === 'sign')));
    const offset = query.offset ?? 0;
    if (stages.length === 0) return { items: [], total: 0, offset, stageNames: [], canSign, counts: null };

    const office = await readOffice(this.db);
    const holidays = holidaySet(office);
    const nowInstant = this.now();
    const today = calendarDateIn(nowInstant, office?.timeZone ?? 'Asia/Jakarta');
    const soon = deadlineAfterWorkingDays(today, 1, holidays);
    const sort = query.sort ?? 'deadline';
    const limit = query.limit ?? PAGE;
    // punctuation only is no search (the renderer says so)
    const words = searchWords(query.search ?? '');
    const inDeadline = (date: string | null, state: DeadlineState) => {
      // a file with no running deadline (not yet complete, or out of the office's hands) is in no deadline chip
      if (date === null || date === '' || date === NO_DEADLINE) return false;
      if (state === 'overdue') return date < today;
      if (state === 'today') return date === today;
      if (state === 'soon') return date === soon;
      return date > soon;
    };
    const sum = (groups: Group[], keep: (g: Group) => boolean) => groups.reduce((n, g) => (keep(g) ? n + g.n : n), 0);
    const filteredTotal = (groups: Group[]) =>
      sum(groups, (g) => (!query.permitTypeId || g.permit_type_id === query.permitTypeId) && (!query.deadline || inDeadline(g.deadline_date, query.deadline)));
    // the stages whose timers the rows show (every chain's, for a search; the official's own, for the queue)
    const timedStages: TimedStage[] = [];
    if (office && (query.withCounts || query.stageTime)) {
      for (const [workflowId, workflow] of workflows) {
        for (const st of workflow.stages) {
          if (st.standardMinutes !== null) timedStages.push({ workflowId, stage: st.id, since: stageOverdueSince(st.standardMinutes, office, holidays, nowInstant) });
        }
      }
    }
    const myTimedStages = timedStages.filter((t) => stages.includes(t.stage));
    let stageOverdue: number | null = null;
    let stageFilteredTotal: number | null = null;

    let rowids: number[];
    let groups: Group[] | null = null;
    if (words.length === 0) {
      // The queue: the files at the official's stages, paged along the stage indexes; totals
      // and chip counts come from queue_counts, which triggers keep as files change.
      let filtered = this.db.selectFrom('applications').where('stage', 'in', stages) as Base;
      if (query.permitTypeId) filtered = filtered.where('permit_type_id', '=', query.permitTypeId);
      if (query.deadline === 'overdue') filtered = filtered.where('deadline_date', '<', today);
      else if (query.deadline === 'today') filtered = filtered.where('deadline_date', '=', today);
      else if (query.deadline === 'soon') filtered = filtered.where('deadline_date', '=', soon);
      // the upper bound only drops files without a deadline: `+` keeps it off the index choice, where
      // a two-sided range looks selective enough to sort the whole range instead of walking the sort order
      else if (query.deadline === 'on_time') filtered = filtered.where('deadline_date', '>', soon).where(sql<boolean>`+deadline_date < ${NO_DEADLINE}`);
      // `+rowid`: walk the sort order's index and test each file against the set, instead of sorting the whole set
      if (query.stageTime === 'over') filtered = filtered.where(sql<boolean>`+rowid IN (${pastStageTimeRowids(myTimedStages)})`);
      let page = filtered.select(sql<number>`rowid`.as('r'));
      // rowid last: a unique, stable order that the indexes already carry, so paging needs no sort
      if (sort === 'deadline') page = page.orderBy('deadline_date').orderBy('submitted_at').orderBy(sql`rowid`);
      else if (sort === 'submitted') page = page.orderBy('submitted_at').orderBy('deadline_date').orderBy(sql`rowid`);
      else page = page.orderBy('applicant_name').orderBy('deadline_date').orderBy(sql`rowid`);
      rowids = (await page.limit(limit).offset(offset).execute()).map((r) => r.r);
      if (offset === 0 || query.withCounts) {
        groups = (
          await sql<Group>`SELECT permit_type_id, nullif(deadline_date, '') AS deadline_date, sum(n) AS n FROM queue_counts
            WHERE stage IN (${sql.join(stages)}) AND n > 0 GROUP BY permit_type_id, deadline_date`.execute(this.db)
        ).rows;
        if (query.withCounts && myTimedStages.length > 0) stageOverdue = Number((await countPastStageTime(myTimedStages).execute(this.db)).rows[0]?.n ?? 0);
        // the groups count every file of the stages; with the stage-time filter the total is counted itself
        if (query.stageTime === 'over') stageFilteredTotal = Number((await filtered.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
      }
    } else {
      // A search looks through every file the cache holds, which is exactly what this official
      // may see (need-to-know), so a file they passed on is found too, at its current stage.
      // Few matches: the trigram index finds them and they are sorted. Many (or a word under
      // three letters, which trigrams cannot look up): the sort order's index is walked and each
      // file's short search text tested, which stops as soon as the page is full.
      const trigram = trigramQuery(words);
      // the trigram index is asked once: up to FEW_MATCHES + 1 rowids, which are then the set itself
      const matched =
        trigram === null
          ? null
          : (
              await sql<{ r: number }>`SELECT rowid AS r FROM application_search_trigram WHERE application_search_trigram MATCH ${trigram} LIMIT ${FEW_MATCHES + 1}`.execute(this.db)
            ).rows.map((row) => row.r);
      const source =
        matched !== null && matched.length <= FEW_MATCHES
          ? sql`application_search s WHERE s.application_rowid IN (SELECT value FROM json_each(${JSON.stringify(matched)}))`
          : sql`application_search s WHERE ${sql.join(
              // LIKE '%word%' scans about a fifth faster than instr(); a word is letters and digits
              // only (no wildcard), and both sides are already lower case, so it matches the same
              words.map((w) => sql`s.search_text LIKE ${`%${w}%`}`),
              sql` AND `,
            )}`;
      const filters: RawBuilder<unknown>[] = [];
      if (query.permitTypeId) filters.push(sql` AND s.permit_type_id = ${query.permitTypeId}`);
      if (query.deadline === 'overdue') filters.push(sql` AND s.deadline_date < ${today}`);
      else if (query.deadline === 'today') filters.push(sql` AND s.deadline_date = ${today}`);
      else if (query.deadline === 'soon') filters.push(sql` AND s.deadline_date = ${soon}`);
      else if (query.deadline === 'on_time') filters.push(sql` AND s.deadline_date > ${soon} AND s.deadline_date < ${NO_DEADLINE}`);
      const overInSearch = sql` AND s.application_rowid IN (${pastStageTimeRowids(timedStages)})`;
      if (query.stageTime === 'over') filters.push(overInSearch);
      rowids = (
        await sql<{ r: number }>`SELECT s.application_rowid AS r FROM ${source}${sql.join(filters, sql``)} ORDER BY ${SEARCH_ORDER[sort]} LIMIT ${limit} OFFSET ${offset}`.execute(this.db)
      ).rows.map((r) => r.r);
      if (offset === 0 || query.withCounts) {
        groups = (await sql<Group>`SELECT s.permit_type_id, s.deadline_date, count(*) AS n FROM ${source} GROUP BY s.permit_type_id, s.deadline_date`.execute(this.db)).rows;
        if (query.withCounts && timedStages.length > 0) stageOverdue = await this.countRows(sql`${source}${overInSearch}`);
        if (query.stageTime === 'over') stageFilteredTotal = await this.countRows(sql`${source}${sql.join(filters, sql``)}`);
      }
    }
    const byRowid = new Map(
      rowids.length === 0
        ? []
        : (
            await this.db
              .selectFrom('applications')
              .select([
                sql<number>`rowid`.as('r'),
                'id',
                'registration_number',
                'applicant_name',
                'nik',
                'permit_type_id',
                'workflow_id',
                'stage',
                'submitted_at',
                'deadline_date',
                sql<string | null>`json_extract(data, '$.claimedBy.name')`.as('claimed_by_name'),
                sql<string>`json_extract(data, '$.stageEnteredAt')`.as('stage_entered_at'),
              ])
              .where(sql<boolean>`rowid IN (${sql.join(rowids)})`)
              .execute()
          ).map((row) => [row.r, row]),
    );
    const rows = rowids.map((r) => byRowid.get(r)).filter((row) => row !== undefined);
    const total = offset === 0 && groups ? (stageFilteredTotal ?? filteredTotal(groups)) : null;

    const permitTypes = await readPermitTypes(this.db);
    const ids = rows.map((r) => r.id);
    const pendingIds = await pendingApplicationIds(this.db, ids);
    const stageTime = (workflowId: string, stageId: string, enteredAt: string) => {
      const standard = workflows.get(workflowId)?.stages.find((st) => st.id === stageId)?.standardMinutes ?? null;
      return { stageStandardMinutes: standard, stageMinutesLeft: stageMinutesLeft(standard, enteredAt, office, holidays, nowInstant) };
    };
    const items = rows.map(
      (row): QueueItem => ({
        id: row.id,
        registrationNumber: row.registration_number,
        applicantName: row.applicant_name,
        nik: row.nik,
        permitTypeName: permitTypes.get(row.permit_type_id)?.name ?? row.permit_type_id,
        stage: row.stage,
        submittedAt: row.submitted_at,
        ...deadlineView(row.deadline_date, today, holidays),
        pending: pendingIds.has(row.id),
        claimedByName: row.claimed_by_name,
        ...stageTime(row.workflow_id, row.stage, row.stage_entered_at),
        rejectActionId: workflows.get(row.workflow_id)?.stages.find((st) => st.id === row.stage)?.actions.find((a) => a.kind === 'reject')?.id ?? null,
      }),
    );

    let counts: QueueCounts | null = null;
    if (query.withCounts && groups) {
      const byType = new Map<string, number>();
      for (const g of groups) byType.set(g.permit_type_id, (byType.get(g.permit_type_id) ?? 0) + g.n);
      const all = groups;
      counts = {
        all: sum(all, () => true),
        deadline: {
          overdue: sum(all, (g) => inDeadline(g.deadline_date, 'overdue')),
          today: sum(all, (g) => inDeadline(g.deadline_date, 'today')),
          soon: sum(all, (g) => inDeadline(g.deadline_date, 'soon')),
          on_time: sum(all, (g) => inDeadline(g.deadline_date, 'on_time')),
        },
        stageOverdue,
        permitTypes: [...byType].filter(([, n]) => n > 0).sort((a, b) => a[0].localeCompare(b[0])).map(([id, n]) => ({ id, name: permitTypes.get(id)?.name ?? id, count: n })),
      };
    }
    return { items, total, offset, stageNames: stages, canSign, counts };
  }

  /** The rows of `fromWhere` (a table or join and its conditions, as after FROM). */
  private async countRows(fromWhere: RawBuilder<unknown>): Promise<number> {
    return Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${fromWhere}`.execute(this.db)).rows[0]?.n ?? 0);
  }
}
