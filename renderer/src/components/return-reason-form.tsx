import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Application, PermitType } from '../../../shared/domain';

interface ReturnReasonFormProps {
  application: Application;
  permitType: PermitType;
  city: string;
  checklist: Record<string, boolean>;
  busy: boolean;
  onCancel(): void;
  onSend(message: string): void;
}

/**
 * Returning a file to the applicant: a reason per unmet requirement from templates, free text,
 * and the exact message the applicant will read, shown before it is sent.
 */
export function ReturnReasonForm({ application, permitType, city, checklist, busy, onCancel, onSend }: ReturnReasonFormProps) {
  const { t } = useTranslation();
  const [unmet, setUnmet] = useState<Set<string>>(() => new Set(permitType.requirements.filter((r) => checklist[r.id] !== true).map((r) => r.id)));
  const [note, setNote] = useState('');

  const message = useMemo(() => {
    const reasons = permitType.requirements.filter((r) => unmet.has(r.id)).map((r) => t(`returnTemplates.${r.id}`, { defaultValue: t('returnTemplates.generic', { requirement: r.label }) }));
    if (note.trim()) reasons.push(note.trim());
    if (reasons.length === 0) return '';
    return [
      t('returnTemplates.greeting', { name: application.applicant.fullName }),
      t('returnTemplates.opening', { permit: permitType.name, number: application.registrationNumber }),
      ...reasons.map((reason, i) => `${i + 1}. ${reason}`),
      t('returnTemplates.closing'),
      t('returnTemplates.signature', { city }),
    ].join('\n');
  }, [unmet, note, permitType, application, city, t]);

  return (
    <div className="reason-form">
      <fieldset className="unmet">
        <legend>{t('returnTemplates.unmetLegend')}</legend>
        {permitType.requirements.map((r) => (
          <label key={r.id}>
            <input
              type="checkbox"
              checked={unmet.has(r.id)}
              onChange={() =>
                setUnmet((current) => {
                  const next = new Set(current);
                  if (next.has(r.id)) next.delete(r.id);
                  else next.add(r.id);
                  return next;
                })
              }
            />
            <span>{r.label}</span>
          </label>
        ))}
      </fieldset>
      <label className="field">
        <span>{t('returnTemplates.note')}</span>
        <textarea rows={2} value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('application.reasonPlaceholder')} autoFocus />
      </label>
      <div className="preview" aria-live="polite">
        <div className="preview-title">{t('returnTemplates.preview')}</div>
        <pre data-testid="return-preview">{message || t('returnTemplates.nothingYet')}</pre>
      </div>
      <div className="button-row">
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="button" className="button danger" onClick={() => onSend(message)} disabled={busy || message === ''}>
          {t('returnTemplates.send')}
        </button>
      </div>
    </div>
  );
}
