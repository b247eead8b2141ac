import { useTranslation } from 'react-i18next';

/** A stage's own standard time (Pekanbaru's minutes per step): what is left, or how far over. */
export function StageTimeBadge({ standardMinutes, minutesLeft }: { standardMinutes: number | null; minutesLeft: number | null }) {
  const { t } = useTranslation();
  if (standardMinutes === null || minutesLeft === null) return null;
  const over = minutesLeft < 0;
  return (
    <span className={`badge stage-time ${over ? 'overdue' : minutesLeft <= standardMinutes / 4 ? 'due' : 'ok'}`} title={t('stageTime.standard', { minutes: standardMinutes })}>
      {over ? t('stageTime.over', { minutes: -minutesLeft, standard: standardMinutes }) : t('stageTime.left', { minutes: minutesLeft, standard: standardMinutes })}
    </span>
  );
}
