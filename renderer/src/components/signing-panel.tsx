import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { QueueItem, SigningBatch } from '../../../shared/contract';
import { invoke } from '../desk-api';
import { useErrorText } from '../use-error-text';
import { PdfViewer } from './pdf-viewer';

/** What the panel lists of each draft: the queue's rows, or the one file open on its own page. */
export type SigningCandidate = Pick<QueueItem, 'id' | 'registrationNumber' | 'applicantName' | 'permitTypeName'>;

interface SigningPanelProps {
  items: SigningCandidate[];
  onClose(summary: string | null): void;
}

const POLL_MS = 150;

/** One passphrase for the whole batch; progress and a result per permit; cancel at any time. */
export function SigningPanel({ items, onClose }: SigningPanelProps) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [selected, setSelected] = useState(items);
  const [certificatePath, setCertificatePath] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [batch, setBatch] = useState<SigningBatch | null>(null);
  const [busy, setBusy] = useState(false);
  const [reviewing, setReviewing] = useState<number | null>(null);

  useEffect(() => {
    void invoke('signing.settings', {}).then((r) => {
      if (r.ok && r.value.certificatePath) setCertificatePath(r.value.certificatePath);
    });
  }, []);

  useEffect(() => {
    if (!batch || batch.finished) return;
    const timer = setTimeout(async () => {
      const r = await invoke('signing.progress', { batchId: batch.id });
      if (r.ok) setBatch(r.value);
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [batch]);

  const start = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const path = await invoke('signing.setCertificatePath', { path: certificatePath });
    const result = path.ok ? await invoke('signing.start', { applicationIds: selected.map((i) => i.id), passphrase }) : path;
    setPassphrase('');
    setBusy(false);
    if (result.ok && 'items' in result.value) setBatch(result.value);
    else if (!result.ok) setError(errorText(result.error));
  };

  const reviewed = reviewing !== null ? selected[reviewing] : undefined;
  const count = (status: string) => batch?.items.filter((i) => i.status === status).length ?? 0;
  const done = batch ? batch.items.filter((i) => i.status !== 'waiting' && i.status !== 'signing').length : 0;

  return (
    <section className="panel signing-panel" role="dialog" aria-modal="false" aria-labelledby="signing-title">
      <h2 id="signing-title">{t('signing.title')}</h2>
      {reviewing !== null && reviewed ? (
        <div className="signing-review">
          <div className="button-row review-bar">
            <button type="button" className="button" onClick={() => setReviewing(null)}>
              {t('signing.backToList')}
            </button>
            <button type="button" className="button subtle" disabled={reviewing === 0} onClick={() => setReviewing(reviewing - 1)}>
              {t('signing.previous')}
            </button>
            <span className="muted">
              {t('signing.reviewPosition', { position: reviewing + 1, total: selected.length })} · <strong>{reviewed.registrationNumber}</strong> · {reviewed.applicantName}
            </span>
            <button type="button" className="button subtle" disabled={reviewing >= selected.length - 1} onClick={() => setReviewing(reviewing + 1)}>
              {t('signing.next')}
            </button>
            <button
              type="button"
              className="button danger-outline"
              onClick={() => {
                const remaining = selected.filter((_, i) => i !== reviewing);
                setSelected(remaining);
                setReviewing(remaining.length === 0 ? null : Math.min(reviewing, remaining.length - 1));
              }}
            >
              {t('signing.skip')}
            </button>
          </div>
          <PdfViewer
            title={t('application.draft')}
            loadKey={reviewed.id}
            load={async () => {
              const result = await invoke('draft.get', { applicationId: reviewed.id });
              return result.ok ? { ok: true, value: result.value } : { ok: false, message: errorText(result.error) };
            }}
          />
        </div>
      ) : !batch ? (
        <form onSubmit={start} className="signing-form">
          <p className="muted">{t('signing.intro')}</p>
          <ul className="signing-list">
            {selected.map((item, index) => (
              <li key={item.id}>
                <span>
                  <strong>{item.registrationNumber}</strong> · {item.applicantName} · {item.permitTypeName}
                </span>
                <span className="button-row">
                  <button type="button" className="button subtle" onClick={() => setReviewing(index)}>
                    {t('signing.review')}
                  </button>
                  <button type="button" className="button subtle" onClick={() => setSelected((s) => s.filter((x) => x.id !== item.id))}>
                    {t('signing.skip')}
                  </button>
                </span>
              </li>
            ))}
          </ul>
          <label className="field">
            <span>{t('signing.certificate')}</span>
            <input value={certificatePath} onChange={(e) => setCertificatePath(e.target.value)} required />
          </label>
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
            <button type="submit" className="button primary" disabled={busy || selected.length === 0 || !passphrase}>
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
