import { z } from 'zod';
import { ROLES } from './roles';

/**
 * A workflow chain is configuration the central server holds and the desk syncs: which role
 * acts at each stage, the actions it may take and where each leads, and the stage's standard
 * time. Code reads it; it never names a stage of a particular office.
 */
/** `signed_document`: only the signing path may take it, never a plain transition command */
export const actionRequirementSchema = z.enum(['checklist_complete', 'reason', 'signed_document']);

export const workflowActionSchema = z.object({
  id: z.string().min(1),
  to: z.string().min(1),
  /** the kind of decision, for the UI's wording and colour */
  kind: z.enum(['forward', 'return', 'reject', 'issue']),
  requires: z.array(actionRequirementSchema).default([]),
  /** the server gives the file its permit number when this action is applied */
  reservesPermitNumber: z.boolean().default(false),
});

export const workflowStageSchema = z.object({
  id: z.string().min(1),
  /** null for terminal stages (out of the desk's hands) */
  role: z.enum(ROLES).nullable(),
  standardMinutes: z.number().int().positive().nullable(),
  actions: z.array(workflowActionSchema),
});

export const workflowSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  initialStage: z.string().min(1),
  stages: z.array(workflowStageSchema).min(1),
});

export type WorkflowAction = z.infer<typeof workflowActionSchema>;
export type WorkflowStage = z.infer<typeof workflowStageSchema>;
export type Workflow = z.infer<typeof workflowSchema>;

export function findStage(workflow: Workflow, stageId: string): WorkflowStage | undefined {
  return workflow.stages.find((s) => s.id === stageId);
}

export function findAction(workflow: Workflow, stageId: string, actionId: string): WorkflowAction | undefined {
  return findStage(workflow, stageId)?.actions.find((a) => a.id === actionId);
}

/** Stages in which the given role is the one to act. */
export function stagesForRole(workflow: Workflow, role: string): string[] {
  return workflow.stages.filter((s) => s.role === role).map((s) => s.id);
}

/** Checks a workflow's internal consistency: every action leads to a stage that exists. */
export function workflowProblems(workflow: Workflow): string[] {
  const ids = new Set(workflow.stages.map((s) => s.id));
  const problems: string[] = [];
  if (!ids.has(workflow.initialStage)) problems.push(`initial stage ${workflow.initialStage} is not a stage`);
  for (const stage of workflow.stages) {
    for (const action of stage.actions) {
      if (!ids.has(action.to)) problems.push(`${stage.id}.${action.id} leads to unknown stage ${action.to}`);
    }
    if (stage.role === null && stage.actions.length > 0) problems.push(`terminal stage ${stage.id} has actions`);
  }
  return problems;
}
