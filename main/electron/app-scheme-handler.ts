import { lstat, readFile } from 'node:fs/promises';
import { appResponseHeaders, resolveAppFile } from './app-scheme-files';

/** What `protocol.handle` hands us; a subset of the Fetch API's Request. */
export interface AppSchemeRequest {
  url: string;
  method: string;
}

export type AppSchemeLog = (line: string) => void;

function refusal(status: 404 | 405, log: AppSchemeLog | undefined, url: string, reason: string): Response {
  log?.(`app:// refused ${status} ${reason}: ${url.slice(0, 300)}`);
  const headers = appResponseHeaders('text/plain; charset=utf-8');
  if (status === 405) headers.allow = 'GET, HEAD';
  return new Response(status === 405 ? 'method not allowed' : 'not found', { status, headers });
}

/**
 * The app:// handler, without `electron`: main.ts passes it to `protocol.handle`, the unit
 * tests call it with real files. Serves only regular files under `rootDir` (a symlink is not
 * followed out of the root: lstat must say "file"), read whole (the largest is the pdf.js
 * worker, about 1 MB), with the CSP and the other headers of the loopback host.
 */
export function createAppSchemeHandler(rootDir: string, log?: AppSchemeLog): (request: AppSchemeRequest) => Promise<Response> {
  return async (request) => {
    const resolved = resolveAppFile(request.url, rootDir, request.method);
    if (!resolved.ok) return refusal(resolved.status, log, request.url, resolved.reason);
    try {
      const info = await lstat(resolved.filePath);
      if (!info.isFile()) return refusal(404, log, request.url, 'not a regular file');
      const body = request.method === 'HEAD' ? null : new Uint8Array(await readFile(resolved.filePath));
      return new Response(body, { status: 200, headers: appResponseHeaders(resolved.contentType) });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return refusal(404, log, request.url, code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file' : `unreadable (${code ?? String(error)})`);
    }
  };
}
