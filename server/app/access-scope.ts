import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { engineOf } from '../db/server-engine';
import { stagesForRole, type Workflow } from '../../shared/workflow';
import type { Role } from '../../shared/roles';
import type { ApplicationTable, ServerDatabase, UserTable } from '../db/server-database';
import { loadWorkflows } from './server-records';

/** Roles that oversee the whole office (monitoring, complaints): they see every file of it. */
const OFFICE_WIDE_ROLES: readonly Role[] = ['kepala_dinas', 'sekretaris'];

type Db = Kysely<ServerDatabase> | Transaction<ServerDatabase>;

/**
 * A file of the official's own office, or undefined: a file of another office answers as if it
 * did not exist, so nothing tells an official of one office what another office holds.
 */
export async function officeApplication(db: Db, user: UserTable, applicationId: string): Promise<Selectable<ApplicationTable> | undefined> {
  return db.selectFrom('applications').selectAll().where('id', '=', applicationId).where('office_id', '=', user.office_id).executeTakeFirst();
}

/**
 * Which of these files an official may see with their personal data: files of their own
 * office at a stage their role acts on, and those they acted on themselves; the Kepala Dinas
 * and the Sekretaris see the whole office. One rule for pulls and for documents.
 */
export async function visibleApplicationIds(
  db: Kysely<ServerDatabase>,
  user: UserTable,
  all: Array<Pick<Selectable<ApplicationTable>, 'id' | 'stage' | 'office_id'>>,
  /** the office's workflows, when the caller has them already */
  workflows?: readonly Workflow[],
): Promise<Set<string>> {
  const rows = all.filter((r) => r.office_id === user.office_id);
  if (rows.length === 0) return new Set();
  if (OFFICE_WIDE_ROLES.includes(user.role as Role)) return new Set(rows.map((r) => r.id));
  const stages = new Set((workflows ?? (await loadWorkflows(db, user.office_id))).flatMap((w) => stagesForRole(w, user.role)));
  const visible = new Set(rows.filter((r) => stages.has(r.stage)).map((r) => r.id));
  const others = rows.filter((r) => !visible.has(r.id)).map((r) => r.id);
  if (others.length > 0) {
    const acted = await db
      .selectFrom('events')
      .innerJoin('commands', 'commands.id', 'events.command_id')
      .select('events.application_id')
      .where('commands.user_id', '=', user.id)
      // PostgreSQL: the ids as one array parameter, so the statement is the same text for any page
      // (prepared once per connection, prepared-statements.ts) instead of planned anew per pull
      .where((eb) => (engineOf(db) === 'postgres' ? eb('events.application_id', '=', sql<string>`ANY(${others}::text[])`) : eb('events.application_id', 'in', others)))
      .distinct()
      .execute();
    for (const row of acted) visible.add(row.application_id);
  }
  return visible;
}

/**
 * What the official may do with one file: see it (`visible`), know it exists but not see its
 * personal data (`outside_work`, a file of their office outside their work: 403), or nothing
 * (`not_found`: no such file, or another office's: 404).
 */
export async function applicationAccess(db: Kysely<ServerDatabase>, user: UserTable, applicationId: string): Promise<'visible' | 'outside_work' | 'not_found'> {
  const row = await db.selectFrom('applications').select(['id', 'stage', 'office_id']).where('id', '=', applicationId).where('office_id', '=', user.office_id).executeTakeFirst();
  if (!row) return 'not_found';
  return (await visibleApplicationIds(db, user, [row])).has(row.id) ? 'visible' : 'outside_work';
}
