import { useTranslation } from 'react-i18next';
import type { ApplicationDetail } from '../../../../shared/contract';
import { DeadlineBadge } from '../../components/deadline-badge';
import { StageTimeBadge } from '../../components/stage-time-badge';
import { formatDate } from '../../format';

/** Back, previous and next file; the file's name, stage, deadline and stage timer; take or release it. */
export function FileHeader({
  detail,
  canClaim,
  mine,
  busy,
  hasPrevious,
  hasNext,
  onBack,
  onPrevious,
  onNext,
  onClaim,
}: {
  detail: ApplicationDetail;
  canClaim: boolean;
  mine: boolean;
  busy: boolean;
  hasPrevious: boolean;
  hasNext: boolean;
  onBack(): void;
  onPrevious(): void;
  onNext(): void;
  onClaim(take: boolean): void;
}) {
  const { t, i18n } = useTranslation();
  const { application, permitType } = detail;
  const claimedBy = application.claimedBy;
  return (
    <>
      <div className="button-row nav-row">
        <button type="button" className="button subtle back" onClick={onBack} aria-keyshortcuts="Escape">
          {t('application.back')}
        </button>
        <span className="spacer" />
        <button type="button" className="button subtle" onClick={onPrevious} disabled={!hasPrevious} aria-keyshortcuts="Alt+ArrowUp">
          {t('application.previousFile')}
        </button>
        <button type="button" className="button subtle" onClick={onNext} disabled={!hasNext} aria-keyshortcuts="Alt+ArrowDown">
          {t('application.nextFile')}
        </button>
      </div>
      <header className="application-header">
        <h1 id="application-title">{application.applicant.fullName}</h1>
        <div className="muted">
          {application.registrationNumber} · {permitType.name}
        </div>
        <div className="header-tags">
          <span className="tag stage">{t(`stages.${application.stage}`)}</span>
          <DeadlineBadge workingDaysLeft={detail.workingDaysLeft} />
          <StageTimeBadge standardMinutes={detail.stageStandardMinutes} minutesLeft={detail.stageMinutesLeft} />
          {detail.deadline && <span className="muted small">{t('application.deadline', { date: formatDate(detail.deadline, i18n.language) })}</span>}
        </div>
        {canClaim && (
          <div className="claim-row" role="status">
            {claimedBy ? (
              <span className={`tag ${mine ? 'stage' : 'claimed'}`}>{mine ? t('application.claimedByMe') : t('application.claimedBy', { name: claimedBy.name })}</span>
            ) : (
              <span className="muted small">{t('application.unclaimed')}</span>
            )}
            {!claimedBy && (
              <button type="button" className="button" onClick={() => onClaim(true)} disabled={busy} aria-keyshortcuts="Alt+A">
                {t('application.claim')}
                <kbd aria-hidden="true">Alt+A</kbd>
              </button>
            )}
            {mine && (
              <button type="button" className="button" onClick={() => onClaim(false)} disabled={busy} aria-keyshortcuts="Alt+L">
                {t('application.release')}
                <kbd aria-hidden="true">Alt+L</kbd>
              </button>
            )}
          </div>
        )}
      </header>
    </>
  );
}
