import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncStatus } from '../../shared/contract';
import type { User } from '../../shared/sync-protocol';
import { invoke, SERVER_UNREACHABLE_EVENT } from './desk-api';
import { setOfficeTimeZone } from './format';
import { TopBar } from './components/top-bar';
import { SignInScreen } from './screens/sign-in-screen';
import { QueueScreen } from './screens/queue-screen';
import { ApplicationScreen } from './screens/application-screen';
import { VerifyScreen } from './screens/verify-screen';
import { MonitoringScreen } from './screens/monitoring-screen';
import { ComplaintsScreen } from './screens/complaints-screen';
import { OversightNav } from './components/oversight-nav';
import { queryClient } from './desk-query';
import { clearAllDrafts } from './screens/application/decision-drafts';

/** The screens by route: one typed union, so a route and its parameters cannot drift apart. */
type View =
  | { kind: 'queue'; notice: string | null }
  | { kind: 'application'; id: string; neighbours: string[] }
  | { kind: 'verify' }
  | { kind: 'monitoring' }
  | { kind: 'complaints' };

const STATUS_POLL_MS = 5000;

export function App() {
  const { t } = useTranslation();
  const [user, setUser] = useState<User | null>(null);
  const [checked, setChecked] = useState(false);
  const [view, setView] = useState<View>({ kind: 'queue', notice: null });
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [syncing, setSyncing] = useState(false);

  useEffect(() => {
    void invoke('session.current', {}).then((r) => {
      if (r.ok) {
        setUser(r.value.user);
        if (r.value.office) setOfficeTimeZone(r.value.office.timeZone);
      }
      setChecked(true);
    });
  }, []);

  const refreshStatus = useCallback(async () => {
    const r = await invoke('sync.status', {});
    if (r.ok) setStatus(r.value);
    const current = await invoke('session.current', {});
    if (current.ok && current.value.office) setOfficeTimeZone(current.value.office.timeZone);
  }, []);

  useEffect(() => {
    if (!user) return;
    void refreshStatus();
    const timer = setInterval(() => void refreshStatus(), STATUS_POLL_MS);
    // an action that found the server unreachable: say so now, not at the next poll
    const onUnreachable = () => void refreshStatus();
    window.addEventListener(SERVER_UNREACHABLE_EVENT, onUnreachable);
    return () => {
      clearInterval(timer);
      window.removeEventListener(SERVER_UNREACHABLE_EVENT, onUnreachable);
    };
  }, [user, refreshStatus]);

  const syncNow = async () => {
    setSyncing(true);
    const r = await invoke('sync.now', {});
    if (r.ok) setStatus(r.value);
    setSyncing(false);
  };

  const signOut = async () => {
    const result = await invoke('session.signOut', {});
    if (!result.ok) return result.error; // refused while a signing batch runs: the top bar says why
    queryClient.clear(); // the next official sees none of this one's server data
    clearAllDrafts(); // nor what this one ticked and typed
    setUser(null);
    setView({ kind: 'queue', notice: null });
    return null;
  };

  if (!checked) return null;
  if (!user) return <SignInScreen onSignedIn={(u) => setUser(u)} />;

  return (
    <div className="app-shell">
      <TopBar user={user} status={status} syncing={syncing} onSync={syncNow} onSignOut={signOut} onVerify={() => setView({ kind: 'verify' })} />
      <OversightNav
        user={user}
        current={view.kind === 'monitoring' || view.kind === 'complaints' || view.kind === 'queue' ? view.kind : null}
        onGo={(route) => setView(route === 'queue' ? { kind: 'queue', notice: null } : { kind: route })}
      />
      <main className="app-main" aria-label={t('app.name')}>
        {view.kind === 'monitoring' ? (
          <MonitoringScreen />
        ) : view.kind === 'complaints' ? (
          <ComplaintsScreen user={user} />
        ) : view.kind === 'verify' ? (
          <VerifyScreen onBack={() => setView({ kind: 'queue', notice: null })} />
        ) : view.kind === 'queue' ? (
          <QueueScreen notice={view.notice} syncedAt={status?.lastSyncAt ?? null} onOpen={(id, neighbours) => setView({ kind: 'application', id, neighbours })} />
        ) : (
          <ApplicationScreen
            key={view.id}
            applicationId={view.id}
            neighbours={view.neighbours}
            onNavigate={(id) => setView({ ...view, id })}
            user={user}
            onBack={(notice) => {
              setView({ kind: 'queue', notice });
              void refreshStatus();
            }}
            onChanged={refreshStatus}
          />
        )}
      </main>
    </div>
  );
}
