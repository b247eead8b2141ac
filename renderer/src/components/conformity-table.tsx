import { useTranslation } from 'react-i18next';
import { COMPARED_FIELDS, conformityFindings, type ComparedField, type ConformityFinding } from '../../../shared/conformity';
import type { Applicant, ReferenceRecord } from '../../../shared/domain';
import { formatDate } from '../format';

type Source = 'application' | ReferenceRecord['source'];
type StrFinding = Extract<ConformityFinding, { kind: 'str_expired' | 'str_expires_before_start' }>;

/** The PC's own calendar date (YYYY-MM-DD), used only when the office's date is not given. */
function localToday(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

/** A calendar date as an Indonesian office writes it in full: "3 Maret 2026". */
function longDate(date: string, locale: string): string {
  const at = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(at.getTime())) return date;
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'id-ID', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(at);
}

const DATE_FIELDS: ReadonlySet<ComparedField> = new Set(['birthDate', 'strValidUntil']);

/** A date field shown as the applicant panel shows it ("15 Mei 1996"); anything that is not a calendar date, as it came. */
function cellText(field: ComparedField, value: string, locale: string): string {
  if (!DATE_FIELDS.has(field) || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return value;
  return formatDate(value, locale);
}

/** The first day an STR valid through `validUntil` no longer covers. */
function dayAfter(date: string): string {
  const at = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(at.getTime())) return date;
  return new Date(at.getTime() + 86_400_000).toISOString().slice(0, 10);
}

/**
 * The application beside the Satu Sehat and SISDMK records for the same NIK: differences and an
 * expired STR (or one that ends before the permit would start) marked. `today` and `permitStart`
 * are calendar dates in the office's zone.
 */
export function ConformityTable({
  applicant,
  references,
  today,
  permitStart,
}: {
  applicant: Applicant;
  references: ReferenceRecord[];
  /** YYYY-MM-DD in the office's zone; the PC's local date when absent */
  today?: string;
  /** YYYY-MM-DD, when the permit's start is known; else taken as today */
  permitStart?: string;
}) {
  const { t, i18n } = useTranslation();
  const day = today ?? localToday();
  const findings = conformityFindings(applicant, references, day, permitStart ?? day);
  const differing = new Set(findings.filter((f) => f.kind === 'differs').map((f) => `${f.field}:${f.source}`));
  const strFindings = new Map<Source, StrFinding>(
    findings.filter((f): f is StrFinding => f.kind === 'str_expired' || f.kind === 'str_expires_before_start').map((f) => [f.source, f]),
  );

  function strFlag(source: Source) {
    const finding = strFindings.get(source);
    if (!finding) return null;
    const text =
      finding.kind === 'str_expired'
        ? t('application.strExpiredSince', { date: longDate(dayAfter(finding.validUntil), i18n.language) })
        : t('application.strEndsBeforeStart');
    return (
      <span className="str-badge-line">
        <span className="badge str-badge">{text}</span>
      </span>
    );
  }

  return (
    <section className="panel" aria-labelledby="conformity-title">
      <h2 id="conformity-title">
        {t('application.conformity')}{' '}
        <span className={`badge ${findings.length ? 'overdue' : 'ok'}`}>
          {findings.length ? t('application.findingCount', { count: findings.length }) : t('application.allMatch')}
        </span>
      </h2>
      <p className="muted small">{t('application.conformityHint')}</p>
      <table className="conformity-table">
        <thead>
          <tr>
            <th scope="col" />
            <th scope="col">{t('application.sources.application')}</th>
            {references.map((r) => (
              <th scope="col" key={r.source}>
                {t(`application.sources.${r.source}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {COMPARED_FIELDS.map((field) => {
            const isStr = field === 'strValidUntil';
            const applicationFlag = isStr ? strFlag('application') : null;
            return (
              <tr key={field} className={isStr && strFindings.size ? 'str-problem' : undefined}>
                <th scope="row">{t(`application.fields.${field}`)}</th>
                <td className={applicationFlag ? 'mismatch' : undefined}>
                  {cellText(field, applicant[field], i18n.language)}
                  {applicationFlag}
                </td>
                {references.map((r) => {
                  const value = r.fields[field];
                  const differs = differing.has(`${field}:${r.source}`);
                  const flag = isStr ? strFlag(r.source) : null;
                  return (
                    <td key={r.source} className={differs || flag ? 'mismatch' : undefined}>
                      {value === undefined ? '–' : cellText(field, value, i18n.language)}
                      {differs && <span className="visually-hidden"> ({t('application.mismatch')})</span>}
                      {differs && (
                        <span className="mismatch-flag" aria-hidden="true">
                          {t('application.mismatch')}
                        </span>
                      )}
                      {flag}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
