import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { SigningCandidate } from '../../components/signing-panel';
import type { ReviewState } from './review-marks';

interface ReviewDraftListProps {
  items: SigningCandidate[];
  state: ReviewState;
  onGo(index: number): void;
}

/** Every draft of the review with his decision on it; the current one kept in view. */
export function ReviewDraftList({ items, state, onGo }: ReviewDraftListProps) {
  const { t } = useTranslation();
  const current = useRef<HTMLButtonElement>(null);
  const byId = new Map(items.map((i) => [i.id, i]));

  // braces: Chromium's scrollIntoView now returns a promise, which an effect must not return
  useEffect(() => {
    current.current?.scrollIntoView({ block: 'nearest' });
  }, [state.index]);

  return (
    <nav className="review-list" aria-label={t('review.listLabel')}>
      <ol>
        {state.ids.map((id, index) => {
          const item = byId.get(id);
          const status = state.decisions[id] ?? (state.seen.has(id) ? 'seen' : 'unseen');
          return (
            <li key={id} className={`review-list-item status-${status}`}>
              <button
                type="button"
                ref={index === state.index ? current : undefined}
                className={index === state.index ? 'current' : ''}
                aria-current={index === state.index ? 'true' : undefined}
                tabIndex={-1}
                onClick={() => onGo(index)}
              >
                <span className="review-list-number">{item?.registrationNumber ?? id}</span>
                <span className="review-list-name">{item?.applicantName}</span>
                <span className="review-list-status">{t(`review.status.${status}`)}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
