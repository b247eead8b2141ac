/**
 * What an official has ticked and typed on a file but not yet sent, kept for the session so that
 * leaving the file (back to the queue, next/previous, Esc, a refused decision) loses none of it.
 * Held in memory only, never in localStorage: it holds applicants' personal data. Cleared when
 * the decision is sent and, for everyone, on sign-out.
 */
export interface DecisionDraft {
  /** the requirement ticks the official changed, laid over the file's own checklist */
  ticks: Readonly<Record<string, boolean>>;
  /** the reason or note typed, by action id (for a return: the free note under the templates) */
  reasons: Readonly<Record<string, string>>;
  /** the return form's requirements marked unmet; null until the official changes them */
  returnUnmet: readonly string[] | null;
}

/** whose draft on which file */
export interface DraftKey {
  userId: string;
  applicationId: string;
}

const EMPTY: DecisionDraft = { ticks: {}, reasons: {}, returnUnmet: null };

const drafts = new Map<string, DecisionDraft>();

const keyOf = ({ userId, applicationId }: DraftKey) => JSON.stringify([userId, applicationId]);

export function readDraft(key: DraftKey): DecisionDraft {
  return drafts.get(keyOf(key)) ?? EMPTY;
}

export function updateDraft(key: DraftKey, change: (draft: DecisionDraft) => DecisionDraft): void {
  drafts.set(keyOf(key), change(readDraft(key)));
}

export function setDraftTick(key: DraftKey, requirementId: string, met: boolean): void {
  updateDraft(key, (d) => ({ ...d, ticks: { ...d.ticks, [requirementId]: met } }));
}

export function setDraftReason(key: DraftKey, actionId: string, text: string): void {
  updateDraft(key, (d) => ({ ...d, reasons: { ...d.reasons, [actionId]: text } }));
}

export function setDraftReturnUnmet(key: DraftKey, unmet: readonly string[]): void {
  updateDraft(key, (d) => ({ ...d, returnUnmet: [...unmet] }));
}

/** the decision on this file was sent: nothing of it is a draft any more */
export function clearDraft(key: DraftKey): void {
  drafts.delete(keyOf(key));
}

/** on sign-out: the next official sees nothing of this one's work */
export function clearAllDrafts(): void {
  drafts.clear();
}
