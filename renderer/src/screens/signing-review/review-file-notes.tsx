import { useTranslation } from 'react-i18next';
import { conformityFindings } from '../../../../shared/conformity';
import { useDeskQuery } from '../../desk-query';

/** Notes shown beside the permit: the newest few, newest first. */
const NOTES_SHOWN = 3;

/**
 * What the officials before the Kepala Dinas found and wrote on the draft's file, beside the
 * permit he is about to sign: how many fields differ from the national records (Satu Sehat,
 * SISDMK), and the notes with which it was passed on, returned or initialled.
 */
export function ReviewFileNotes({ applicationId }: { applicationId: string }) {
  const { t } = useTranslation();
  const detail = useDeskQuery('application.get', { applicationId });
  if (!detail.data) return null;
  const { application, references, today, events } = detail.data;
  // fields that differ from the records; an expired STR is the file's own finding, not a difference
  const findings = conformityFindings(application.applicant, references, today).filter((f) => f.kind === 'differs').length;
  const notes = events.filter((e) => e.reason?.trim()).slice(-NOTES_SHOWN).reverse();
  return (
    <div className="review-notes" data-testid="review-notes">
      {references.length === 0 ? (
        <span className="badge due">{t('review.noRecords')}</span>
      ) : findings > 0 ? (
        <span className="badge overdue">{t('review.findings', { count: findings })}</span>
      ) : (
        <span className="badge ok">{t('review.noFindings')}</span>
      )}
      {notes.length > 0 && (
        <ul aria-label={t('review.notesLabel')}>
          {notes.map((e) => (
            <li key={e.id}>
              <strong>{e.actorName}</strong>: {e.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
