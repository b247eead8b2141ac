import { app, BrowserWindow, dialog, Menu, ipcMain, protocol, safeStorage, session, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { fileKeyStore, keyStoreTakingOverFile, type CacheKeyStore } from '../../db/cache-key';
import { IPC_CHANNEL } from '../../shared/contract';
import { createDeskServices, type DeskServices } from '../services/create-desk-services';
import { createDeskClient, type DeskClient } from '../services/desk-client';
import { startEmbeddedServer, type EmbeddedServer } from '../host/embedded-server';
import { APP_ENTRY_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES } from './app-scheme-files';
import { createAppSchemeHandler } from './app-scheme-handler';
import { certificateChooser } from './certificate-dialog';
import { createSafeStorageKeyStore } from './safe-storage-key-store';
import { isAllowedNavigation, isPermissionGranted, isTrustedSender, secureWebPreferences, windowOpenDecision } from './window-policy';

// Built by scripts/build-electron.mjs into dist/electron/; the renderer is in dist/renderer/,
// served as app://desk/ (never file://: the page gets a real origin and file:// no privileges).
const rendererDir = join(__dirname, '..', 'renderer');
let services: DeskServices | null = null;
let embedded: EmbeddedServer | null = null;
let mainWindow: BrowserWindow | null = null;

app.enableSandbox();
// Chromium's own locale: the date fields (Buku Pengaduan) read dd/mm/yyyy and its few words
// are Indonesian, whatever language the PC's system is set to
app.commandLine.appendSwitch('lang', 'id');
// Must happen before 'ready'; privileges are fixed for the life of the process.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler((details) => windowOpenDecision(details.url));
  contents.on('will-navigate', (event) => {
    if (!isAllowedNavigation(event.url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isAllowedNavigation(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAllowedNavigation(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

/**
 * The cache key is kept by the OS (safeStorage), never in plain form; where the OS cannot
 * protect it the desk refuses to start and says why. A key file left beside the cache by an
 * earlier run is moved into safeStorage and deleted. Only an unpackaged development or test
 * run (a CI machine has no keyring) may ask for the plain key file, explicitly and loudly.
 */
function cacheKeyStore(dataDir: string): CacheKeyStore {
  const keyFile = join(dataDir, 'cache.key');
  if (!app.isPackaged && process.env.MEJA_IZIN_PLAIN_CACHE_KEY === '1') {
    console.warn('MEJA_IZIN_PLAIN_CACHE_KEY=1: the cache key is in a plain key file (mode 0600), not in the OS keyring. Development and tests only; a packaged desk ignores this.');
    return fileKeyStore(keyFile);
  }
  return keyStoreTakingOverFile(createSafeStorageKeyStore({ safeStorage, userDataDir: dataDir }), keyFile);
}

/** Only the top frame of our own page may call main. */
function fromOurWindow(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isTrustedSender(frame.url);
}

async function start() {
  await app.whenReady();
  protocol.handle(APP_SCHEME, createAppSchemeHandler(rendererDir, (line) => console.error(line)));
  // Nothing in the desk loads file:// URLs; refuse them outright, whatever the fuses say.
  protocol.handle('file', () => new Response('not found', { status: 404 }));
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(isPermissionGranted(permission)));
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => isPermissionGranted(permission));

  const dataDir = app.getPath('userData');
  const configured = process.env.MEJA_IZIN_SERVER;
  if (!configured) embedded = await startEmbeddedServer(join(dataDir, 'embedded'));
  services = await createDeskServices({
    cacheFile: join(dataDir, 'desk-cache.sqlite'),
    keyStore: cacheKeyStore(dataDir),
    serverUrl: configured || embedded!.url,
    defaultCertificatePath: embedded?.demoCertificatePath,
    chooseCertificateFile: certificateChooser(dialog, () => mainWindow),
  });
  const client: DeskClient = createDeskClient(services);

  ipcMain.handle(IPC_CHANNEL, (event, method: unknown, input: unknown) => {
    if (!fromOurWindow(event)) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: 'call from an unknown frame' } };
    return client.dispatch(method, input);
  });

  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { label: 'Meja Izin', submenu: [{ role: 'quit', label: 'Keluar' }] },
      { label: 'Edit', submenu: [{ role: 'copy', label: 'Salin' }, { role: 'paste', label: 'Tempel' }, { role: 'selectAll', label: 'Pilih semua' }] },
      { label: 'Tampilan', submenu: [{ role: 'zoomIn', label: 'Perbesar' }, { role: 'zoomOut', label: 'Perkecil' }, { role: 'resetZoom', label: 'Ukuran asli' }] },
    ]),
  );

  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    title: 'Meja Izin',
    show: false,
    webPreferences: secureWebPreferences(join(__dirname, 'preload.cjs')),
  });
  mainWindow = window;
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => (mainWindow = null));
  await window.loadURL(APP_ENTRY_URL);
}

app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => {
  void services?.close();
  void embedded?.close();
});

// One desk process per data folder: one owner of the cache file and of its key. A second
// start brings the open window forward instead.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  start().catch((error: unknown) => {
    console.error('Meja Izin could not start:', error);
    // Say why instead of vanishing (no keyring for the cache key, a damaged cache…).
    dialog.showErrorBox('Meja Izin tidak dapat dimulai', error instanceof Error ? error.message : String(error));
    app.exit(1);
  });
}
