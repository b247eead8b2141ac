import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { id } from './id';

export const LOCALES = ['id', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
const LOCALE_KEY = 'meja-izin-locale';

export function savedLocale(): Locale {
  const saved = localStorage.getItem(LOCALE_KEY);
  return saved === 'en' ? 'en' : 'id';
}

export function setLocale(locale: Locale): void {
  localStorage.setItem(LOCALE_KEY, locale);
  void i18next.changeLanguage(locale);
  document.documentElement.lang = locale;
}

/** Bahasa Indonesia is the default; English is the second locale. */
export async function setupI18n(): Promise<void> {
  const lng = savedLocale();
  document.documentElement.lang = lng;
  await i18next.use(initReactI18next).init({
    lng,
    fallbackLng: 'id',
    resources: { id: { translation: id }, en: { translation: en } },
    interpolation: { escapeValue: false },
  });
}
