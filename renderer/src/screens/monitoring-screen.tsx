import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatWorkingDuration, type DurationLocale } from '../../../shared/kartu-kendali-time';
import { monthPeriod, type MonitoringFigures, type MonitoringPeriod } from '../../../shared/monitoring';
import { calendarDateIn } from '../../../shared/working-days';
import { EChart, type ChartOption } from '../components/echart';
import { deskCall, saveFile, useDeskQuery } from '../desk-query';
import { formatDate, formatDateTime, formatMonth } from '../format';
import { useErrorText } from '../use-error-text';

type PeriodChoice = 'thisMonth' | 'lastMonth' | 'last30';
const GREEN = '#2e7d32';
const RED = '#c62828';
const BLUE = '#1565c0';
const GREY = '#78909c';

function periodOf(choice: PeriodChoice, today: string): MonitoringPeriod {
  if (choice === 'thisMonth') return { from: `${today.slice(0, 7)}-01`, to: today };
  if (choice === 'lastMonth') {
    const d = new Date(`${today.slice(0, 7)}-01T00:00:00Z`);
    d.setUTCMonth(d.getUTCMonth() - 1);
    return monthPeriod(d.toISOString().slice(0, 7));
  }
  const from = new Date(`${today}T00:00:00Z`);
  from.setUTCDate(from.getUTCDate() - 29);
  return { from: from.toISOString().slice(0, 10), to: today };
}

/** The Kepala Dinas's and Sekretaris's view of the office: figures computed by the server. */
export function MonitoringScreen() {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const session = useDeskQuery('session.current', {});
  const timeZone = session.data?.office?.timeZone ?? 'Asia/Jakarta';
  const today = calendarDateIn(new Date(), timeZone);
  const [choice, setChoice] = useState<PeriodChoice>('thisMonth');
  const period = periodOf(choice, today);
  const query = useDeskQuery('monitoring.get', period, { refetchInterval: 60_000 });
  const month = choice === 'lastMonth' ? period.from.slice(0, 7) : today.slice(0, 7);
  const download = async (format: 'pdf' | 'xlsx') => saveFile(await deskCall('monitoring.report', { month, format }));

  return (
    <div className="monitoring-screen">
      <div className="screen-head">
        <h1>{t('oversight.monitoring.title')}</h1>
        <label>
          {t('oversight.monitoring.period')}{' '}
          <select value={choice} onChange={(e) => setChoice(e.target.value as PeriodChoice)}>
            {(['thisMonth', 'lastMonth', 'last30'] as const).map((c) => (
              <option key={c} value={c}>
                {t(`oversight.monitoring.periods.${c}`)}
              </option>
            ))}
          </select>
        </label>
        <span className="muted small">
          {formatDate(period.from, i18n.language)} – {formatDate(period.to, i18n.language)}
        </span>
        <span className="spacer" />
        <span className="muted small">
          {t('oversight.monitoring.report')} {formatMonth(month, i18n.language)}:
        </span>
        <button type="button" className="button subtle" onClick={() => void download('pdf')}>
          {t('oversight.monitoring.reportPdf')}
        </button>
        <button type="button" className="button subtle" onClick={() => void download('xlsx')}>
          {t('oversight.monitoring.reportXlsx')}
        </button>
      </div>
      {query.error && <p role="alert">{errorText(query.error.error)}</p>}
      {query.data && <Figures figures={query.data.figures} fromCache={query.data.fromCache} />}
    </div>
  );
}

function Figures({ figures, fromCache }: { figures: MonitoringFigures; fromCache: boolean }) {
  const { t, i18n } = useTranslation();
  const locale: DurationLocale = i18n.language === 'en' ? 'en' : 'id';
  const stage = (id: string) => t(`stages.${id}`, { defaultValue: id });
  const chain = (workflowId: string) => (workflowId.startsWith('pekanbaru') ? t('oversight.monitoring.pekanbaru') : t('oversight.monitoring.metro'));
  const duration = (m: number | null) => (m === null ? '—' : formatWorkingDuration(m, locale));
  const f = figures;
  const compliance = f.completed.total === 0 ? '—' : `${Math.round((f.completed.onTime / f.completed.total) * 100)}%`;
  const timedStages = f.stageTimes.filter((s) => s.count > 0 || s.standardMinutes !== null);

  const charts = useMemo(() => {
    const stacked = (rows: Array<{ label: string; onTime: number; late: number }>): ChartOption => ({
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      legend: { top: 0 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: rows.map((r) => r.label), axisLabel: { width: 150, overflow: 'truncate' } },
      series: [
        { name: t('oversight.monitoring.onTime'), type: 'bar', stack: 'n', data: rows.map((r) => r.onTime), itemStyle: { color: GREEN }, label: { show: true } },
        { name: t('oversight.monitoring.late'), type: 'bar', stack: 'n', data: rows.map((r) => r.late), itemStyle: { color: RED }, label: { show: true } },
      ],
    });
    const stageRows = timedStages.map((s) => `${stage(s.stage)} (${chain(s.workflowId)})`);
    const positive = (m: number | null) => (m === null || m <= 0 ? null : m);
    return {
      stagesNow: {
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', data: f.stagesNow.map((s) => `${stage(s.stage)} (${chain(s.workflowId)})`), axisLabel: { width: 220, overflow: 'truncate' } },
        series: [{ name: t('oversight.monitoring.files'), type: 'bar', data: f.stagesNow.map((s) => s.count), itemStyle: { color: BLUE }, label: { show: true, position: 'right' } }],
      } satisfies ChartOption,
      stageTimes: {
        grid: { left: 8, right: 24, top: 28, bottom: 8, containLabel: true },
        legend: { top: 0 },
        // minutes span 3 minutes to days: a log axis keeps both readable; labels in working time
        // labels of working time are long: those that would overlap are left out
        xAxis: { type: 'log', min: 1, axisLabel: { formatter: (v: number) => formatWorkingDuration(v, locale), hideOverlap: true } },
        yAxis: { type: 'category', data: stageRows, axisLabel: { width: 220, overflow: 'truncate' } },
        series: [
          { name: t('oversight.monitoring.median'), type: 'bar', data: timedStages.map((s) => positive(s.medianMinutes)), itemStyle: { color: BLUE } },
          { name: t('oversight.monitoring.p90'), type: 'bar', data: timedStages.map((s) => positive(s.p90Minutes)), itemStyle: { color: RED } },
          // a legend entry for bars no stage has would promise what the chart does not show
          ...(timedStages.some((s) => s.standardMinutes !== null)
            ? [{ name: t('oversight.monitoring.standard'), type: 'bar' as const, data: timedStages.map((s) => positive(s.standardMinutes)), itemStyle: { color: GREY } }]
            : []),
        ],
      } satisfies ChartOption,
      byPermitType: stacked(f.byPermitType),
      byStage: stacked(f.byStage.map((r) => ({ ...r, label: stage(r.label) }))),
      byOfficial: stacked(f.byOfficial),
      trend: {
        grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
        legend: { top: 0 },
        xAxis: { type: 'category', data: f.weekly.map((w) => formatDate(w.weekStart, i18n.language)) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [
          { name: t('oversight.monitoring.received'), type: 'line', data: f.weekly.map((w) => w.received), itemStyle: { color: BLUE } },
          { name: t('oversight.monitoring.onTime'), type: 'line', data: f.weekly.map((w) => w.onTime), itemStyle: { color: GREEN } },
          { name: t('oversight.monitoring.late'), type: 'line', data: f.weekly.map((w) => w.late), itemStyle: { color: RED } },
        ],
      } satisfies ChartOption,
    };
  }, [f, t, i18n.language, locale]); // eslint-disable-line react-hooks/exhaustive-deps

  const chartLabel = (title: string) => t('oversight.monitoring.chartLabel', { title });
  const onTimeTable = (rows: Array<{ key: string; label: string; onTime: number; late: number }>, head: string, translate?: (s: string) => string) =>
    rows.length === 0 ? (
      <p className="muted">{t('oversight.monitoring.none')}</p>
    ) : (
      <table className="figures">
        <thead>
          <tr>
            <th scope="col">{head}</th>
            <th scope="col">{t('oversight.monitoring.onTime')}</th>
            <th scope="col">{t('oversight.monitoring.late')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{translate ? translate(r.label) : r.label}</th>
              <td className="num">{r.onTime}</td>
              <td className={r.late > 0 ? 'num late' : 'num'}>{r.late}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );

  return (
    <>
      {fromCache && <p role="status">{t('oversight.monitoring.fromCache', { time: formatDateTime(f.computedAt, i18n.language) })}</p>}
      <p className="muted small">{t('oversight.monitoring.computedAt', { time: formatDateTime(f.computedAt, i18n.language) })}</p>
      <dl className="kpis">
        <div><dt>{t('oversight.monitoring.received')}</dt><dd>{f.received}</dd></div>
        <div><dt>{t('oversight.monitoring.completed')}</dt><dd>{f.completed.total}</dd></div>
        <div><dt>{t('oversight.monitoring.onTime')}</dt><dd>{f.completed.onTime}</dd></div>
        <div><dt>{t('oversight.monitoring.late')}</dt><dd className={f.completed.late > 0 ? 'late' : undefined}>{f.completed.late}</dd></div>
        <div><dt>{t('oversight.monitoring.compliance')}</dt><dd>{compliance}</dd></div>
        <div><dt>{t('oversight.monitoring.overdueCount')}</dt><dd className={f.overdue.length > 0 ? 'late' : undefined}>{f.overdue.length}</dd></div>
      </dl>

      <section className="panel figure-section" aria-labelledby="stage-times-title">
        <h2 id="stage-times-title">{t('oversight.monitoring.stageTimes')}</h2>
        <div className="figure-pair">
          <EChart option={charts.stageTimes} label={chartLabel(t('oversight.monitoring.stageTimes'))} height={Math.max(220, timedStages.length * 44)} />
          <table className="figures" aria-label={t('oversight.monitoring.stageTimes')}>
            <thead>
              <tr>
                <th scope="col">{t('oversight.monitoring.stage')}</th>
                <th scope="col">{t('oversight.monitoring.standard')}</th>
                <th scope="col">{t('oversight.monitoring.passages')}</th>
                <th scope="col">{t('oversight.monitoring.median')}</th>
                <th scope="col">{t('oversight.monitoring.p90')}</th>
                <th scope="col">{t('oversight.monitoring.overStandard')}</th>
              </tr>
            </thead>
            <tbody>
              {timedStages.map((s) => (
                <tr key={`${s.workflowId}:${s.stage}`}>
                  <th scope="row">
                    {stage(s.stage)} <span className="muted small">({chain(s.workflowId)})</span>
                  </th>
                  <td>{s.standardMinutes === null ? t('oversight.monitoring.fileStandard') : duration(s.standardMinutes)}</td>
                  <td className="num">{s.count}</td>
                  <td>{duration(s.medianMinutes)}</td>
                  <td className={s.standardMinutes !== null && (s.p90Minutes ?? 0) > s.standardMinutes ? 'late' : undefined}>{duration(s.p90Minutes)}</td>
                  <td className={s.overStandard > 0 ? 'num late' : 'num'}>{s.standardMinutes === null ? '—' : s.overStandard}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="panel figure-section" aria-labelledby="overdue-title">
        <h2 id="overdue-title">{t('oversight.monitoring.overdue')}</h2>
        {f.overdue.length === 0 ? (
          <p className="muted">{t('oversight.monitoring.none')}</p>
        ) : (
          <table className="figures wide" aria-label={t('oversight.monitoring.overdue')}>
            <thead>
              <tr>
                <th scope="col">{t('oversight.monitoring.registration')}</th>
                <th scope="col">{t('oversight.monitoring.applicant')}</th>
                <th scope="col">{t('oversight.monitoring.permitType')}</th>
                <th scope="col">{t('oversight.monitoring.stage')}</th>
                <th scope="col">{t('oversight.monitoring.holder')}</th>
                <th scope="col">{t('oversight.monitoring.deadline')}</th>
                <th scope="col">{t('oversight.monitoring.daysOverdue')}</th>
                <th scope="col">{t('oversight.monitoring.atStage')}</th>
              </tr>
            </thead>
            <tbody>
              {f.overdue.map((o) => (
                <tr key={o.applicationId}>
                  <th scope="row">{o.registrationNumber}</th>
                  <td>{o.applicantName}</td>
                  <td>{o.permitTypeName}</td>
                  <td>{stage(o.stage)}</td>
                  <td>{o.holderName ?? t('oversight.monitoring.notTaken', { role: o.role ? t(`roles.${o.role}`) : '—' })}</td>
                  <td>{formatDate(o.deadline, i18n.language)}</td>
                  <td className="num late">{o.workingDaysOverdue}</td>
                  <td>{duration(o.minutesAtStage)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <div className="figure-grid">
        <section className="panel figure-section" aria-labelledby="stages-now-title">
          <h2 id="stages-now-title">{t('oversight.monitoring.stagesNow')}</h2>
          <div className="figure-pair">
            <EChart option={charts.stagesNow} label={chartLabel(t('oversight.monitoring.stagesNow'))} height={Math.max(200, f.stagesNow.length * 26)} />
            <table className="figures">
              <thead>
                <tr>
                  <th scope="col">{t('oversight.monitoring.stage')}</th>
                  <th scope="col">{t('oversight.monitoring.files')}</th>
                </tr>
              </thead>
              <tbody>
                {f.stagesNow.map((s) => (
                  <tr key={`${s.workflowId}:${s.stage}`}>
                    <th scope="row">
                      {stage(s.stage)} <span className="muted small">({chain(s.workflowId)})</span>
                    </th>
                    <td className="num">{s.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section className="panel figure-section" aria-labelledby="by-type-title">
          <h2 id="by-type-title">{t('oversight.monitoring.byPermitType')}</h2>
          <div className="figure-pair">
            <EChart option={charts.byPermitType} label={chartLabel(t('oversight.monitoring.byPermitType'))} height={200} />
            {onTimeTable(f.byPermitType, t('oversight.monitoring.permitType'))}
          </div>
        </section>
        <section className="panel figure-section" aria-labelledby="by-stage-title">
          <h2 id="by-stage-title">{t('oversight.monitoring.byStage')}</h2>
          <div className="figure-pair">
            <EChart option={charts.byStage} label={chartLabel(t('oversight.monitoring.byStage'))} height={Math.max(200, f.byStage.length * 30)} />
            {onTimeTable(f.byStage, t('oversight.monitoring.stage'), stage)}
          </div>
        </section>
        <section className="panel figure-section" aria-labelledby="by-official-title">
          <h2 id="by-official-title">{t('oversight.monitoring.byOfficial')}</h2>
          <div className="figure-pair">
            <EChart option={charts.byOfficial} label={chartLabel(t('oversight.monitoring.byOfficial'))} height={Math.max(200, f.byOfficial.length * 30)} />
            {onTimeTable(f.byOfficial, t('oversight.monitoring.official'))}
          </div>
        </section>
        <section className="panel figure-section" aria-labelledby="trend-title">
          <h2 id="trend-title">{t('oversight.monitoring.trend')}</h2>
          <div className="figure-pair">
            <EChart option={charts.trend} label={chartLabel(t('oversight.monitoring.trend'))} height={200} />
            <table className="figures">
              <thead>
                <tr>
                  <th scope="col">{t('oversight.monitoring.week')}</th>
                  <th scope="col">{t('oversight.monitoring.received')}</th>
                  <th scope="col">{t('oversight.monitoring.onTime')}</th>
                  <th scope="col">{t('oversight.monitoring.late')}</th>
                </tr>
              </thead>
              <tbody>
                {f.weekly.map((w) => (
                  <tr key={w.weekStart}>
                    <th scope="row">{formatDate(w.weekStart, i18n.language)}</th>
                    <td className="num">{w.received}</td>
                    <td className="num">{w.onTime}</td>
                    <td className={w.late > 0 ? 'num late' : 'num'}>{w.late}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
    </>
  );
}
