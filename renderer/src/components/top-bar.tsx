import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncStatus } from '../../../shared/contract';
import type { AppError } from '../../../shared/result';
import type { User } from '../../../shared/sync-protocol';
import { formatDateTime } from '../format';
import { useErrorText } from '../use-error-text';
import { Brand } from './brand';
import { LocaleSelect } from './locale-select';

interface TopBarProps {
  user: User;
  status: SyncStatus | null;
  syncing: boolean;
  onSync(): void;
  /** null when signed out; the refusal otherwise (a signing batch still running) */
  onSignOut(): Promise<AppError | null>;
  onVerify(): void;
}

export function TopBar({ user, status, syncing, onSync, onSignOut, onVerify }: TopBarProps) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [signOutRefusal, setSignOutRefusal] = useState<string | null>(null);
  const online = status?.online ?? false;
  const signOut = async () => {
    setSignOutRefusal(null);
    const refusal = await onSignOut();
    if (refusal) setSignOutRefusal(errorText(refusal));
  };
  return (
    <>
      <header className="top-bar">
        <Brand />
        <button type="button" className="button subtle nav-button" onClick={onVerify}>
          {t('verify.nav')}
        </button>
        <div className="sync-area" role="status" aria-live="polite">
          <span className={`sync-dot ${online ? 'online' : 'offline'}`} aria-hidden="true" />
          <span className="sync-state">{online ? t('sync.online') : t('sync.offline')}</span>
          {status && status.pendingCommands > 0 && <span className="sync-pending">{t('sync.pending', { count: status.pendingCommands })}</span>}
          {status?.needsSignIn && status.online && <span className="sync-pending">{t('sync.needsSignIn')}</span>}
          {status?.waitingForOfficials.map((w) => (
            <span key={w.name} className="sync-pending">
              {t('sync.waitingFor', { count: w.count, name: w.name })}
            </span>
          ))}
          {status && status.quarantinedCommands > 0 && <span className="sync-pending">{t('sync.quarantined', { count: status.quarantinedCommands })}</span>}
          {/* the server answered but the sync failed (an error of its own, a malformed answer): say so, and why on hover */}
          {status?.online && status.lastError && status.lastError !== 'SESSION_EXPIRED' && (
            <span className="sync-pending" data-testid="sync-failed" title={errorText({ code: status.lastError, message: '' } as AppError)}>
              {t('sync.failed')}
            </span>
          )}
          {status?.restoredFromBackupAt && <span className="sync-pending">{t('sync.restoredFromBackup', { time: formatDateTime(status.restoredFromBackupAt, i18n.language) })}</span>}
          <span className="sync-last">{status?.lastSyncAt ? t('sync.lastSync', { time: formatDateTime(status.lastSyncAt, i18n.language) }) : t('sync.never')}</span>
          <button type="button" className="button subtle" onClick={onSync} disabled={syncing}>
            {t('sync.now')}
          </button>
        </div>
        <div className="user-area">
          <div className="user-name">{user.fullName}</div>
          <div className="user-role">{t(`roles.${user.role}`)}</div>
        </div>
        <LocaleSelect />
        <button type="button" className="button subtle" onClick={() => void signOut()}>
          {t('common.signOut')}
        </button>
      </header>
      {signOutRefusal && (
        <div className="alert error top-bar-alert" role="alert">
          <span>{signOutRefusal}</span>
          <button type="button" className="button subtle" onClick={() => setSignOutRefusal(null)}>
            {t('common.close')}
          </button>
        </div>
      )}
    </>
  );
}
