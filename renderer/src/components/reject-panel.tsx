import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QueueItem } from '../../../shared/contract';
import { invoke } from '../desk-api';
import { useErrorText } from '../use-error-text';

/** Rejects one or many applications with one reason; each is its own command to the server. */
export function RejectPanel({ items, onClose }: { items: QueueItem[]; onClose(summary: string | null): void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  const submit = async () => {
    setBusy(true);
    const failures: string[] = [];
    let rejected = 0;
    for (const item of items) {
      // each file's own chain names its rejection step
      if (!item.rejectActionId) {
        failures.push(`${item.registrationNumber}: ${errorText({ code: 'TRANSITION_NOT_ALLOWED', message: '' })}`);
        continue;
      }
      const result = await invoke('review.decide', { applicationId: item.id, action: item.rejectActionId, reason, checklist: null });
      if (result.ok) rejected += 1;
      else failures.push(`${item.registrationNumber}: ${errorText(result.error)}`);
    }
    setBusy(false);
    if (failures.length === 0) onClose(t('signing.rejectDone', { count: rejected }));
    else setErrors(failures);
  };

  return (
    <section className="panel signing-panel" role="dialog" aria-modal="false" aria-labelledby="reject-title">
      <h2 id="reject-title">{t('signing.rejectTitle')}</h2>
      <p className="muted">{t('signing.rejectIntro')}</p>
      <ul className="signing-list">
        {items.map((item) => (
          <li key={item.id}>
            <strong>{item.registrationNumber}</strong> · {item.applicantName}
          </li>
        ))}
      </ul>
      <label className="field">
        <span>{t('application.reason')}</span>
        <textarea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('application.reasonPlaceholder')} />
      </label>
      {errors.map((e) => (
        <p key={e} className="alert error" role="alert">
          {e}
        </p>
      ))}
      <div className="button-row">
        <button type="button" className="button" onClick={() => onClose(null)} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="button" className="button danger" onClick={() => void submit()} disabled={busy || reason.trim() === ''}>
          {t('common.confirm')}
        </button>
      </div>
    </section>
  );
}
