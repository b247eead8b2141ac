import type { Role } from './roles';
import { findAction, findStage, type Workflow, type WorkflowAction, type WorkflowStage } from './workflow';

/**
 * The one judge of a workflow step, used by the desk (to offer and pre-check actions) and by
 * the server (to decide). Pure: everything it needs is passed in, so both sides judge alike.
 */
export interface ActionAttempt {
  workflow: Workflow;
  /** where the file is now (on the server: the truth; on the desk: the cache) */
  currentStage: string;
  /** the stage the official saw when deciding */
  expectedStage: string;
  role: Role;
  actionId: string;
  /** a plain decision (transition command), or the delivery of a signed permit */
  via: 'decision' | 'signed_permit';
  requirementIds: string[];
  /** the checklist as it will stand after the decision */
  checklist: Record<string, boolean>;
  reason: string | null;
  /** how many conformity findings the file has (differences, expired STR) */
  conformityFindings: number;
  hasPermitNumber: boolean;
  /** a signed permit the server verified is on record for the file */
  hasVerifiedSignature: boolean;
}

export type RuleRefusalCode =
  | 'TRANSITION_NOT_ALLOWED'
  | 'FORBIDDEN_ROLE'
  | 'STAGE_CHANGED'
  | 'CHECKLIST_INCOMPLETE'
  | 'REASON_REQUIRED'
  | 'NOTE_REQUIRED'
  | 'PERMIT_NUMBER_MISSING';

export type RuleVerdict =
  | { ok: true; stage: WorkflowStage; action: WorkflowAction; target: WorkflowStage }
  | { ok: false; code: RuleRefusalCode; message: string };

const refuse = (code: RuleRefusalCode, message: string): RuleVerdict => ({ ok: false, code, message });

/** Whether this action passes a file that the official checked against the national records. */
export function isConformityPass(action: WorkflowAction): boolean {
  return action.kind === 'forward' && action.requires.includes('checklist_complete');
}

export function judgeAction(attempt: ActionAttempt): RuleVerdict {
  const { workflow, expectedStage } = attempt;
  const stage = findStage(workflow, expectedStage);
  const action = findAction(workflow, expectedStage, attempt.actionId);
  if (!stage || !action) return refuse('TRANSITION_NOT_ALLOWED', `action ${attempt.actionId} is not allowed at stage ${expectedStage}`);
  const target = findStage(workflow, action.to);
  if (!target) return refuse('TRANSITION_NOT_ALLOWED', `action ${action.id} leads to unknown stage ${action.to}`);
  if (stage.role !== attempt.role) return refuse('FORBIDDEN_ROLE', `role ${attempt.role} may not act at stage ${stage.id}`);
  if (attempt.currentStage !== expectedStage) return refuse('STAGE_CHANGED', `application is at stage ${attempt.currentStage}, not ${expectedStage}`);

  if (action.kind === 'sign' && attempt.via !== 'signed_permit') {
    return refuse('TRANSITION_NOT_ALLOWED', `action ${action.id} is taken only by signing the permit with a certificate`);
  }
  if (action.kind !== 'sign' && attempt.via === 'signed_permit') {
    return refuse('TRANSITION_NOT_ALLOWED', `no permit is signed at stage ${stage.id}`);
  }
  if (action.kind === 'sign' && !attempt.hasPermitNumber) {
    return refuse('PERMIT_NUMBER_MISSING', 'the permit has no number yet: it is given at the chain\'s numbering step');
  }
  if (target.outcome === 'issued' && action.kind !== 'sign' && !attempt.hasVerifiedSignature) {
    return refuse('TRANSITION_NOT_ALLOWED', 'a permit is issued only after the server has verified its signature');
  }

  if (action.requires.includes('checklist_complete')) {
    const missing = attempt.requirementIds.filter((id) => attempt.checklist[id] !== true);
    if (missing.length > 0) return refuse('CHECKLIST_INCOMPLETE', `requirements not met: ${missing.join(', ')}`);
  }
  const reason = attempt.reason?.trim() || null;
  if (action.requires.includes('reason') && !reason) return refuse('REASON_REQUIRED', `action ${action.id} needs a reason`);
  if (isConformityPass(action) && attempt.conformityFindings > 0 && !reason) {
    return refuse('NOTE_REQUIRED', `the file has ${attempt.conformityFindings} conformity finding(s): passing it needs a note`);
  }
  return { ok: true, stage, action, target };
}

/** The actions a role may be offered at a stage; signing ones are offered through the signing path. */
export function actionsForRole(workflow: Workflow, stageId: string, role: Role): WorkflowAction[] {
  const stage = findStage(workflow, stageId);
  return stage && stage.role === role ? stage.actions : [];
}

/** The action of kind `sign` at a stage, if the stage is a signing step. */
export function signingAction(workflow: Workflow, stageId: string): WorkflowAction | undefined {
  return findStage(workflow, stageId)?.actions.find((a) => a.kind === 'sign');
}
