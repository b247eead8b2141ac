import { isAppPage } from './app-scheme-files';

/**
 * The desk window's security settings, kept apart from `electron` so tests can check them
 * where no Electron binary exists. main.ts applies exactly these.
 */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: process.env.MEJA_IZIN_DEVTOOLS === '1',
  } as const;
}

/**
 * The window shows one page, the renderer's own at app://desk/ (index.html, any hash); every
 * other navigation is refused: other app:// hosts, file://, http(s), javascript:, data:.
 */
export function isAllowedNavigation(targetUrl: string): boolean {
  return isAppPage(targetUrl);
}

/** Only our own page may call main over the contract's IPC channel. */
export function isTrustedSender(frameUrl: string | undefined): boolean {
  return typeof frameUrl === 'string' && isAppPage(frameUrl);
}

/**
 * `window.open` and target=_blank: the desk is one window, so every request is denied, our
 * own origin included; nothing is handed to an external browser either.
 */
export function windowOpenDecision(_url: string): { action: 'deny' } {
  return { action: 'deny' };
}

/** No camera, microphone, notifications, geolocation or anything else a web page may ask for. */
export function isPermissionGranted(_permission: string): boolean {
  return false;
}
