import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Application, PermitType } from '../../../shared/domain';
import { COMMAND_LIMITS } from '../../../shared/sync-protocol';
import { LengthCounter } from './length-counter';

interface ReturnReasonFormProps {
  application: Application;
  permitType: PermitType;
  city: string;
  checklist: Record<string, boolean>;
  /** the file's draft: the note typed and the requirements marked unmet (null: not yet chosen) */
  initialNote: string;
  initialUnmet: readonly string[] | null;
  busy: boolean;
  /** why sending was refused, shown next to the send button */
  error: ReactNode;
  onNoteChange(note: string): void;
  onUnmetChange(unmet: string[]): void;
  onCancel(): void;
  onSend(message: string): void;
}

/** The language of what applicants are sent. */
const APPLICANT_LOCALE = 'id';

/**
 * Returning a file to the applicant: a reason per unmet requirement from templates, free text,
 * and the exact message the applicant will read, shown before it is sent. The whole message is
 * the reason the server stores, so the counter counts the message, and the note may only grow
 * into what the templates leave of the limit.
 */
export function ReturnReasonForm({
  application,
  permitType,
  city,
  checklist,
  initialNote,
  initialUnmet,
  busy,
  error,
  onNoteChange,
  onUnmetChange,
  onCancel,
  onSend,
}: ReturnReasonFormProps) {
  const { t, i18n } = useTranslation();
  const [unmet, setUnmet] = useState<Set<string>>(() => new Set(initialUnmet ?? permitType.requirements.filter((r) => checklist[r.id] !== true).map((r) => r.id)));
  const [note, setNote] = useState(initialNote);
  const noteField = useRef<HTMLTextAreaElement>(null);
  // a restored draft is carried on from its end
  useEffect(() => noteField.current?.setSelectionRange(noteField.current.value.length, noteField.current.value.length), []);
  const limit = COMMAND_LIMITS.reasonLength;

  // the applicant reads Bahasa Indonesia, whatever language the official's screen is in
  const applicantT = useMemo(() => i18n.getFixedT(APPLICANT_LOCALE), [i18n]);
  const compose = useMemo(() => {
    const t = applicantT;
    const templated = permitType.requirements.filter((r) => unmet.has(r.id)).map((r) => t(`returnTemplates.${r.id}`, { defaultValue: t('returnTemplates.generic', { requirement: r.label }) }));
    return (extra: string) => {
      const reasons = extra.trim() ? [...templated, extra.trim()] : templated;
      if (reasons.length === 0) return '';
      return [
        t('returnTemplates.greeting', { name: application.applicant.fullName }),
        t('returnTemplates.opening', { permit: permitType.name, number: application.registrationNumber }),
        ...reasons.map((reason, i) => `${i + 1}. ${reason}`),
        t('returnTemplates.closing'),
        t('returnTemplates.signature', { city }),
      ].join('\n');
    };
  }, [unmet, permitType, application, city, applicantT]);
  const message = compose(note);
  // what the message takes besides the note: the note's own limit is what is left
  const noteLimit = Math.max(0, limit - (compose('x').length - 1));
  const tooLong = message.length > limit;

  return (
    <div className="reason-form">
      <fieldset className="unmet">
        <legend>{t('returnTemplates.unmetLegend')}</legend>
        {permitType.requirements.map((r) => (
          <label key={r.id}>
            <input
              type="checkbox"
              checked={unmet.has(r.id)}
              onChange={() => {
                const next = new Set(unmet);
                if (next.has(r.id)) next.delete(r.id);
                else next.add(r.id);
                setUnmet(next);
                onUnmetChange([...next]);
              }}
            />
            <span>{r.label}</span>
          </label>
        ))}
      </fieldset>
      <label className="field">
        <span>{t('returnTemplates.note')}</span>
        <textarea
          ref={noteField}
          rows={2}
          value={note}
          maxLength={noteLimit}
          aria-describedby="return-message-count"
          onChange={(e) => {
            setNote(e.target.value);
            onNoteChange(e.target.value);
          }}
          placeholder={t('application.reasonPlaceholder')}
          autoFocus
        />
      </label>
      <div className="preview" aria-live="polite">
        <div className="preview-title">{t('returnTemplates.preview')}</div>
        <pre data-testid="return-preview">{message || t('returnTemplates.nothingYet')}</pre>
      </div>
      <LengthCounter id="return-message-count" length={message.length} limit={limit} />
      {tooLong && (
        <p className="alert warning" role="status">
          {t('forms.messageTooLong', { limit: new Intl.NumberFormat(i18n.language === 'en' ? 'en-GB' : 'id-ID').format(limit) })}
        </p>
      )}
      {error}
      <div className="button-row">
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="button" className="button danger" onClick={() => onSend(message)} disabled={busy || message === '' || tooLong}>
          {t('returnTemplates.send')}
        </button>
      </div>
    </div>
  );
}
