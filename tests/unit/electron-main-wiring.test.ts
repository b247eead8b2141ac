import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../main/electron/content-security-policy';

/**
 * main.ts bundled exactly as scripts/build-electron.mjs bundles it, then run under plain Node
 * with a recording stand-in for `electron` (no binary here). Shows the wiring the pure modules
 * cannot: the scheme is made privileged before 'ready', served by our handler after it, the
 * window loads app://desk/, navigation and IPC are guarded. It does not show Chromium's side.
 */
type Handler = (...args: any[]) => any;
interface Recorded {
  calls: string[];
  privileged: unknown[];
  protocolHandlers: Map<string, Handler>;
  appHandlers: Map<string, Handler>;
  ipcHandlers: Map<string, Handler>;
  loaded: string[];
  webPreferences: Record<string, unknown>[];
  errorBoxes: string[];
  /** the native open dialogs shown, and what the stand-in official answers to the next one */
  openDialogs: unknown[][];
  dialogAnswers: Array<{ canceled: boolean; filePaths: string[] }>;
}

/** Stands in for safeStorage: reversible, and never the plain bytes. */
function fakeSafeStorage(backend: string, available = true) {
  const mask = (b: Buffer) => Buffer.from(b.map((x, i) => x ^ (0x5a + i) % 256));
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain: string) => Buffer.concat([Buffer.from('v11'), mask(Buffer.from(plain))]),
    decryptString: (encrypted: Buffer) => mask(encrypted.subarray(3)).toString(),
  };
}

function fakeElectron(userData: string, recorded: Recorded, options: { safeStorage: ReturnType<typeof fakeSafeStorage>; isPackaged: boolean }) {
  let ready = false;
  let resolveReady: () => void = () => undefined;
  const whenReady = new Promise<void>((resolve) => {
    resolveReady = () => {
      ready = true;
      recorded.calls.push('ready');
      resolve();
    };
  });
  return {
    fireReady: () => resolveReady(),
    electron: {
      app: {
        isPackaged: options.isPackaged,
        enableSandbox: () => recorded.calls.push('enableSandbox'),
        commandLine: { appendSwitch: (name: string, value?: string) => recorded.calls.push(ready ? `appendSwitch ${name}=${value} AFTER ready` : `appendSwitch ${name}=${value}`) },
        requestSingleInstanceLock: () => true,
        on: (event: string, handler: Handler) => recorded.appHandlers.set(event, handler),
        whenReady: () => whenReady,
        getPath: (name: string) => (name === 'userData' ? userData : tmpdir()),
        exit: (code: number) => recorded.calls.push(`exit ${code}`),
        quit: () => recorded.calls.push('quit'),
      },
      protocol: {
        registerSchemesAsPrivileged: (schemes: unknown[]) => {
          recorded.calls.push(ready ? 'registerSchemesAsPrivileged AFTER ready' : 'registerSchemesAsPrivileged');
          recorded.privileged.push(...schemes);
        },
        handle: (scheme: string, handler: Handler) => {
          recorded.calls.push(ready ? `handle ${scheme}` : `handle ${scheme} BEFORE ready`);
          recorded.protocolHandlers.set(scheme, handler);
        },
      },
      session: { defaultSession: { setPermissionRequestHandler: () => undefined, setPermissionCheckHandler: () => undefined } },
      ipcMain: { handle: (channel: string, handler: Handler) => recorded.ipcHandlers.set(channel, handler) },
      Menu: { setApplicationMenu: () => undefined, buildFromTemplate: (template: unknown) => template },
      dialog: {
        showErrorBox: (title: string, content: string) => recorded.errorBoxes.push(`${title}: ${content}`),
        showOpenDialog: async (...args: unknown[]) => {
          recorded.openDialogs.push(args);
          return recorded.dialogAnswers.shift() ?? { canceled: true, filePaths: [] };
        },
      },
      safeStorage: options.safeStorage,
      BrowserWindow: class {
        constructor(windowOptions: { webPreferences: Record<string, unknown> }) {
          recorded.webPreferences.push(windowOptions.webPreferences);
        }
        once() {}
        on() {}
        show() {}
        async loadURL(url: string) {
          recorded.loaded.push(url);
        }
      },
    },
  };
}

let dir: string;
let bundle: string;
const runs: Recorded[] = [];
const saved = { server: process.env.MEJA_IZIN_SERVER, plain: process.env.MEJA_IZIN_PLAIN_CACHE_KEY };

/** Runs a fresh copy of the bundled main.ts against a stand-in electron, up to its window or its error box. */
async function runMain(name: string, options: { safeStorage: ReturnType<typeof fakeSafeStorage>; isPackaged?: boolean; plainKeyEnv?: boolean }) {
  const userData = join(dir, name);
  mkdirSync(userData);
  const copy = join(dir, 'electron', `main-${name}.cjs`);
  copyFileSync(bundle, copy);
  const recorded: Recorded = { calls: [], privileged: [], protocolHandlers: new Map(), appHandlers: new Map(), ipcHandlers: new Map(), loaded: [], webPreferences: [], errorBoxes: [], openDialogs: [], dialogAnswers: [] };
  runs.push(recorded);
  const fake = fakeElectron(userData, recorded, { safeStorage: options.safeStorage, isPackaged: options.isPackaged ?? false });
  if (options.plainKeyEnv) process.env.MEJA_IZIN_PLAIN_CACHE_KEY = '1';
  else delete process.env.MEJA_IZIN_PLAIN_CACHE_KEY;
  const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const originalLoad = loader._load;
  loader._load = function (request, parent, isMain) {
    return request === 'electron' ? fake.electron : originalLoad.call(this, request, parent, isMain);
  };
  try {
    createRequire(import.meta.url)(copy);
  } finally {
    loader._load = originalLoad;
  }
  fake.fireReady();
  for (let i = 0; i < 400 && recorded.loaded.length === 0 && recorded.errorBoxes.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  return { recorded, userData };
}

beforeAll(async () => {
  // Inside the repo (test-results/ is ignored), like dist/: the bundle's external packages and
  // the backup worker's require.resolve find this repo's node_modules.
  mkdirSync('test-results', { recursive: true });
  dir = mkdtempSync(join(process.cwd(), 'test-results', 'electron-main-wiring-'));
  mkdirSync(join(dir, 'renderer'));
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Meja Izin</title>');
  // The same externals as scripts/build-electron.mjs: electron and every native dependency.
  const { dependencies = {} } = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies?: Record<string, string> };
  const native = Object.keys(dependencies).filter((name) => existsSync(join('node_modules', name, 'binding.gyp')));
  bundle = join(dir, 'electron', 'main.cjs');
  await build({ entryPoints: ['main/electron/main.ts'], outfile: bundle, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['electron', ...native], logLevel: 'silent' });
  // An unreachable central server: no embedded server is started, the desk starts offline.
  process.env.MEJA_IZIN_SERVER = 'http://127.0.0.1:9';
});

afterAll(async () => {
  for (const run of runs) await run.appHandlers.get('will-quit')?.();
  await new Promise((r) => setTimeout(r, 100));
  for (const [name, value] of [['MEJA_IZIN_SERVER', saved.server], ['MEJA_IZIN_PLAIN_CACHE_KEY', saved.plain]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('main/electron/main.ts wired to a stand-in electron', () => {
  let recorded: Recorded;
  let userData: string;
  beforeAll(async () => {
    ({ recorded, userData } = await runMain('keyring', { safeStorage: fakeSafeStorage('gnome_libsecret') }));
  });

  it('starts without an error box and loads app://desk/, not a file:// URL', () => {
    expect(recorded.errorBoxes).toEqual([]);
    expect(recorded.loaded).toEqual(['app://desk/']);
    expect(recorded.webPreferences[0]).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
  });

  it('keeps the cache key through safeStorage: cache.key.enc, mode 0600, and no plain key file', () => {
    const files = readdirSync(userData);
    expect(files).toContain('cache.key.enc');
    expect(files).not.toContain('cache.key');
    if (process.platform !== 'win32') expect(statSync(join(userData, 'cache.key.enc')).mode & 0o777).toBe(0o600);
  });

  it('makes app:// privileged before ready and serves it (and refuses file://) only after', () => {
    expect(recorded.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
    const order = recorded.calls.filter((c) => c !== 'enableSandbox' && !c.startsWith('exit') && !c.startsWith('appendSwitch'));
    expect(order.slice(0, 4)).toEqual(['registerSchemesAsPrivileged', 'ready', 'handle app', 'handle file']);
  });

  it("sets Chromium's locale to Indonesian before ready (date fields read dd/mm/yyyy)", () => {
    expect(recorded.calls.filter((c) => c.startsWith('appendSwitch'))).toEqual(['appendSwitch lang=id']);
  });

  it('serves the renderer folder beside dist/electron with the CSP, and nothing else', async () => {
    const app = recorded.protocolHandlers.get('app')!;
    const page: Response = await app({ url: 'app://desk/', method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await page.text()).toContain('<title>Meja Izin</title>');
    expect((await app({ url: 'app://desk/../electron/main.cjs', method: 'GET' })).status).toBe(404);
    const file: Response = await recorded.protocolHandlers.get('file')!({ url: 'file:///etc/passwd', method: 'GET' });
    expect(file.status).toBe(404);
  });

  it('guards navigation and window.open on every web contents', () => {
    const listeners = new Map<string, Handler>();
    let openHandler: Handler = () => undefined;
    recorded.appHandlers.get('web-contents-created')!({}, { setWindowOpenHandler: (h: Handler) => (openHandler = h), on: (event: string, h: Handler) => listeners.set(event, h) });
    expect(openHandler({ url: 'app://desk/' })).toEqual({ action: 'deny' });
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      const prevented: string[] = [];
      for (const url of ['app://desk/', 'file:///etc/passwd', 'https://example.org/', 'app://evil/']) listeners.get(event)!({ url, preventDefault: () => prevented.push(url) });
      expect(prevented, event).toEqual(['file:///etc/passwd', 'https://example.org/', 'app://evil/']);
    }
    let webviewPrevented = false;
    listeners.get('will-attach-webview')!({ preventDefault: () => (webviewPrevented = true) });
    expect(webviewPrevented).toBe(true);
  });

  it('answers IPC only from the top frame of app://desk', async () => {
    const [channel, handler] = [...recorded.ipcHandlers.entries()][0]!;
    expect(channel).toBe('meja-izin:invoke');
    const call = (senderFrame: unknown) => handler({ senderFrame }, 'session.current', {});
    expect(await call({ url: 'app://desk/', parent: null })).toMatchObject({ ok: true });
    for (const frame of [null, { url: 'app://desk/', parent: {} }, { url: 'file:///x/index.html', parent: null }, { url: 'https://example.org/', parent: null }]) {
      expect(await call(frame)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
  });
});

describe('main/electron/main.ts: the signing certificate through the native dialog', () => {
  it('opens an open dialog on the window filtered to .p12/.pfx and remembers the chosen file; cancel keeps the old one', async () => {
    const { recorded, userData } = await runMain('certificate-dialog', { safeStorage: fakeSafeStorage('gnome_libsecret') });
    const handler = recorded.ipcHandlers.get('meja-izin:invoke')!;
    const call = (method: string) => handler({ senderFrame: { url: 'app://desk/', parent: null } }, method, {});
    expect(await call('signing.settings')).toMatchObject({ ok: true, value: { certificateDialog: true } });

    const chosen = join(userData, 'kepala-dinas.p12');
    writeFileSync(chosen, 'not read until signing');
    recorded.dialogAnswers.push({ canceled: false, filePaths: [chosen] });
    expect(await call('signing.chooseCertificate')).toEqual({ ok: true, value: { certificatePath: chosen } });
    const [parent, options] = recorded.openDialogs[0] as [unknown, { properties: string[]; filters: Array<{ extensions: string[] }> }];
    expect(parent, 'modal to the desk window').toBeTruthy();
    expect(options.properties).toContain('openFile');
    expect(options.filters).toEqual([expect.objectContaining({ extensions: ['p12', 'pfx'] })]);

    recorded.dialogAnswers.push({ canceled: true, filePaths: [] });
    expect(await call('signing.chooseCertificate')).toEqual({ ok: true, value: { certificatePath: null } });
    expect(await call('signing.settings')).toMatchObject({ ok: true, value: { certificatePath: chosen } });
  });
});

describe('main/electron/main.ts where the OS cannot protect the cache key', () => {
  it('refuses to start on Linux without a keyring and says why, storing nothing', async () => {
    const { recorded, userData } = await runMain('no-keyring', { safeStorage: fakeSafeStorage('basic_text'), isPackaged: true, plainKeyEnv: true });
    expect(recorded.loaded).toEqual([]);
    expect(recorded.errorBoxes).toHaveLength(1);
    expect(recorded.errorBoxes[0]).toMatch(/^Meja Izin tidak dapat dimulai: .*keyring/);
    expect(recorded.calls).toContain('exit 1');
    expect(readdirSync(userData).filter((f) => f.startsWith('cache.key'))).toEqual([]);
  });

  it('uses a plain key file only in an unpackaged run that asks for it (CI without a keyring)', async () => {
    const { recorded, userData } = await runMain('plain-dev', { safeStorage: fakeSafeStorage('basic_text'), isPackaged: false, plainKeyEnv: true });
    expect(recorded.errorBoxes).toEqual([]);
    expect(recorded.loaded).toEqual(['app://desk/']);
    expect(readdirSync(userData)).toContain('cache.key');
    expect(readdirSync(userData)).not.toContain('cache.key.enc');
  });
});
