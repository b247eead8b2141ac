import { z } from 'zod';
import { ROLES } from './roles';

/**
 * A workflow chain is configuration the central server holds and the desk syncs: which role
 * acts at each stage, the actions it may take and where each leads, and the stage's standard
 * time. Code reads it; it never names a stage of a particular office.
 */
export const actionRequirementSchema = z.enum(['checklist_complete', 'reason']);

/**
 * What an action does, which decides how the desk offers it and how the server takes it:
 * `sign` is taken only by delivering a PDF signed with the official's PKCS#12 certificate,
 * which the server verifies; the others are plain decisions (transition commands).
 */
export const ACTION_KINDS = ['forward', 'return', 'reject', 'sign'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const workflowActionSchema = z.object({
  id: z.string().min(1),
  to: z.string().min(1),
  kind: z.enum(ACTION_KINDS),
  requires: z.array(actionRequirementSchema).default([]),
  /**
   * The chain's numbering step: the server gives the file its permit number when this action is
   * applied (never when a file is merely opened), so the number is inside the PDF that is signed.
   */
  reservesPermitNumber: z.boolean().default(false),
  /**
   * A paraf: the official initials the final permit prepared at the numbering step. The
   * decision carries the SHA-256 of the prepared permit the desk showed; the server refuses one
   * that differs from the stored prepared permit, and records it in the event's evidence.
   */
  initialsPreparedPermit: z.boolean().optional(),
});

/** How a file that reaches a terminal stage ended; `issued` only behind a verified signature. */
export const STAGE_OUTCOMES = ['issued', 'returned', 'rejected', 'withdrawn'] as const;
export type StageOutcome = (typeof STAGE_OUTCOMES)[number];

export const workflowStageSchema = z.object({
  id: z.string().min(1),
  /** null for terminal stages (out of the desk's hands) */
  role: z.enum(ROLES).nullable(),
  standardMinutes: z.number().int().positive().nullable(),
  actions: z.array(workflowActionSchema),
  /** set on terminal stages */
  outcome: z.enum(STAGE_OUTCOMES).nullable().default(null),
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
    if (stage.role === null && !stage.outcome) problems.push(`terminal stage ${stage.id} has no outcome`);
    if (stage.role !== null && stage.outcome) problems.push(`stage ${stage.id} has an outcome but is not terminal`);
  }
  const signs = workflow.stages.flatMap((s) => s.actions).filter((a) => a.kind === 'sign');
  const numbers = workflow.stages.flatMap((s) => s.actions).filter((a) => a.reservesPermitNumber);
  if (workflow.stages.some((s) => s.outcome === 'issued')) {
    if (signs.length === 0) problems.push('the chain issues permits but has no signing step');
    if (numbers.length === 0) problems.push('the chain issues permits but has no numbering step');
  }
  return problems;
}
