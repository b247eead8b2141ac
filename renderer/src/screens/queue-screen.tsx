import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QueueItem } from '../../../shared/contract';
import { invoke } from '../desk-api';
import { formatDate } from '../format';
import { useErrorText } from '../use-error-text';
import { DeadlineBadge } from '../components/deadline-badge';

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
  const [search, setSearch] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(async () => {
      const result = await invoke('queue.list', search ? { search } : {});
      if (!live) return;
      if (result.ok) {
        setItems(result.value.items);
        setError(null);
      } else setError(errorText(result.error));
    }, search ? 150 : 0);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [search, syncedAt]);

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
      {notice && (
        <p className="alert info" role="status">
          {notice}
        </p>
      )}
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
              <tr key={item.id} onClick={() => onOpen(item.id)} className={item.pending ? 'pending' : undefined}>
                <td>
                  <button type="button" className="link" onClick={() => onOpen(item.id)}>
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
