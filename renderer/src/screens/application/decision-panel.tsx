import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApplicationDetail } from '../../../../shared/contract';
import type { WorkflowAction } from '../../../../shared/workflow';
import { isConformityPass } from '../../../../shared/workflow-rules';
import { ReturnReasonForm } from '../../components/return-reason-form';

/**
 * The decision: the actions this official may take on the file now, and, for an action that
 * needs words, its form — the applicant's message for a return, else a reason (or the note a
 * file gets when its data differs from the national records).
 */
export function DecisionPanel({
  detail,
  checklist,
  checklistComplete,
  findingsCount,
  reasonFor,
  reasonKey,
  forward,
  back,
  busy,
  signing,
  onAction,
  onCancelReason,
  onDecide,
}: {
  detail: ApplicationDetail;
  checklist: Record<string, boolean>;
  checklistComplete: boolean;
  findingsCount: number;
  reasonFor: WorkflowAction | null;
  /** changes each time a reason form is opened, so it opens empty */
  reasonKey: number;
  /** the actions Alt+T and Alt+K take */
  forward: WorkflowAction | undefined;
  back: WorkflowAction | undefined;
  busy: boolean;
  signing: boolean;
  onAction(action: WorkflowAction): void;
  onCancelReason(): void;
  onDecide(action: WorkflowAction, reason: string | null): void;
}) {
  const { t } = useTranslation();
  const { application, permitType, actions } = detail;
  return (
    <section className="panel decision" aria-labelledby="decision-title">
      <h2 id="decision-title">{t('application.decision')}</h2>
      {actions.length === 0 && !detail.pending && <p className="muted">{t('application.notYours')}</p>}
      {reasonFor && detail.stageOutcomes[reasonFor.to] === 'returned' ? (
        <ReturnReasonForm
          application={application}
          permitType={permitType}
          city={detail.officeCity}
          checklist={checklist}
          busy={busy}
          onCancel={onCancelReason}
          onSend={(message) => onDecide(reasonFor, message)}
        />
      ) : reasonFor ? (
        <ReasonForm key={reasonKey} action={reasonFor} findingsCount={findingsCount} busy={busy} onCancel={onCancelReason} onConfirm={(reason) => onDecide(reasonFor, reason)} />
      ) : (
        <div className="button-row">
          {actions.map((action) => (
            <button
              key={action.id}
              type="button"
              className={`button ${action.kind === 'forward' || action.kind === 'sign' ? 'primary' : 'danger-outline'}`}
              onClick={() => onAction(action)}
              disabled={busy || signing || (action.requires.includes('checklist_complete') && !checklistComplete) || (action.kind === 'sign' && !application.permitNumber)}
              aria-keyshortcuts={action === forward ? 'Alt+T' : action === back ? 'Alt+K' : undefined}
            >
              {t(`actions.${action.id}`)}
              {action === forward && <kbd aria-hidden="true">Alt+T</kbd>}
              {action === back && <kbd aria-hidden="true">Alt+K</kbd>}
            </button>
          ))}
        </div>
      )}
    </section>
  );
}

/** A reason (or, passing a file that differs from the national records, a note), then confirm. */
function ReasonForm({
  action,
  findingsCount,
  busy,
  onCancel,
  onConfirm,
}: {
  action: WorkflowAction;
  findingsCount: number;
  busy: boolean;
  onCancel(): void;
  onConfirm(reason: string): void;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const pass = isConformityPass(action);
  return (
    <div className="reason-form">
      {pass && (
        <p className="alert warning" role="status">
          {t('application.noteRequired', { count: findingsCount })}
        </p>
      )}
      <label className="field">
        <span>
          {t(`actions.${action.id}`)} — {pass ? t('application.note') : t('application.reason')}
        </span>
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={4} placeholder={t('application.reasonPlaceholder')} autoFocus />
      </label>
      <div className="button-row">
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="button" className={`button ${pass ? 'primary' : 'danger'}`} onClick={() => onConfirm(reason)} disabled={busy || reason.trim() === ''}>
          {t('common.confirm')}
        </button>
      </div>
    </div>
  );
}
