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

/** The window shows one page, the renderer's own; every other navigation is refused. */
export function isAllowedNavigation(targetUrl: string, rendererUrl: string): boolean {
  try {
    const target = new URL(targetUrl);
    const own = new URL(rendererUrl);
    return target.protocol === own.protocol && target.host === own.host && target.pathname === own.pathname;
  } catch {
    return false;
  }
}

/** No camera, microphone, notifications, geolocation or anything else a web page may ask for. */
export function isPermissionGranted(_permission: string): boolean {
  return false;
}
