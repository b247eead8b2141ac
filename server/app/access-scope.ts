import type { Kysely, Selectable } from 'kysely';
import { stagesForRole } from '../../shared/workflow';
import type { Role } from '../../shared/roles';
import type { ApplicationTable, ServerDatabase, UserTable } from '../db/server-database';
import { loadWorkflows } from './server-records';

/** Roles that oversee the whole office (monitoring, complaints): they see every file of it. */
const OFFICE_WIDE_ROLES: readonly Role[] = ['kepala_dinas', 'sekretaris'];

/**
 * Which of these files an official may see with their personal data: those at a stage their
 * role acts on, and those they acted on themselves; the Kepala Dinas and the Sekretaris see
 * the whole office. One rule for pulls and for documents.
 */
export async function visibleApplicationIds(db: Kysely<ServerDatabase>, user: UserTable, rows: Array<Pick<Selectable<ApplicationTable>, 'id' | 'stage'>>): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  if (OFFICE_WIDE_ROLES.includes(user.role as Role)) return new Set(rows.map((r) => r.id));
  const stages = new Set((await loadWorkflows(db)).flatMap((w) => stagesForRole(w, user.role)));
  const visible = new Set(rows.filter((r) => stages.has(r.stage)).map((r) => r.id));
  const others = rows.filter((r) => !visible.has(r.id)).map((r) => r.id);
  if (others.length > 0) {
    const acted = await db
      .selectFrom('events')
      .innerJoin('commands', 'commands.id', 'events.command_id')
      .select('events.application_id')
      .where('commands.user_id', '=', user.id)
      .where('events.application_id', 'in', others)
      .distinct()
      .execute();
    for (const row of acted) visible.add(row.application_id);
  }
  return visible;
}

/** Whether the official may see this one file (its documents, its data). */
export async function mayViewApplication(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string): Promise<boolean> {
  const row = await db.selectFrom('applications').select(['id', 'stage']).where('id', '=', applicationId).executeTakeFirst();
  return row !== undefined && (await visibleApplicationIds(db, user, [row])).has(row.id);
}
