import { useTranslation } from 'react-i18next';
import type { ApplicationEvent } from '../../../shared/domain';
import { formatDateTime } from '../format';

/** The control card: every hand the file passed through, with the time and the reason. */
export function KartuKendali({ events }: { events: ApplicationEvent[] }) {
  const { t, i18n } = useTranslation();
  return (
    <section className="panel" aria-labelledby="kartu-title">
      <h2 id="kartu-title">{t('application.kartu')}</h2>
      <ol className="kartu">
        {events.map((e) => (
          <li key={e.id} className={e.id.startsWith('local-') ? 'pending' : undefined}>
            <div className="kartu-when">{formatDateTime(e.at, i18n.language)}</div>
            <div>
              <strong>{t(`actions.${e.action}`, { defaultValue: e.action })}</strong> — {e.actorName}
              {e.actorRole && <span className="muted"> ({t(`roles.${e.actorRole}`)})</span>}
              <div className="muted small">→ {t(`stages.${e.toStage}`, { defaultValue: e.toStage })}</div>
              {e.reason && <div className="kartu-reason">“{e.reason}”</div>}
              {e.evidence && e.evidence.references.length > 0 && (
                <details className="kartu-evidence">
                  <summary>{t('application.evidence')}</summary>
                  {e.evidence.references.map((ref) => (
                    <div key={ref.source} className="small">
                      <strong>{t(`application.sources.${ref.source}`)}</strong> ({formatDateTime(ref.retrievedAt, i18n.language)}):{' '}
                      {Object.entries(ref.fields)
                        .map(([field, value]) => `${t(`application.fields.${field}`, { defaultValue: field })}: ${value}`)
                        .join(' · ')}
                    </div>
                  ))}
                </details>
              )}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
