import type { Kysely } from 'kysely';
import type { QueueItem } from '../../shared/contract';
import { stagesForRole } from '../../shared/workflow';
import type { CacheDatabase } from '../../db/cache-database';
import { holidaySet, readOffice, readPermitTypes, readWorkflows } from './cache-reads';
import { deadlineOf } from './deadline';
import type { SessionService } from './session-service';

/** The signed-in official's queue: the files at the stages their role acts on, most urgent first. */
export class QueueService {
  constructor(
    private readonly db: Kysely<CacheDatabase>,
    private readonly session: SessionService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(search?: string): Promise<{ items: QueueItem[]; stageNames: string[]; canSign: boolean }> {
    const user = this.session.requireUser();
    const workflows = await readWorkflows(this.db);
    const stages = [...new Set([...workflows.values()].flatMap((w) => stagesForRole(w, user.role)))];
    const canSign = [...workflows.values()].some((w) => w.stages.some((st) => st.role === user.role && st.actions.some((a) => a.requires.includes('signed_document'))));
    if (stages.length === 0) return { items: [], stageNames: [], canSign };
    let query = this.db
      .selectFrom('applications')
      .select(['id', 'registration_number', 'applicant_name', 'nik', 'permit_type_id', 'stage', 'submitted_at', 'complete_at'])
      .where('stage', 'in', stages);
    const term = search?.trim();
    if (term) {
      const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) =>
        eb.or([eb('applicant_name', 'like', eb.val(like)), eb('nik', 'like', eb.val(like)), eb('registration_number', 'like', eb.val(like))]),
      );
    }
    const rows = await query.orderBy('submitted_at').execute();
    const pendingIds = new Set(
      (await this.db.selectFrom('outbox').select('application_id').where('status', '=', 'pending').execute()).map((r) => r.application_id),
    );
    const permitTypes = await readPermitTypes(this.db);
    const office = await readOffice(this.db);
    const holidays = holidaySet(office);
    const now = this.now();
    const items = rows.map((row): QueueItem => {
      const permitType = permitTypes.get(row.permit_type_id);
      const { deadline, workingDaysLeft } = deadlineOf(row.complete_at, permitType?.slaWorkingDays ?? 3, office, holidays, now);
      return {
        id: row.id,
        registrationNumber: row.registration_number,
        applicantName: row.applicant_name,
        nik: row.nik,
        permitTypeName: permitType?.name ?? row.permit_type_id,
        stage: row.stage,
        submittedAt: row.submitted_at,
        deadline,
        workingDaysLeft,
        pending: pendingIds.has(row.id),
      };
    });
    items.sort((a, b) => (a.workingDaysLeft ?? 99) - (b.workingDaysLeft ?? 99) || a.submittedAt.localeCompare(b.submittedAt));
    return { items, stageNames: stages, canSign };
  }
}
