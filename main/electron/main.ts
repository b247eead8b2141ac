import { app, BrowserWindow, Menu, ipcMain, session, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_CHANNEL } from '../../shared/contract';
import { createDeskServices, type DeskServices } from '../services/create-desk-services';
import { dispatchCall } from '../services/dispatch-call';
import { startEmbeddedServer, type EmbeddedServer } from '../host/embedded-server';
import { isAllowedNavigation, isPermissionGranted, secureWebPreferences } from './window-policy';

// Built by scripts/build-electron.mjs into dist/electron/; the renderer is in dist/renderer/.
const rendererUrl = pathToFileURL(join(__dirname, '..', 'renderer', 'index.html')).href;
let services: DeskServices | null = null;
let embedded: EmbeddedServer | null = null;

app.enableSandbox();

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, rendererUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, rendererUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

function fromOurWindow(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url;
  return typeof url === 'string' && isAllowedNavigation(url, rendererUrl);
}

async function start() {
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(isPermissionGranted(permission)));
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => isPermissionGranted(permission));

  const dataDir = app.getPath('userData');
  const configured = process.env.MEJA_IZIN_SERVER;
  if (!configured) embedded = await startEmbeddedServer(join(dataDir, 'embedded'));
  services = await createDeskServices({ cacheFile: join(dataDir, 'desk-cache.sqlite'), serverUrl: configured || embedded!.url, defaultCertificatePath: embedded?.demoCertificatePath });

  ipcMain.handle(IPC_CHANNEL, (event, method: unknown, input: unknown) => {
    if (!fromOurWindow(event)) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: 'call from an unknown frame' } };
    return dispatchCall(services!.handlers, method, input, (line) => console.error(line));
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
  window.once('ready-to-show', () => window.show());
  await window.loadURL(rendererUrl);
}

app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => {
  void services?.close();
  void embedded?.close();
});

start().catch((error: unknown) => {
  console.error('Meja Izin could not start:', error);
  app.exit(1);
});
