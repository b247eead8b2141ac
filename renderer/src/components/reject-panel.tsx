import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QueueItem } from '../../../shared/contract';
import { COMMAND_LIMITS } from '../../../shared/sync-protocol';
import { invoke } from '../desk-api';
import { useErrorText } from '../use-error-text';
import { LengthCounter } from './length-counter';

/**
 * Rejects one or many applications with one reason, said so above the reason; each is its own
 * command to the server. A ticked file that cannot be rejected (its step has no rejection, or a
 * decision on it waits to be sent) is skipped: shown as such before confirming, and counted,
 * with why, in the summary ("2 ditolak, 1 dilewati (1 menunggu dikirim)").
 */
export function RejectPanel({ items, onClose }: { items: QueueItem[]; onClose(summary: string | null): void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  // each file's own chain names its rejection step; a file waiting to be sent is not decided twice
  const rejectable = items.filter((item) => item.rejectActionId !== null && !item.pending);
  const skipped = items.length - rejectable.length;
  const skippedPending = items.filter((item) => item.pending).length;
  const skippedReasons = [
    ...(skippedPending > 0 ? [t('signing.rejectSkippedPending', { count: skippedPending })] : []),
    ...(skipped - skippedPending > 0 ? [t('signing.rejectSkippedStep', { count: skipped - skippedPending })] : []),
  ].join(', ');

  const submit = async () => {
    setBusy(true);
    const failures: string[] = [];
    let rejected = 0;
    for (const item of rejectable) {
      const result = await invoke('review.decide', { applicationId: item.id, action: item.rejectActionId!, reason, checklist: null });
      if (result.ok) rejected += 1;
      else failures.push(`${item.registrationNumber}: ${errorText(result.error)}`);
    }
    setBusy(false);
    const summary = skipped > 0 ? t('signing.rejectSummary', { rejected, skipped, reasons: skippedReasons }) : t('signing.rejectDone', { count: rejected });
    if (failures.length === 0) onClose(summary);
    else setErrors([`${summary} ${t('signing.rejectFailed', { count: failures.length })}`, ...failures]);
  };

  return (
    <section className="panel signing-panel" role="dialog" aria-modal="false" aria-labelledby="reject-title">
      <h2 id="reject-title">{t('signing.rejectTitle')}</h2>
      <p className="muted">{t('signing.rejectIntro')}</p>
      <ul className="signing-list">
        {items.map((item) => (
          <li key={item.id} className={rejectable.includes(item) ? undefined : 'muted'}>
            <span>
              <strong>{item.registrationNumber}</strong> · {item.applicantName}
              {!rejectable.includes(item) && <> · {item.pending ? t('queue.pending') : t('signing.rejectNotRejectable')}</>}
            </span>
          </li>
        ))}
      </ul>
      <label className="field">
        <span>{t('application.reason')}</span>
        <textarea
          rows={3}
          aria-describedby="reject-reason-count reject-same-reason"
          value={reason}
          maxLength={COMMAND_LIMITS.reasonLength}
          onChange={(e) => setReason(e.target.value)}
          placeholder={t('application.reasonPlaceholder')}
        />
      </label>
      <LengthCounter id="reject-reason-count" length={reason.length} limit={COMMAND_LIMITS.reasonLength} />
      <p id="reject-same-reason" className="alert info">
        {t('signing.rejectSameReason', { count: rejectable.length })}
        {skipped > 0 && <> {t('signing.rejectWillSkip', { count: skipped, reasons: skippedReasons })}</>}
      </p>
      {errors.map((e) => (
        <p key={e} className="alert error" role="alert">
          {e}
        </p>
      ))}
      <div className="button-row">
        <button type="button" className="button" onClick={() => onClose(null)} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="button" className="button danger" onClick={() => void submit()} disabled={busy || reason.trim() === '' || rejectable.length === 0}>
          {t('signing.rejectConfirm', { count: rejectable.length })}
        </button>
      </div>
    </section>
  );
}
