import { useTranslation } from 'react-i18next';
import type { ApplicationDetail } from '../../../../shared/contract';
import { formatDate } from '../../format';

/** The applicant's data as the application states it. */
export function ApplicantPanel({ applicant }: { applicant: ApplicationDetail['application']['applicant'] }) {
  const { t, i18n } = useTranslation();
  return (
    <section className="panel" aria-labelledby="applicant-title">
      <h2 id="applicant-title">{t('application.applicant')}</h2>
      <dl className="facts">
        <dt>{t('application.fields.nik')}</dt>
        <dd>{applicant.nik}</dd>
        <dt>{t('application.fields.birth')}</dt>
        <dd>
          {applicant.birthPlace}, {formatDate(applicant.birthDate, i18n.language)}
        </dd>
        <dt>{t('application.fields.address')}</dt>
        <dd>{applicant.address}</dd>
        <dt>{t('application.fields.phone')}</dt>
        <dd>{applicant.phone}</dd>
        <dt>{t('application.fields.profession')}</dt>
        <dd>{applicant.profession}</dd>
        <dt>{t('application.fields.strNumber')}</dt>
        <dd>{applicant.strNumber}</dd>
        <dt>{t('application.fields.facilityName')}</dt>
        <dd>{applicant.facilityName}</dd>
      </dl>
    </section>
  );
}
