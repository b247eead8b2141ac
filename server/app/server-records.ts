import type { Kysely, Selectable, Transaction } from 'kysely';
import {
  applicantSchema,
  permitTypeSchema,
  referenceRecordSchema,
  type Application,
  type ApplicationEvent,
  type DocumentMeta,
  type PermitType,
} from '../../shared/domain';
import { officeSchema, type Office } from '../../shared/office';
import type { Role } from '../../shared/roles';
import { workflowSchema, type Workflow } from '../../shared/workflow';
import type { ApplicationTable, DocumentTable, EventTable, ReferenceRecordTable, ServerDatabase } from '../db/server-database';

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

export function documentMetaFromRow(row: Omit<Selectable<DocumentTable>, 'content'>): DocumentMeta {
  return {
    id: row.id,
    applicationId: row.application_id,
    kind: row.kind,
    fileName: row.file_name,
    mimeType: row.mime_type,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
  };
}

export function referenceFromRow(row: Selectable<ReferenceRecordTable>) {
  return referenceRecordSchema.parse({ source: row.source, nik: row.nik, fields: JSON.parse(row.fields), retrievedAt: row.retrieved_at });
}

export async function loadOffice(db: Db): Promise<Office> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', 'office').executeTakeFirstOrThrow();
  return officeSchema.parse(JSON.parse(row.value));
}

export async function loadWorkflows(db: Db): Promise<Workflow[]> {
  const rows = await db.selectFrom('workflows').select('definition').orderBy('id').execute();
  return rows.map((r) => workflowSchema.parse(JSON.parse(r.definition)));
}

export async function loadWorkflow(db: Db, workflowId: string): Promise<Workflow> {
  const row = await db.selectFrom('workflows').select('definition').where('id', '=', workflowId).executeTakeFirstOrThrow();
  return workflowSchema.parse(JSON.parse(row.definition));
}

export async function loadPermitTypes(db: Db): Promise<PermitType[]> {
  const rows = await db.selectFrom('permit_types').select('definition').orderBy('id').execute();
  return rows.map((r) => permitTypeSchema.parse(JSON.parse(r.definition)));
}
