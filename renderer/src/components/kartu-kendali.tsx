import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeskEvent, DeskKartu } from '../../../shared/contract';
import { formatOverUnder, formatWorkingDuration, kartuKendaliTime, type DurationLocale } from '../../../shared/kartu-kendali-time';
import { deskCall, saveFile, useDeskQuery } from '../desk-query';
import { formatDate, formatDateTime } from '../format';
import { shortHash } from '../short-hash';

const LIVE_TICK_MS = 30_000;

/** The current time, ticking, so a pending step's time is counted live. */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), LIVE_TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * The control card: every hand the file passed through — received, decided, the working time it
 * took against the stage's mutu baku, the official — and the file's total against its standard.
 * `events` are the file's lines as the screen has them (local pending lines included); the
 * chain and calendar come from `source`, or from the desk's cache by `applicationId`.
 */
export function KartuKendali({
  events,
  applicationId,
  source,
  complaintId,
  claimedBy,
}: {
  events?: DeskEvent[];
  applicationId?: string;
  source?: DeskKartu;
  complaintId?: string;
  /** who has taken the file (Ambil): named on the step still open instead of "menunggu" */
  claimedBy?: { name: string } | null;
}) {
  const { t, i18n } = useTranslation();
  const locale: DurationLocale = i18n.language === 'en' ? 'en' : 'id';
  const now = useNow();
  const fetched = useDeskQuery('kartu.get', { applicationId: applicationId ?? '' }, { enabled: !source && !!applicationId });
  const base = source ?? fetched.data;
  const lines = events ?? base?.events ?? [];
  const card = base
    ? kartuKendaliTime({ events: lines, workflow: base.workflow, slaWorkingDays: base.slaWorkingDays, completeAt: base.completeAt, timeZone: base.timeZone, holidays: new Set(base.holidays), now })
    : null;
  const printPdf = async () => saveFile(await deskCall('kartu.pdf', complaintId ? { complaintId } : { applicationId: applicationId ?? base?.applicationId ?? '' }));

  return (
    <section className="panel" aria-labelledby="kartu-title">
      <h2 id="kartu-title">{t('application.kartu')}</h2>
      {card && (
        <p className={card.late ? 'kartu-total late' : 'kartu-total'}>
          <strong>{card.late ? t('oversight.kartu.late') : t('oversight.kartu.onTime')}</strong>:{' '}
          {t('oversight.kartu.total', { time: formatWorkingDuration(card.totalMinutes, locale), days: card.slaWorkingDays, deadline: card.deadline ? formatDate(card.deadline, i18n.language) : '—' })}
          {card.open && <span className="muted">, {t('oversight.kartu.pending')}</span>}
        </p>
      )}
      {card && (
        <table className="kartu-table">
          <caption className="visually-hidden">{t('application.kartu')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('oversight.monitoring.stage')}</th>
              <th scope="col">{t('oversight.kartu.received')}</th>
              <th scope="col">{t('oversight.kartu.decided')}</th>
              <th scope="col">{t('oversight.kartu.took')}</th>
              <th scope="col">{t('oversight.kartu.standard')}</th>
              <th scope="col">{t('oversight.kartu.diff')}</th>
              <th scope="col">{t('oversight.kartu.official')}</th>
            </tr>
          </thead>
          <tbody>
            {card.steps.map((s) => (
              <tr key={`${s.stage}-${s.receivedAt}`} className={s.over ? 'over-standard' : undefined}>
                <th scope="row">{t(`stages.${s.stage}`, { defaultValue: s.stage })}</th>
                <td>{formatDateTime(s.receivedAt, i18n.language)}</td>
                <td>{s.decidedAt ? formatDateTime(s.decidedAt, i18n.language) : <em>{t('oversight.kartu.pending')}</em>}</td>
                <td>{formatWorkingDuration(s.minutes, locale)}</td>
                <td>{s.standardMinutes === null ? t('oversight.kartu.noStandard') : formatWorkingDuration(s.standardMinutes, locale)}</td>
                <td>
                  {s.overByMinutes === null ? t('oversight.kartu.noStandard') : formatOverUnder(s.overByMinutes, locale)}
                  {s.over && <span className="visually-hidden"> ({t('oversight.kartu.over')})</span>}
                </td>
                <td>
                  {s.officialName ? (
                    <>
                      {s.officialName} — {t(`actions.${s.action}`, { defaultValue: s.action ?? '' })}
                      {s.reason && <div className="kartu-reason">“{s.reason}”</div>}
                    </>
                  ) : !s.decidedAt && claimedBy ? (
                    <span data-testid="kartu-working">{t('oversight.kartu.workingOn', { name: claimedBy.name })}</span>
                  ) : (
                    <span className="muted">{t('oversight.kartu.waiting')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ol className="kartu">
        {lines.map((e) => (
          <li key={e.id} className={e.pending ? 'pending' : undefined}>
            <div className="kartu-when">{formatDateTime(e.at, i18n.language)}</div>
            <div>
              <strong>{t(`actions.${e.action}`, { defaultValue: e.action })}</strong> — {e.actorName}
              {e.actorRole && <span className="muted"> ({t(`roles.${e.actorRole}`)})</span>}
              <div className="muted small">→ {t(`stages.${e.toStage}`, { defaultValue: e.toStage })}</div>
              {e.reason && <div className="kartu-reason">“{e.reason}”</div>}
              {e.evidence?.preparedPermitSha256 && (
                <div className="small muted" title={`SHA-256 ${e.evidence.preparedPermitSha256}`} data-testid="kartu-initialled">
                  {t('application.initialledPermit')} <code>{shortHash(e.evidence.preparedPermitSha256)}</code>
                </div>
              )}
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
      {base && (
        <p className="small muted">
          {t('oversight.kartu.note')}{' '}
          <button type="button" className="button subtle" onClick={() => void printPdf()}>
            {t('oversight.kartu.pdf')}
          </button>
        </p>
      )}
    </section>
  );
}
