import { useEffect, useRef } from 'react';
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
  const claimButton = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (busy || !refocus.current) return;
    refocus.current = false;
    claimButton.current?.focus();
  }, [busy, mine, claimedBy?.userId]);
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
            {(!claimedBy || mine) && (
              // one button whose action turns over (Ambil ↔ Lepas), focused again once the answer is in,
              // so the keyboard stays where the official was
              <button
                ref={claimButton}
                type="button"
                className="button"
                onClick={() => {
                  refocus.current = true;
                  onClaim(!mine);
                }}
                disabled={busy}
                aria-keyshortcuts={mine ? 'Alt+L' : 'Alt+A'}
              >
                {mine ? t('application.release') : t('application.claim')}
                <kbd aria-hidden="true">{mine ? 'Alt+L' : 'Alt+A'}</kbd>
              </button>
            )}
          </div>
        )}
      </header>
    </>
  );
}
