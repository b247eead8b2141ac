import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import type { SigningCandidate } from '../../components/signing-panel';
import { PdfViewer, type ViewerContent } from '../../components/pdf-viewer';
import { DeskCallError } from '../../desk-query';
import { useErrorText } from '../../use-error-text';
import { canMark, currentId, reviewCounts, reviewReducer, type ReviewAction, type ReviewState } from './review-marks';
import { preparedPermitQuery, usePreparedPermits } from './use-prepared-permits';
import { ReviewDraftList } from './review-draft-list';
import { ReviewFileNotes } from './review-file-notes';

const SCROLL_KEYS: Record<string, (height: number) => number> = {
  ArrowDown: () => 80,
  ArrowUp: () => -80,
  PageDown: (h) => h * 0.9,
  PageUp: (h) => -h * 0.9,
  Home: () => -1e7,
  End: () => 1e7,
};

interface SigningReviewScreenProps {
  items: SigningCandidate[];
  state: ReviewState;
  /** applies an action to the latest state (keys may come faster than renders) */
  dispatch(action: ReviewAction): void;
  /** "Tandatangani N berkas": on to the passphrase with the marked drafts */
  onSign(): void;
  onClose(): void;
}

/**
 * The Kepala Dinas steps through the drafts at the signing stage, each shown as the exact bytes
 * the batch will sign (their hash checked in the viewer), and marks or skips each from the
 * keyboard: → or N next, ← or P previous, M mark/unmark, S skip, Esc back.
 */
export function SigningReviewScreen({ items, state, dispatch, onSign, onClose }: SigningReviewScreenProps) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const client = useQueryClient();
  const root = useRef<HTMLElement>(null);
  const [announcement, setAnnouncement] = useState('');
  const byId = new Map(items.map((i) => [i.id, i]));
  const id = currentId(state);
  const item = id !== undefined ? byId.get(id) : undefined;
  const prepared = usePreparedPermits(state.ids, state.index);
  const counts = reviewCounts(state);
  const decision = id !== undefined ? state.decisions[id] : undefined;

  // Focus comes in with the review and goes back where it was when the review closes, unless
  // what follows (the passphrase field) has taken it already.
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    root.current?.focus();
    return () => {
      if (before?.isConnected && (document.activeElement === null || document.activeElement === document.body)) before.focus();
    };
  }, []);

  /** what a screen reader hears when another draft comes up */
  const describe = (next: ReviewState) => {
    const nextId = currentId(next);
    const nextItem = nextId !== undefined ? byId.get(nextId) : undefined;
    if (!nextItem || nextId === undefined) return '';
    const status = next.decisions[nextId] ?? (next.seen.has(nextId) ? 'seen' : 'unseen');
    return t('review.announcePosition', { position: next.index + 1, total: next.ids.length, number: nextItem.registrationNumber, name: nextItem.applicantName, status: t(`review.status.${status}`) });
  };

  const apply = (action: ReviewAction) => {
    if (action.type === 'mark' && !canMark(state)) {
      setAnnouncement(t('review.waitShown'));
      return;
    }
    const next = reviewReducer(state, action);
    if (next === state) return;
    dispatch(action);
    const number = item?.registrationNumber ?? '';
    const before = id !== undefined ? state.decisions[id] : undefined;
    const after = id !== undefined ? next.decisions[id] : undefined;
    const said = before !== after ? t(after === 'marked' ? 'review.announceMarked' : after === 'skipped' ? 'review.announceSkipped' : 'review.announceUndone', { number }) : '';
    setAnnouncement([said, next.index !== state.index ? describe(next) : ''].filter(Boolean).join(' '));
  };

  const onShown = useCallback(
    (key: string, sha256: string | null) => {
      // only a draft whose bytes matched their recorded hash counts as seen
      if (sha256 !== null) dispatch({ type: 'shown', id: key, sha256 });
    },
    [dispatch],
  );

  const onKeyDown = (event: KeyboardEvent) => {
    // modal: the screens beneath (the queue's "/", the file screen's Esc and Alt keys) hear nothing
    event.stopPropagation();
    const target = event.target as HTMLElement;
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (key === 'ArrowRight' || key === 'n') apply({ type: 'step', by: 1 });
    else if (key === 'ArrowLeft' || key === 'p') apply({ type: 'step', by: -1 });
    else if (key === 'm') apply({ type: 'mark' });
    else if (key === 's') apply({ type: 'skip' });
    else if (key === 'Escape') onClose();
    else if (key in SCROLL_KEYS) scrollPage(SCROLL_KEYS[key]!);
    else return;
    event.preventDefault();
  };

  // the permit is read from top to bottom without leaving the keys: ↑ ↓ PgUp PgDn Home End
  const scrollPage = (by: (height: number) => number) => {
    const area = root.current?.querySelector<HTMLElement>('.pdf-canvas-area');
    area?.scrollBy({ top: by(area.clientHeight) });
  };

  const load = async (): Promise<{ ok: true; value: ViewerContent } | { ok: false; message: string }> => {
    if (!item) return { ok: false, message: '' };
    try {
      const permit = await client.fetchQuery(preparedPermitQuery(item.id));
      return { ok: true, value: { fileName: `${item.registrationNumber}.pdf`, mimeType: 'application/pdf', base64: permit.base64, sha256: permit.sha256 } };
    } catch (error) {
      return { ok: false, message: error instanceof DeskCallError ? errorText(error.error) : (error as Error).message };
    }
  };

  return (
    <section ref={root} className="review-screen" role="dialog" aria-modal="true" aria-labelledby="review-title" aria-describedby="review-keys" tabIndex={-1} onKeyDown={onKeyDown} aria-keyshortcuts="ArrowRight N ArrowLeft P M S Escape">
      <header className="review-header">
        <h2 id="review-title">{t('review.title')}</h2>
        <ul className="review-counts" aria-label={t('review.countsLabel')} data-testid="review-counts">
          <li className="count-marked">
            {t('review.counts.marked')} <strong>{counts.marked}</strong>
          </li>
          <li className="count-skipped">
            {t('review.counts.skipped')} <strong>{counts.skipped}</strong>
          </li>
          <li className="count-unseen">
            {t('review.counts.unseen')} <strong>{counts.unseen}</strong>
          </li>
        </ul>
        <span className="spacer" />
        <button type="button" className="button" onClick={onClose} aria-keyshortcuts="Escape">
          {t('review.close')}
        </button>
        <button type="button" className="button primary" disabled={counts.marked === 0} onClick={onSign}>
          {t('review.signMarked', { count: counts.marked })}
        </button>
      </header>
      <div className="review-body">
        <ReviewDraftList items={items} state={state} onGo={(index) => apply({ type: 'go', index })} />
        {item && (
          <div className="review-main">
            <div className="review-current">
              <div className="review-identity">
                <span className="muted">{t('review.position', { position: state.index + 1, total: state.ids.length })}</span>
                <strong data-testid="review-registration">{item.registrationNumber}</strong>
                <span>{item.applicantName}</span>
                <span className="muted">{item.permitTypeName}</span>
                {prepared.data && <span className="tag stage">{t('review.permitNumber', { number: prepared.data.permitNumber })}</span>}
                <span className={`badge ${decision === 'marked' ? 'ok' : decision === 'skipped' ? 'overdue' : 'due'}`} data-testid="review-decision">
                  {t(`review.status.${decision ?? (state.seen.has(item.id) ? 'seen' : 'unseen')}`)}
                </span>
              </div>
              <div className="button-row">
                <button type="button" className="button subtle" disabled={state.index === 0} onClick={() => apply({ type: 'step', by: -1 })} aria-keyshortcuts="ArrowLeft P">
                  {t('review.previous')}
                  <kbd>P</kbd>
                </button>
                <button type="button" className="button danger-outline" onClick={() => apply({ type: 'skip' })} aria-keyshortcuts="S" aria-pressed={decision === 'skipped'}>
                  {t(decision === 'skipped' ? 'review.unskip' : 'review.skip')}
                  <kbd>S</kbd>
                </button>
                <button type="button" className="button" disabled={!canMark(state)} onClick={() => apply({ type: 'mark' })} aria-keyshortcuts="M" aria-pressed={decision === 'marked'}>
                  {t(decision === 'marked' ? 'review.unmark' : 'review.mark')}
                  <kbd>M</kbd>
                </button>
                <button type="button" className="button subtle" disabled={state.index >= state.ids.length - 1} onClick={() => apply({ type: 'step', by: 1 })} aria-keyshortcuts="ArrowRight N">
                  {t('review.next')}
                  <kbd>N</kbd>
                </button>
              </div>
              <ReviewFileNotes applicationId={item.id} />
            </div>
            <PdfViewer title={t('review.viewerTitle', { number: item.registrationNumber })} loadKey={item.id} load={load} onShown={onShown} maxFitScale={1.5} searchable={false} />
            <p id="review-keys" className="review-keys muted">
              {t('review.keys')}
            </p>
          </div>
        )}
      </div>
      <p className="visually-hidden" aria-live="polite" data-testid="review-announcement">
        {announcement}
      </p>
    </section>
  );
}
