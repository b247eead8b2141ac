import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, APP_ORIGIN, APP_SCHEME_PRIVILEGES, appResponseHeaders, isAppOrigin, isAppPage, mimeTypeFor, resolveAppFile } from '../../main/electron/app-scheme-files';
import { createAppSchemeHandler } from '../../main/electron/app-scheme-handler';
import { CONTENT_SECURITY_POLICY } from '../../main/electron/content-security-policy';

// A stand-in for dist/renderer, with a secret beside it that no app:// URL may reach.
let base: string;
let root: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'meja-izin-app-scheme-'));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  mkdirSync(join(root, 'standard_fonts'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Meja Izin</title>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(join(root, 'assets', 'pdf.worker.min-abc.mjs'), 'self.onmessage=null');
  writeFileSync(join(root, 'standard_fonts', 'FoxitSerif.pfb'), Buffer.from([0x80, 1, 2, 3]));
  writeFileSync(join(root, 'standard_fonts', 'LICENSE_FOXIT'), 'licence');
  writeFileSync(join(base, 'secret.js'), 'the cache key');
  mkdirSync(join(root, 'folder.js'));
  symlinkSync(join(base, 'secret.js'), join(root, 'assets', 'link.js'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const refused = (url: string) => {
  const result = resolveAppFile(url, root);
  expect(result.ok, `${url} must be refused`).toBe(false);
  return result;
};

describe('app://desk → a file under dist/renderer', () => {
  it('serves index.html for / and the built files by their paths, ignoring query and hash', () => {
    expect(resolveAppFile('app://desk/', root)).toEqual({ ok: true, relativePath: 'index.html', filePath: join(root, 'index.html'), contentType: 'text/html; charset=utf-8' });
    expect(resolveAppFile('app://desk/index.html', root)).toMatchObject({ ok: true, relativePath: 'index.html' });
    expect(resolveAppFile('app://desk/assets/index-abc.js?v=1#top', root)).toMatchObject({ ok: true, filePath: join(root, 'assets', 'index-abc.js') });
    expect(resolveAppFile('app://desk/standard_fonts/FoxitSerif.pfb', root)).toMatchObject({ ok: true, filePath: join(root, 'standard_fonts', 'FoxitSerif.pfb') });
  });

  it('refuses traversal however it is spelt', () => {
    for (const url of [
      'app://desk/../../etc/passwd',
      'app://desk/assets/../../secret.js',
      'app://desk/%2e%2e/%2e%2e/etc/passwd',
      'app://desk/%2E%2E/secret.js',
      'app://desk/.%2e/secret.js',
      'app://desk/..%2f..%2fetc%2fpasswd',
      'app://desk/assets%2f..%2f..%2fsecret.js',
      'app://desk/..%5c..%5csecret.js',
      'app://desk/..\\..\\etc\\passwd',
      'app://desk/assets\\..\\..\\secret.js',
      'app://desk/./index.html',
    ]) {
      refused(url);
    }
  });

  it('refuses absolute paths, drive letters, NUL and empty segments', () => {
    for (const url of [
      'app://desk//etc/passwd',
      'app://desk///etc/passwd',
      'app://desk/%2fetc%2fpasswd',
      'app://desk/C:/Windows/win.ini',
      'app://desk/C%3A%5CWindows%5Cwin.ini',
      'app://desk/index.html%00.js',
      'app://desk/assets//index-abc.js',
    ]) {
      refused(url);
    }
  });

  it('refuses any other origin or scheme', () => {
    for (const url of ['app://evil/index.html', 'app://desk.evil/index.html', 'app://desk:8080/index.html', 'app://user@desk/index.html', 'app:///index.html', 'file:///etc/passwd', 'https://desk/index.html', 'not a url']) {
      expect(refused(url)).toMatchObject({ status: 404 });
    }
  });

  it('refuses methods other than GET and HEAD', () => {
    expect(resolveAppFile('app://desk/', root, 'POST')).toMatchObject({ ok: false, status: 405 });
    expect(resolveAppFile('app://desk/', root, 'HEAD')).toMatchObject({ ok: true });
  });

  it('never resolves outside the root, whatever the URL', () => {
    const nasty = ['..', '%2e%2e', '%2e.', '.', '', '%2f', '%5c', '\\', 'a', 'index.html', 'assets', '%00', 'C:', '%252e%252e'];
    for (const a of nasty) {
      for (const b of nasty) {
        const result = resolveAppFile(`app://desk/${a}/${b}/x.js`, root);
        if (result.ok) {
          const inside = relative(root, result.filePath);
          expect(inside.startsWith(`..${sep}`) || inside === '..').toBe(false);
        }
      }
    }
  });
});

describe('MIME types', () => {
  it('names the type of every kind of file the renderer build produces', () => {
    expect(mimeTypeFor('index.html')).toBe('text/html; charset=utf-8');
    expect(mimeTypeFor('assets/index-abc.js')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeFor('assets/pdf.worker.min-abc.mjs')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeFor('assets/index-abc.css')).toBe('text/css; charset=utf-8');
    expect(mimeTypeFor('standard_fonts/LiberationSans-Regular.ttf')).toBe('font/ttf');
    expect(mimeTypeFor('standard_fonts/FoxitSerif.pfb')).toBe('application/x-font-type1');
    expect(mimeTypeFor('logo.SVG')).toBe('image/svg+xml');
    expect(mimeTypeFor('a.woff2')).toBe('font/woff2');
  });

  it('serves no file of a type it does not know', () => {
    expect(mimeTypeFor('LICENSE_FOXIT')).toBeNull();
    expect(mimeTypeFor('cache.sqlite')).toBeNull();
    expect(mimeTypeFor('key.pem')).toBeNull();
    expect(refused('app://desk/standard_fonts/LICENSE_FOXIT')).toMatchObject({ status: 404 });
  });

  it('covers every served file of the real build, where one exists', () => {
    const built = 'dist/renderer';
    if (!existsSync(built)) return;
    const files = readdirSync(built, { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && !d.name.startsWith('LICENSE'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(mimeTypeFor(file.name), file.name).not.toBeNull();
  });
});

describe('the app:// handler (what protocol.handle runs)', () => {
  it('answers a file with its bytes, type and the strict CSP', async () => {
    const handle = createAppSchemeHandler(root);
    const response = await handle({ url: 'app://desk/', method: 'GET' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>Meja Izin</title>');
    const font = await handle({ url: 'app://desk/standard_fonts/FoxitSerif.pfb', method: 'GET' });
    expect(Buffer.from(await font.arrayBuffer())).toEqual(Buffer.from([0x80, 1, 2, 3]));
  });

  it('answers 404 with the CSP for anything refused or missing, and logs why', async () => {
    const lines: string[] = [];
    const handle = createAppSchemeHandler(root, (line) => lines.push(line));
    for (const url of ['app://desk/../secret.js', 'app://desk/%2e%2e/secret.js', 'app://desk/missing.js', 'app://desk/folder.js', 'app://desk/assets/link.js', 'app://other/index.html']) {
      const response = await handle({ url, method: 'GET' });
      expect(response.status, url).toBe(404);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(await response.text()).not.toContain('the cache key');
    }
    expect(lines).toHaveLength(6);
    expect((await handle({ url: 'app://desk/', method: 'PUT' })).status).toBe(405);
  });

  it('answers HEAD without a body', async () => {
    const response = await createAppSchemeHandler(root)({ url: 'app://desk/assets/index-abc.css', method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await response.text()).toBe('');
  });
});

describe('the origin and its privileges', () => {
  it('is app://desk, loaded at its root', () => {
    expect(APP_ORIGIN).toBe('app://desk');
    expect(APP_ENTRY_URL).toBe('app://desk/');
    expect(isAppOrigin('app://desk/assets/x.js')).toBe(true);
    for (const url of ['app://desk.evil/', 'app://evil/', 'app://desk:1/', 'file:///', 'https://desk/', 'null', '']) expect(isAppOrigin(url)).toBe(false);
    expect(isAppPage('app://desk/#/file/1')).toBe(true);
    expect(isAppPage('app://desk/index.html')).toBe(true);
    expect(isAppPage('app://desk/assets/index-abc.js')).toBe(false);
  });

  it('is standard and secure with fetch, and never bypasses the CSP or opens CORS or service workers', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true, supportFetchAPI: true });
    const privileges = APP_SCHEME_PRIVILEGES as Record<string, boolean>;
    for (const off of ['bypassCSP', 'corsEnabled', 'allowServiceWorkers', 'stream', 'allowExtensions']) expect(privileges[off] ?? false).toBe(false);
  });

  it('sends the same CSP as the loopback web host', () => {
    // web-host.ts keeps its policy private; read it from the source so the two cannot drift.
    const source = readFileSync('main/host/web-host.ts', 'utf8');
    const match = /const CSP\s*=\s*(["'`])((?:(?!\1)[\s\S])*)\1/.exec(source);
    expect(match, 'the CSP literal in main/host/web-host.ts').not.toBeNull();
    expect(CONTENT_SECURITY_POLICY).toBe(match![2]);
    expect(appResponseHeaders()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });
});
