import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApplicationDetail } from '../../../../shared/contract';
import { COMMAND_LIMITS } from '../../../../shared/sync-protocol';
import type { WorkflowAction } from '../../../../shared/workflow';
import { isConformityPass } from '../../../../shared/workflow-rules';
import { LengthCounter } from '../../components/length-counter';
import { ReturnReasonForm } from '../../components/return-reason-form';
import { readDraft, setDraftReason, setDraftReturnUnmet, type DraftKey } from './decision-drafts';

/**
 * The decision: the actions this official may take on the file now, and, for an action that
 * needs words, its form — the applicant's message for a return, else a reason (or the note a
 * file gets when its data differs from the national records). What the official types is kept
 * as the file's draft; a refused decision is said here, next to the button that sent it, with
 * the form still open.
 */
export function DecisionPanel({
  detail,
  draftKey,
  checklist,
  checklistComplete,
  findingsCount,
  reasonFor,
  reasonKey,
  forward,
  back,
  busy,
  signing,
  error,
  onAction,
  onCancelReason,
  onDecide,
}: {
  detail: ApplicationDetail;
  draftKey: DraftKey;
  checklist: Record<string, boolean>;
  checklistComplete: boolean;
  findingsCount: number;
  reasonFor: WorkflowAction | null;
  /** changes each time a reason form is opened, so it opens on the file's draft */
  reasonKey: number;
  /** the actions Alt+T and Alt+K take */
  forward: WorkflowAction | undefined;
  back: WorkflowAction | undefined;
  busy: boolean;
  signing: boolean;
  /** why the last decision was refused */
  error: string | null;
  onAction(action: WorkflowAction): void;
  onCancelReason(): void;
  onDecide(action: WorkflowAction, reason: string | null): void;
}) {
  const { t } = useTranslation();
  const { application, permitType, actions } = detail;
  const unavailable = (action: WorkflowAction) =>
    (action.requires.includes('checklist_complete') && !checklistComplete) || (action.kind === 'sign' && !application.permitNumber);
  const refusal = error && (
    <p className="alert error" role="alert" data-testid="decision-error">
      {error}
    </p>
  );
  return (
    <section className="panel decision" aria-labelledby="decision-title">
      <h2 id="decision-title">{t('application.decision')}</h2>
      {actions.length === 0 && !detail.pending && !reasonFor && <p className="muted">{t('application.notYours')}</p>}
      {reasonFor && detail.stageOutcomes[reasonFor.to] === 'returned' ? (
        <ReturnReasonForm
          key={reasonKey}
          application={application}
          permitType={permitType}
          city={detail.officeCity}
          checklist={checklist}
          initialNote={readDraft(draftKey).reasons[reasonFor.id] ?? ''}
          initialUnmet={readDraft(draftKey).returnUnmet}
          busy={busy}
          error={refusal}
          onNoteChange={(note) => setDraftReason(draftKey, reasonFor.id, note)}
          onUnmetChange={(unmet) => setDraftReturnUnmet(draftKey, unmet)}
          onCancel={onCancelReason}
          onSend={(message) => onDecide(reasonFor, message)}
        />
      ) : reasonFor ? (
        <ReasonForm
          key={reasonKey}
          action={reasonFor}
          findingsCount={findingsCount}
          initialReason={readDraft(draftKey).reasons[reasonFor.id] ?? ''}
          busy={busy}
          error={refusal}
          onReasonChange={(reason) => setDraftReason(draftKey, reasonFor.id, reason)}
          onCancel={onCancelReason}
          onConfirm={(reason) => onDecide(reasonFor, reason)}
        />
      ) : (
        <>
          {refusal}
          <WhyDisabled actions={actions} busy={busy || signing} missingTicks={permitType.requirements.filter((r) => checklist[r.id] !== true).length} numbered={application.permitNumber !== null} />
          <div className="button-row">
            {actions.map((action) => (
              <button
                key={action.id}
                type="button"
                className={`button ${action.kind === 'forward' || action.kind === 'sign' ? 'primary' : 'danger-outline'}`}
                onClick={() => onAction(action)}
                disabled={busy || signing || unavailable(action)}
                aria-describedby={unavailable(action) ? 'why-disabled' : undefined}
                aria-keyshortcuts={action === forward ? 'Alt+T' : action === back ? 'Alt+K' : undefined}
              >
                {t(`actions.${action.id}`)}
                {action === forward && <kbd aria-hidden="true">Alt+T</kbd>}
                {action === back && <kbd aria-hidden="true">Alt+K</kbd>}
              </button>
            ))}
          </div>
        </>
      )}
    </section>
  );
}

/** A reason (or, passing a file that differs from the national records, a note), then confirm. */
function ReasonForm({
  action,
  findingsCount,
  initialReason,
  busy,
  error,
  onReasonChange,
  onCancel,
  onConfirm,
}: {
  action: WorkflowAction;
  findingsCount: number;
  initialReason: string;
  busy: boolean;
  error: ReactNode;
  onReasonChange(reason: string): void;
  onCancel(): void;
  onConfirm(reason: string): void;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState(initialReason);
  const field = useRef<HTMLTextAreaElement>(null);
  // a restored draft is carried on from its end
  useEffect(() => field.current?.setSelectionRange(field.current.value.length, field.current.value.length), []);
  const pass = isConformityPass(action);
  // a step forward other than the penata's pass, on a file with findings: confirmed, a note optional
  const confirmOnly = !pass && action.kind === 'forward' && !action.requires.includes('reason');
  const limit = COMMAND_LIMITS.reasonLength;
  const actionName = t(`actions.${action.id}`);
  return (
    <div className="reason-form">
      {(pass || confirmOnly) && (
        <p className="alert warning" role="status" data-testid="findings-warning">
          {t(pass ? 'application.noteRequired' : 'application.confirmDespiteFindings', { count: findingsCount })}
        </p>
      )}
      <label className="field">
        <span>
          {t(`actions.${action.id}`)} — {confirmOnly ? t('application.optionalNote') : pass ? t('application.note') : t('application.reason')}
        </span>
        <textarea
          ref={field}
          value={reason}
          onChange={(e) => {
            setReason(e.target.value);
            onReasonChange(e.target.value);
          }}
          rows={4}
          maxLength={limit}
          aria-describedby="decision-reason-count"
          placeholder={t('application.reasonPlaceholder')}
          autoFocus
        />
      </label>
      <LengthCounter id="decision-reason-count" length={reason.length} limit={limit} />
      {error}
      <div className="button-row">
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className={`button ${pass || confirmOnly ? 'primary' : 'danger'}`}
          onClick={() => onConfirm(reason)}
          disabled={busy || (!confirmOnly && reason.trim() === '') || reason.trim().length > limit}
        >
          {confirmOnly ? t('application.confirmAnyway', { action: actionName, actionLower: actionName.charAt(0).toLocaleLowerCase('id') + actionName.slice(1) }) : t('common.confirm')}
        </button>
      </div>
    </div>
  );
}

/** Why an action shown is not available yet, said next to it rather than left to a greyed-out button. */
function WhyDisabled({ actions, busy, missingTicks, numbered }: { actions: WorkflowAction[]; busy: boolean; missingTicks: number; numbered: boolean }) {
  const { t } = useTranslation();
  if (busy) return null;
  const reasons = actions.flatMap((action) => {
    const name = t(`actions.${action.id}`);
    if (action.requires.includes('checklist_complete') && missingTicks > 0) return [t('application.whyDisabledChecklist', { action: name, count: missingTicks })];
    if (action.kind === 'sign' && !numbered) return [t('application.whyDisabledNumber', { action: name })];
    return [];
  });
  if (reasons.length === 0) return null;
  return (
    <ul id="why-disabled" className="why-disabled muted" data-testid="why-disabled">
      {reasons.map((reason) => (
        <li key={reason}>{reason}</li>
      ))}
    </ul>
  );
}
