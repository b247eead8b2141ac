import { useTranslation } from 'react-i18next';
import { LOCALES, setLocale, type Locale } from '../i18n/setup-i18n';

/** The interface language: Bahasa Indonesia by default, English as the second; chosen before or after signing in. */
export function LocaleSelect() {
  const { t, i18n } = useTranslation();
  return (
    <label className="locale-select">
      <span className="visually-hidden">{t('common.language')}</span>
      <select value={i18n.language} onChange={(e) => setLocale(e.target.value as Locale)} aria-label={t('common.language')}>
        {LOCALES.map((l) => (
          <option key={l} value={l}>
            {l === 'id' ? 'Bahasa Indonesia' : 'English'}
          </option>
        ))}
      </select>
    </label>
  );
}
