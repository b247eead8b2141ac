import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import type { QueueItem, SigningBatch } from '../../../shared/contract';
import { invoke } from '../desk-api';
import { useErrorText } from '../use-error-text';
import { SigningReviewScreen } from '../screens/signing-review/signing-review-screen';
import { reviewedSha256, reviewReducer, startReview, type ReviewAction, type ReviewState } from '../screens/signing-review/review-marks';

/** What the panel lists of each draft: the queue's rows, or the one file open on its own page. */
export type SigningCandidate = Pick<QueueItem, 'id' | 'registrationNumber' | 'applicantName' | 'permitTypeName'>;

interface SigningPanelProps {
  /** the drafts to review; he marks the ones to sign as each is on his screen */
  items: SigningCandidate[];
  onClose(summary: string | null): void;
}

const POLL_MS = 150;

/**
 * The batch: the review of the drafts (the exact prepared bytes, marked or skipped one by one),
 * then one passphrase for the marked ones; progress and a result per permit; cancel at any time.
 */
export function SigningPanel({ items, onClose }: SigningPanelProps) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  // nothing is signed that was not on his screen: every batch starts with the review
  const [review, setReview] = useState<ReviewState>(() => startReview(items.map((i) => i.id)));
  const [reviewing, setReviewing] = useState(true);
  const [formShown, setFormShown] = useState(false);
  const [certificatePath, setCertificatePath] = useState('');
  const [certificateDialog, setCertificateDialog] = useState(false);
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [batch, setBatch] = useState<SigningBatch | null>(null);
  const [busy, setBusy] = useState(false);
  const dispatch = useCallback((action: ReviewAction) => setReview((current) => reviewReducer(current, action)), []);
  const selected = items.filter((i) => review.decisions[i.id] === 'marked');

  useEffect(() => {
    void invoke('signing.settings', {}).then((r) => {
      if (!r.ok) return;
      if (r.value.certificatePath) setCertificatePath(r.value.certificatePath);
      setCertificateDialog(r.value.certificateDialog);
    });
  }, []);

  // once the batch is done the queue behind the dialog shows the signed files moved on, not still ticked at the signing step
  const queryClient = useQueryClient();
  const finished = batch?.finished ?? false;
  useEffect(() => {
    if (finished) void queryClient.invalidateQueries({ queryKey: ['queue.list'] });
  }, [finished, queryClient]);

  useEffect(() => {
    if (!batch || batch.finished) return;
    const timer = setTimeout(async () => {
      const r = await invoke('signing.progress', { batchId: batch.id });
      if (r.ok) setBatch(r.value);
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [batch]);

  const chooseCertificate = async () => {
    setError(null);
    const r = await invoke('signing.chooseCertificate', {});
    if (!r.ok) setError(errorText(r.error));
    else if (r.value.certificatePath) setCertificatePath(r.value.certificatePath);
  };

  const start = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    // with the host's dialog the path was remembered when chosen; a typed one is checked now
    const path = certificateDialog ? null : await invoke('signing.setCertificatePath', { path: certificatePath });
    const result = !path || path.ok ? await invoke('signing.start', { applicationIds: selected.map((i) => i.id), passphrase, reviewedSha256: reviewedSha256(review) }) : path;
    setPassphrase('');
    setBusy(false);
    if (result.ok && 'items' in result.value) setBatch(result.value);
    else if (!result.ok) setError(errorText(result.error));
  };

  if (reviewing && !batch) {
    return (
      <SigningReviewScreen
        items={items}
        state={review}
        dispatch={dispatch}
        onSign={() => {
          setReviewing(false);
          setFormShown(true);
        }}
        onClose={() => (formShown ? setReviewing(false) : onClose(null))}
      />
    );
  }

  const count = (status: string) => batch?.items.filter((i) => i.status === status).length ?? 0;
  const done = batch ? batch.items.filter((i) => i.status !== 'waiting' && i.status !== 'signing').length : 0;

  return (
    <section className="panel signing-panel" role="dialog" aria-modal="false" aria-labelledby="signing-title">
      <h2 id="signing-title">{t('signing.title')}</h2>
      {!batch ? (
        <form onSubmit={start} className="signing-form">
          <p className="muted">{t('signing.intro')}</p>
          <ul className="signing-list">
            {selected.map((item) => (
              <li key={item.id}>
                <span>
                  <strong>{item.registrationNumber}</strong> · {item.applicantName} · {item.permitTypeName}
                </span>
                <span className="button-row">
                  <button
                    type="button"
                    className="button subtle"
                    onClick={() => {
                      dispatch({ type: 'go', index: items.indexOf(item) });
                      setReviewing(true);
                    }}
                  >
                    {t('signing.review')}
                  </button>
                  <button type="button" className="button subtle" onClick={() => dispatch({ type: 'leaveOut', id: item.id })}>
                    {t('signing.skip')}
                  </button>
                </span>
              </li>
            ))}
          </ul>
          {certificateDialog ? (
            <div className="field">
              <span id="certificate-label">{t('signing.certificate')}</span>
              <div className="certificate-choice">
                <code aria-labelledby="certificate-label" data-testid="certificate-path">
                  {certificatePath || t('signing.noCertificate')}
                </code>
                <button type="button" className="button" onClick={() => void chooseCertificate()}>
                  {t('signing.chooseCertificate')}
                </button>
              </div>
            </div>
          ) : (
            <label className="field">
              <span>{t('signing.certificate')}</span>
              <input value={certificatePath} onChange={(e) => setCertificatePath(e.target.value)} required />
            </label>
          )}
          <label className="field">
            <span>{t('signing.passphrase')}</span>
            <input type="password" autoComplete="off" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} required autoFocus />
          </label>
          {error && (
            <p className="alert error" role="alert">
              {error}
            </p>
          )}
          <div className="button-row">
            <button type="button" className="button" onClick={() => onClose(null)} disabled={busy}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="button primary" disabled={busy || selected.length === 0 || !passphrase || !certificatePath}>
              {t('signing.start')} ({selected.length})
            </button>
          </div>
        </form>
      ) : (
        <div className="signing-progress">
          <div className="progress-label">{t('signing.progress', { done, total: batch.items.length })}</div>
          <div className="progress-track" role="progressbar" aria-label={t('signing.title')} aria-valuemin={0} aria-valuemax={batch.items.length} aria-valuenow={done}>
            <div className="progress-fill" style={{ width: `${(100 * done) / batch.items.length}%` }} />
          </div>
          <ul className="signing-list">
            {batch.items.map((item) => (
              <li key={item.applicationId} className={`status-${item.status}`}>
                <span>
                  <strong>{item.registrationNumber}</strong> · {item.applicantName}
                  {item.permitNumber && <span className="muted"> · {item.permitNumber}</span>}
                </span>
                <span className={`badge ${item.status === 'signed' ? 'ok' : item.status === 'failed' ? 'overdue' : 'due'}`}>
                  {t(`signing.status.${item.status}`)}
                  {item.code ? `: ${t(`errors.${item.code}`)}` : ''}
                </span>
              </li>
            ))}
          </ul>
          {batch.finished && (
            <p className="alert info" role="status">
              {t('signing.summary', { signed: count('signed'), failed: count('failed'), cancelled: count('cancelled') })}
            </p>
          )}
          <div className="button-row">
            {!batch.finished ? (
              <button type="button" className="button danger-outline" onClick={() => void invoke('signing.cancel', { batchId: batch.id })}>
                {t('signing.cancel')}
              </button>
            ) : (
              <button
                type="button"
                className="button primary"
                // the batch is over: the keyboard is on the one thing left to do
                autoFocus
                onClick={() => onClose(t('signing.summary', { signed: count('signed'), failed: count('failed'), cancelled: count('cancelled') }))}
              >
                {t('signing.close')}
              </button>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
