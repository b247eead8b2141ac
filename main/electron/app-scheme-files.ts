import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from './content-security-policy';

/**
 * The renderer's own origin. The desk window is served from `app://desk/` (a standard, secure
 * scheme registered in main.ts) instead of `file://`, so the page has a real origin, `'self'`
 * in the CSP means exactly our files, and `file://` needs no extra privileges (its fuse is off).
 *
 * Everything here is plain Node and never imports `electron`: the unit tests check it where
 * no Electron binary exists, and main.ts only glues it to `protocol.handle`.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'desk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The URL the window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/`;
const INDEX_FILE = 'index.html';

/**
 * Privileges for `protocol.registerSchemesAsPrivileged`: standard (relative URLs, a real
 * origin, web storage), secure (a secure context, like https), fetch for pdf.js's standard
 * fonts, a V8 code cache. Deliberately not `bypassCSP`, `corsEnabled` (no other origin may
 * read our files), `allowServiceWorkers` or `stream`.
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, codeCache: true } as const;

/**
 * Only the file types the renderer build produces (Vite's html/js/css, the pdf.js worker as
 * .mjs, pdf.js's standard fonts as .pfb/.ttf) plus a few harmless static types. Any other
 * extension is not served at all.
 */
const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.pfb': 'application/x-font-type1',
  '.bcmap': 'application/octet-stream',
  '.wasm': 'application/wasm',
};

/** The Content-Type for a file name, or null when we do not serve that kind of file. */
export function mimeTypeFor(fileName: string): string | null {
  return MIME_TYPES[extname(fileName).toLowerCase()] ?? null;
}

/** The headers every answer on app:// carries: the same policy the loopback host sends. */
export function appResponseHeaders(contentType?: string): Record<string, string> {
  return {
    ...(contentType ? { 'content-type': contentType } : {}),
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'no-cache',
  };
}

export type AppFileResolution =
  | { ok: true; /** inside the root, with `/` separators */ relativePath: string; filePath: string; contentType: string }
  | { ok: false; status: 404 | 405; reason: string };

/** Parses an app:// URL and says whether it names our origin: scheme, host, no port, no user. */
function parseAppUrl(url: string): URL | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.hostname !== APP_HOST) return null;
  if (parsed.port !== '' || parsed.username !== '' || parsed.password !== '') return null;
  return parsed;
}

/**
 * True for a URL of the renderer's own origin (app://desk). Node gives non-special schemes an
 * opaque origin ("null"), so the parts are compared, not `URL.origin`.
 */
export function isAppOrigin(url: string): boolean {
  return parseAppUrl(url) !== null;
}

/** The renderer is one page: navigation is allowed to it (any hash) and to nothing else. */
export function isAppPage(url: string): boolean {
  const parsed = parseAppUrl(url);
  return parsed !== null && (parsed.pathname === '/' || parsed.pathname === `/${INDEX_FILE}`) && parsed.search === '';
}

// A dot segment in the raw URL, plain or percent-encoded, before any parser collapses it.
const RAW_DOT_SEGMENT = /(?:^|[/\\]|%2f|%5c)(?:\.|%2e){1,2}(?=$|[/\\?#]|%2f|%5c)/i;

/**
 * Maps a request for app://desk/… to one regular file under `rootDir`, or refuses it.
 * Refused: another scheme, host, port or user; any `.`/`..` segment (also `%2e%2e`, also after
 * the URL parser); encoded `/` or `\` (`%2f`, `%5c`), backslashes, NUL, `:` (Windows drive
 * letters and streams), empty segments (`//etc/passwd`); file types we do not serve; any path
 * that would resolve outside the root. `/` is index.html. The caller still checks the file
 * exists and is a regular file.
 */
export function resolveAppFile(url: string, rootDir: string, method = 'GET'): AppFileResolution {
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405, reason: 'method not allowed' };
  const parsed = parseAppUrl(url);
  if (!parsed) return { ok: false, status: 404, reason: 'not the app origin' };
  const rawPath = url.replace(/^[^:]*:\/\/[^/\\?#]*/, '').split(/[?#]/, 1)[0] ?? '';
  if (RAW_DOT_SEGMENT.test(rawPath)) return { ok: false, status: 404, reason: 'dot segment' };

  const pathname = parsed.pathname === '/' ? `/${INDEX_FILE}` : parsed.pathname;
  const segments: string[] = [];
  for (const encoded of pathname.slice(1).split('/')) {
    if (/%(2f|5c|00)/i.test(encoded)) return { ok: false, status: 404, reason: 'encoded separator' };
    let segment: string;
    try {
      segment = decodeURIComponent(encoded);
    } catch {
      return { ok: false, status: 404, reason: 'bad escape' };
    }
    if (segment === '' || segment === '.' || segment === '..') return { ok: false, status: 404, reason: 'empty or dot segment' };
    if (/[/\\:\0]/.test(segment)) return { ok: false, status: 404, reason: 'forbidden character' };
    segments.push(segment);
  }

  const relativePath = segments.join('/');
  const contentType = mimeTypeFor(relativePath);
  if (!contentType) return { ok: false, status: 404, reason: 'file type not served' };

  const root = resolve(rootDir);
  const filePath = resolve(join(root, ...segments));
  const inside = relative(root, filePath);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    return { ok: false, status: 404, reason: 'outside the root' };
  }
  return { ok: true, relativePath, filePath, contentType };
}
