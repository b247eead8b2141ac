import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { User } from '../../../shared/sync-protocol';
import { invoke } from '../desk-api';
import { useErrorText } from '../use-error-text';
import { Brand } from '../components/brand';
import { LocaleSelect } from '../components/locale-select';

export function SignInScreen({ onSignedIn }: { onSignedIn(user: User): void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    // our own message instead of the browser's English "Please fill out this field" (the form is noValidate)
    const missing = username.trim() === '' ? 'username' : password === '' ? 'password' : null;
    if (missing) {
      setError(t(missing === 'username' ? 'signIn.usernameRequired' : 'signIn.passwordRequired'));
      event.currentTarget.querySelector<HTMLInputElement>(`input[name="${missing}"]`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    const result = await invoke('session.signIn', { username, password });
    setBusy(false);
    setPassword('');
    if (result.ok) onSignedIn(result.value.user);
    else setError(errorText(result.error));
  };

  return (
    <main className="sign-in-page">
      <div className="sign-in-locale">
        <LocaleSelect />
      </div>
      <form className="sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
        <Brand large />
        <h1 id="sign-in-title">{t('signIn.title')}</h1>
        <label className="field">
          <span>{t('signIn.username')}</span>
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        </label>
        <label className="field">
          <span>{t('signIn.password')}</span>
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && (
          <p className="alert error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? t('signIn.busy') : t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}
