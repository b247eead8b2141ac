import { useTranslation } from 'react-i18next';

export function DeadlineBadge({ workingDaysLeft }: { workingDaysLeft: number | null }) {
  const { t } = useTranslation();
  if (workingDaysLeft === null) return <span className="muted">–</span>;
  if (workingDaysLeft < 0) return <span className="badge overdue">{t('queue.overdue', { count: -workingDaysLeft })}</span>;
  if (workingDaysLeft === 0) return <span className="badge due">{t('queue.dueToday')}</span>;
  return <span className={`badge ${workingDaysLeft === 1 ? 'due' : 'ok'}`}>{t('queue.daysLeft', { count: workingDaysLeft })}</span>;
}
