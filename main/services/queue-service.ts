import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { DeadlineState, QueueCounts, QueueItem, QueueQuery } from '../../shared/contract';
import { calendarDateIn, deadlineAfterWorkingDays } from '../../shared/working-days';
import { stagesForRole } from '../../shared/workflow';
import type { CacheDatabase } from '../../db/cache-database';
import { holidaySet, readOffice, readPermitTypes, readWorkflows } from './cache-reads';
import type { SessionService } from './session-service';
import { deadlineView, stageMinutesLeft } from './deadline';

const PAGE = 100;

/** A search box's words as an FTS5 query: every word must match the start of a token. */
export function ftsQuery(search: string): string | null {
  const words = search.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length ? words.map((w) => `"${w}"*`).join(' AND ') : null;
}

type Base = SelectQueryBuilder<CacheDatabase, 'applications', object>;

/**
 * The signed-in official's queue: the files at the stages their role acts on, filtered,
 * searched (FTS5), sorted and paged in SQLite, so 100,000 cached files stay instant. Deadlines
 * are stored per file; "overdue", "today" and "soon" are ranges over that column.
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
    const today = calendarDateIn(this.now(), office?.timeZone ?? 'Asia/Jakarta');
    const soon = deadlineAfterWorkingDays(today, 1, holidays);
    const fts = query.search ? ftsQuery(query.search) : null;

    // The queue is the files at the official's stages; a search looks through every file the
    // cache holds, which is exactly what this official may see (need-to-know), so a file they
    // passed on is found too, shown at its current stage.
    const scoped = (): Base => {
      let q = this.db.selectFrom('applications') as Base;
      if (fts) q = q.where(sql<boolean>`rowid IN (SELECT rowid FROM applications_fts WHERE applications_fts MATCH ${fts})`);
      else q = q.where('stage', 'in', stages);
      return q;
    };
    const sort = query.sort ?? 'deadline';
    const byDeadline = (q: Base, state: DeadlineState): Base => {
      if (state === 'overdue') return q.where('deadline_date', '<', today);
      if (state === 'today') return q.where('deadline_date', '=', today);
      if (state === 'soon') return q.where('deadline_date', '=', soon);
      return q.where('deadline_date', '>', soon);
    };

    let filtered = scoped();
    if (query.permitTypeId) filtered = filtered.where('permit_type_id', '=', query.permitTypeId);
    if (query.deadline) filtered = byDeadline(filtered, query.deadline);

    let page = filtered.select([
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
    ]);
    // rowid last: a unique, stable order that the indexes already carry, so paging needs no sort
    if (sort === 'deadline') page = page.orderBy('deadline_date').orderBy('submitted_at').orderBy(sql`rowid`);
    else if (sort === 'submitted') page = page.orderBy('submitted_at').orderBy('deadline_date').orderBy(sql`rowid`);
    else page = page.orderBy('applicant_name').orderBy('deadline_date').orderBy(sql`rowid`);
    const rows = await page.limit(query.limit ?? PAGE).offset(offset).execute();
    const total = offset === 0 ? Number((await filtered.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n) : null;

    const permitTypes = await readPermitTypes(this.db);
    const ids = rows.map((r) => r.id);
    const pendingIds = new Set(
      ids.length ? (await this.db.selectFrom('outbox').select('application_id').where('status', '=', 'pending').where('application_id', 'in', ids).execute()).map((r) => r.application_id) : [],
    );
    const nowInstant = this.now();
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
    if (query.withCounts) {
      const count = async (q: Base) => Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const byType = await scoped().select(['permit_type_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('permit_type_id').execute();
      counts = {
        all: await count(scoped()),
        deadline: {
          overdue: await count(byDeadline(scoped(), 'overdue')),
          today: await count(byDeadline(scoped(), 'today')),
          soon: await count(byDeadline(scoped(), 'soon')),
          on_time: await count(byDeadline(scoped(), 'on_time')),
        },
        permitTypes: byType.map((r) => ({ id: r.permit_type_id, name: permitTypes.get(r.permit_type_id)?.name ?? r.permit_type_id, count: Number(r.n) })),
      };
    }
    return { items, total, offset, stageNames: stages, canSign, counts };
  }
}
