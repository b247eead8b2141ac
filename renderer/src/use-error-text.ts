import { useTranslation } from 'react-i18next';
import { ERROR_CODES, type AppError } from '../../shared/result';

/** Turns a contract error into the sentence the official reads, in the chosen language. */
export function useErrorText(): (error: AppError) => string {
  const { t } = useTranslation();
  return (error) => ((ERROR_CODES as readonly string[]).includes(error.code) ? t(`errors.${error.code}`) : t('errors.INTERNAL'));
}
