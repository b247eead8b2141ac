import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QueueItem } from '../../../shared/contract';
import { invoke } from '../desk-api';
import { formatDate } from '../format';
import { useErrorText } from '../use-error-text';
import { DeadlineBadge } from '../components/deadline-badge';
import { RejectPanel } from '../components/reject-panel';
import { SigningPanel } from '../components/signing-panel';

interface QueueScreenProps {
  notice: string | null;
  /** a new sync reloads the list */
  syncedAt: string | null;
  onOpen(applicationId: string): void;
}

export function QueueScreen({ notice, syncedAt, onOpen }: QueueScreenProps) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [items, setItems] = useState<QueueItem[] | null>(null);
  const [canSign, setCanSign] = useState(false);
  const [search, setSearch] = useState('');
  const [error, setError] = useState<string | null>(null);
  // ids, not rows: a selection survives a refresh or a sync
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [panel, setPanel] = useState<'sign' | 'reject' | null>(null);
  const [reloads, setReloads] = useState(0);
  const [message, setMessage] = useState<string | null>(notice);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(async () => {
      const result = await invoke('queue.list', search ? { search } : {});
      if (!live) return;
      if (result.ok) {
        setItems(result.value.items);
        setCanSign(result.value.canSign);
        const present = new Set(result.value.items.map((i) => i.id));
        setSelected((current) => new Set([...current].filter((id) => present.has(id))));
        setError(null);
      } else setError(errorText(result.error));
    }, search ? 150 : 0);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [search, syncedAt, reloads]);

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const chosen = (items ?? []).filter((i) => selected.has(i.id));
  const allShownSelected = items !== null && items.length > 0 && items.every((i) => selected.has(i.id));
  const closePanel = (summary: string | null) => {
    setPanel(null);
    if (summary) {
      setMessage(summary);
      setSelected(new Set());
    }
    setReloads((n) => n + 1);
  };

  return (
    <section className="queue-screen" aria-labelledby="queue-title">
      <div className="screen-header">
        <h1 id="queue-title">{t('queue.title')}</h1>
        {items && <span className="count">{t('queue.count', { count: items.length })}</span>}
        <input
          type="search"
          className="search"
          placeholder={t('queue.search')}
          aria-label={t('queue.search')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      {message && (
        <p className="alert info" role="status">
          {message}
        </p>
      )}
      {canSign && (
        <div className="selection-bar">
          <button type="button" className="button primary" disabled={chosen.length === 0 || panel !== null} onClick={() => setPanel('sign')}>
            {t('signing.sign', { count: chosen.length })}
          </button>
          <button type="button" className="button danger-outline" disabled={chosen.length === 0 || panel !== null} onClick={() => setPanel('reject')}>
            {t('signing.reject', { count: chosen.length })}
          </button>
        </div>
      )}
      {panel === 'sign' && <SigningPanel items={chosen} onClose={closePanel} />}
      {panel === 'reject' && <RejectPanel items={chosen} onClose={closePanel} />}
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {items && items.length === 0 && <p className="empty">{t('queue.empty')}</p>}
      {items && items.length > 0 && (
        <table className="queue-table">
          <thead>
            <tr>
              {canSign && (
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label={t('signing.selectAll')}
                    checked={allShownSelected}
                    onChange={() => setSelected(allShownSelected ? new Set() : new Set(items.map((i) => i.id)))}
                  />
                </th>
              )}
              <th scope="col">{t('queue.columns.number')}</th>
              <th scope="col">{t('queue.columns.applicant')}</th>
              <th scope="col">{t('queue.columns.permit')}</th>
              <th scope="col">{t('queue.columns.stage')}</th>
              <th scope="col">{t('queue.columns.submitted')}</th>
              <th scope="col">{t('queue.columns.left')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id} onClick={() => (canSign ? toggle(item.id) : onOpen(item.id))} className={`${item.pending ? 'pending' : ''} ${selected.has(item.id) ? 'selected' : ''}`}>
                {canSign && (
                  <td onClick={(e) => e.stopPropagation()}>
                    <input type="checkbox" aria-label={t('signing.select', { number: item.registrationNumber })} checked={selected.has(item.id)} onChange={() => toggle(item.id)} />
                  </td>
                )}
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={(e) => {
                      e.stopPropagation();
                      onOpen(item.id);
                    }}
                  >
                    {item.registrationNumber}
                  </button>
                </td>
                <td>
                  <div className="applicant-name">{item.applicantName}</div>
                  <div className="muted">NIK {item.nik}</div>
                </td>
                <td>{item.permitTypeName}</td>
                <td>
                  {t(`stages.${item.stage}`)}
                  {item.pending && <span className="tag">{t('queue.pending')}</span>}
                </td>
                <td>{formatDate(item.submittedAt, i18n.language)}</td>
                <td>
                  <DeadlineBadge workingDaysLeft={item.workingDaysLeft} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
