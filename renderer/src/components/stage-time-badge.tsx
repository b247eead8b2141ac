import { useTranslation } from 'react-i18next';
import { formatWorkingDuration } from '../../../shared/kartu-kendali-time';

/** A stage's own standard time (Pekanbaru's minutes per step): what is left, or how far over, as people say it ("1 hari kerja", "35 menit"). */
export function StageTimeBadge({ standardMinutes, minutesLeft }: { standardMinutes: number | null; minutesLeft: number | null }) {
  const { t, i18n } = useTranslation();
  if (standardMinutes === null || minutesLeft === null) return null;
  const over = minutesLeft < 0;
  const duration = (minutes: number) => formatWorkingDuration(minutes, i18n.language === 'en' ? 'en' : 'id');
  const standard = duration(standardMinutes);
  return (
    <span className={`badge stage-time ${over ? 'overdue' : minutesLeft <= standardMinutes / 4 ? 'due' : 'ok'}`} title={t('stageTime.standard', { standard })}>
      {over ? t('stageTime.over', { over: duration(-minutesLeft), standard }) : t('stageTime.left', { left: duration(minutesLeft), standard })}
    </span>
  );
}
