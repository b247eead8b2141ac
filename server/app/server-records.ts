import type { Kysely, Selectable, Transaction } from 'kysely';
import {
  applicantSchema,
  referenceRecordSchema,
  type Application,
  type ApplicationEvent,
  type PermitType,
} from '../../shared/domain';
import type { Office } from '../../shared/office';
import type { Role } from '../../shared/roles';
import type { Workflow } from '../../shared/workflow';
import { cachedOffice, cachedOffices, cachedPermitTypes, cachedWorkflow, cachedWorkflows } from './definitions-cache';
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

/** The office's definition; every per-office setting (zone, holidays, roots, signers, TSA, numbering) is here. Cached per process (definitions-cache.ts). */
export async function loadOffice(db: Db, officeId: string): Promise<Office> {
  const office = await cachedOffice(db, officeId);
  if (!office) throw new Error(`no office ${officeId} on this server`);
  return office;
}

export async function loadOffices(db: Db): Promise<Office[]> {
  return cachedOffices(db);
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
  return cachedWorkflows(db, officeId);
}

/** A workflow by its (server-wide unique) id: callers pass the workflow of an application they already scoped to the office. */
export async function loadWorkflow(db: Db, workflowId: string): Promise<Workflow> {
  const workflow = await cachedWorkflow(db, workflowId);
  if (!workflow) throw new Error(`no workflow ${workflowId} on this server`);
  return workflow;
}

/** The office's permit types only. */
export async function loadPermitTypes(db: Db, officeId: string): Promise<PermitType[]> {
  return cachedPermitTypes(db, officeId);
}
