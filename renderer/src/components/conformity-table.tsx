import { useTranslation } from 'react-i18next';
import type { Applicant, ReferenceRecord } from '../../../shared/domain';

const COMPARED_FIELDS = ['fullName', 'birthDate', 'profession', 'strNumber', 'strValidUntil', 'facilityName'] as const;

export function countMismatches(applicant: Applicant, references: ReferenceRecord[]): number {
  return COMPARED_FIELDS.reduce(
    (n, field) => n + references.filter((r) => r.fields[field] !== undefined && r.fields[field] !== applicant[field]).length,
    0,
  );
}

/** The application beside the Satu Sehat and SISDMK records for the same NIK; differences marked. */
export function ConformityTable({ applicant, references }: { applicant: Applicant; references: ReferenceRecord[] }) {
  const { t } = useTranslation();
  const mismatches = countMismatches(applicant, references);
  return (
    <section className="panel" aria-labelledby="conformity-title">
      <h2 id="conformity-title">
        {t('application.conformity')}{' '}
        <span className={`badge ${mismatches ? 'overdue' : 'ok'}`}>
          {mismatches ? t('application.mismatchCount', { count: mismatches }) : t('application.allMatch')}
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
          {COMPARED_FIELDS.map((field) => (
            <tr key={field}>
              <th scope="row">{t(`application.fields.${field}`)}</th>
              <td>{applicant[field]}</td>
              {references.map((r) => {
                const value = r.fields[field];
                const differs = value !== undefined && value !== applicant[field];
                return (
                  <td key={r.source} className={differs ? 'mismatch' : undefined}>
                    {value ?? '–'}
                    {differs && <span className="visually-hidden"> ({t('application.mismatch')})</span>}
                    {differs && <span className="mismatch-flag" aria-hidden="true">{t('application.mismatch')}</span>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
