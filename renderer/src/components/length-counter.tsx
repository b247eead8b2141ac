import { useTranslation } from 'react-i18next';

/**
 * "1.234 / 2.000" under a text field whose text the server accepts only up to `limit`
 * characters; it turns to a warning near the limit and says so at (or over) it. The field
 * points at it with aria-describedby, so a screen reader hears the count on focus, not on
 * every keystroke.
 */
export function LengthCounter({ id, length, limit }: { id: string; length: number; limit: number }) {
  const { t, i18n } = useTranslation();
  const number = new Intl.NumberFormat(i18n.language === 'en' ? 'en-GB' : 'id-ID');
  const state = length > limit ? 'over' : length === limit ? 'at' : length >= limit * 0.9 ? 'near' : 'ok';
  return (
    <span id={id} className={`length-counter ${state}`} data-testid="length-counter">
      {number.format(length)} / {number.format(limit)}
      <span className="visually-hidden"> {t('forms.characters')}</span>
      {state === 'at' && <> · {t('forms.limitReached')}</>}
      {state === 'over' && <> · {t('forms.overLimit', { count: length - limit, over: number.format(length - limit) })}</>}
    </span>
  );
}
