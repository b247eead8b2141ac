import { useTranslation } from 'react-i18next';

export function Brand({ large = false }: { large?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className={`brand ${large ? 'large' : ''}`}>
      <span className="brand-mark" aria-hidden="true">
        MI
      </span>
      <div>
        <div className="brand-name">{t('app.name')}</div>
        <div className="brand-tagline">{t('app.tagline')}</div>
      </div>
    </div>
  );
}
