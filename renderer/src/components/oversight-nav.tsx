import { useTranslation } from 'react-i18next';
import type { User } from '../../../shared/sync-protocol';

export type OversightRoute = 'queue' | 'monitoring' | 'complaints';

const MONITORING_ROLES = ['kepala_dinas', 'sekretaris'];
const COMPLAINT_ROLES = ['penata_perizinan', 'sekretaris', 'kepala_dinas'];

/** The screens by route an official may open: the queue, and monitoring / the Buku Pengaduan by role. */
export function routesFor(user: User): OversightRoute[] {
  return [
    'queue',
    ...(MONITORING_ROLES.includes(user.role) ? (['monitoring'] as const) : []),
    ...(COMPLAINT_ROLES.includes(user.role) ? (['complaints'] as const) : []),
  ];
}

export function OversightNav({ user, current, onGo }: { user: User; current: OversightRoute | null; onGo(route: OversightRoute): void }) {
  const { t } = useTranslation();
  const routes = routesFor(user);
  if (routes.length === 1) return null;
  return (
    <nav className="oversight-nav" aria-label={t('oversight.nav.queue')}>
      {routes.map((r) => (
        <button key={r} type="button" className={r === current ? 'button subtle active' : 'button subtle'} aria-current={r === current ? 'page' : undefined} onClick={() => onGo(r)}>
          {t(`oversight.nav.${r}`)}
        </button>
      ))}
    </nav>
  );
}
