import type { Kysely, Selectable, Transaction } from 'kysely';
import {
  applicantSchema,
  permitTypeSchema,
  referenceRecordSchema,
  type Application,
  type ApplicationEvent,
  type PermitType,
} from '../../shared/domain';
import { officeSchema, type Office } from '../../shared/office';
import type { Role } from '../../shared/roles';
import { workflowSchema, type Workflow } from '../../shared/workflow';
import type { ApplicationTable, EventTable, ReferenceRecordTable, ServerDatabase } from '../db/server-database';

type Db = Kysely<ServerDatabase> | Transaction<ServerDatabase>;

export function applicationFromRow(row: Selectable<ApplicationTable>): Application {
  return {
    id: row.id,
    registrationNumber: row.registration_number,
    permitTypeId: row.permit_type_id,
    workflowId: row.workflow_id,
    stage: row.stage,
    applicant: applicantSchema.parse(JSON.parse(row.applicant)),
    checklist: JSON.parse(row.checklist) as Record<string, boolean>,
    submittedAt: row.submitted_at,
    completeAt: row.complete_at,
    stageEnteredAt: row.stage_entered_at,
    permitNumber: row.permit_number,
    verificationId: row.verification_id,
    version: row.version,
    claimedBy: null,
    signedPermit: null,
    permitNumberVoided: false,
  };
}

export function eventFromRow(row: Selectable<EventTable>): ApplicationEvent {
  return {
    id: row.id,
    applicationId: row.application_id,
    commandId: row.command_id,
    actorName: row.actor_name,
    actorRole: row.actor_role as Role | null,
    action: row.action,
    fromStage: row.from_stage,
    toStage: row.to_stage,
    reason: row.reason,
    at: row.at,
    evidence: row.evidence ? (JSON.parse(row.evidence) as ApplicationEvent['evidence']) : null,
  };
}

export function referenceFromRow(row: Selectable<ReferenceRecordTable>) {
  return referenceRecordSchema.parse({ source: row.source, nik: row.nik, fields: JSON.parse(row.fields), retrievedAt: row.retrieved_at });
}

/** The office's definition; every per-office setting (zone, holidays, roots, signers, TSA, numbering) is here. */
export async function loadOffice(db: Db, officeId: string): Promise<Office> {
  const row = await db.selectFrom('offices').select('definition').where('id', '=', officeId).executeTakeFirst();
  if (!row) throw new Error(`no office ${officeId} on this server`);
  return officeSchema.parse(JSON.parse(row.definition));
}

export async function loadOffices(db: Db): Promise<Office[]> {
  const rows = await db.selectFrom('offices').select('definition').orderBy('id').execute();
  return rows.map((r) => officeSchema.parse(JSON.parse(r.definition)));
}

/** The office a command-line tool works on: the one named, else the only one the server holds. */
export async function resolveOfficeId(db: Db, named: string | undefined): Promise<string> {
  const ids = (await db.selectFrom('offices').select('id').orderBy('id').execute()).map((r) => r.id);
  if (named !== undefined) {
    if (!ids.includes(named)) throw new Error(`no office ${named} on this server (offices: ${ids.join(', ') || 'none'})`);
    return named;
  }
  if (ids.length !== 1) throw new Error(`name the office with --office (offices: ${ids.join(', ') || 'none'})`);
  return ids[0]!;
}

/** The office's workflows only. */
export async function loadWorkflows(db: Db, officeId: string): Promise<Workflow[]> {
  const rows = await db.selectFrom('workflows').select('definition').where('office_id', '=', officeId).orderBy('id').execute();
  return rows.map((r) => workflowSchema.parse(JSON.parse(r.definition)));
}

/** A workflow by its (server-wide unique) id: callers pass the workflow of an application they already scoped to the office. */
export async function loadWorkflow(db: Db, workflowId: string): Promise<Workflow> {
  const row = await db.selectFrom('workflows').select('definition').where('id', '=', workflowId).executeTakeFirstOrThrow();
  return workflowSchema.parse(JSON.parse(row.definition));
}

/** The office's permit types only. */
export async function loadPermitTypes(db: Db, officeId: string): Promise<PermitType[]> {
  const rows = await db.selectFrom('permit_types').select('definition').where('office_id', '=', officeId).orderBy('id').execute();
  return rows.map((r) => permitTypeSchema.parse(JSON.parse(r.definition)));
}
