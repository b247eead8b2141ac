/**
 * The renderer's Content-Security-Policy, sent with every app:// answer.
 *
 * The same policy as the loopback web host's (main/host/web-host.ts keeps it in a private
 * constant, so it is copied here; tests/unit/app-scheme.test.ts fails if the two drift).
 * `'self'` is app://desk: scripts, styles, the pdf.js worker and fonts come only from our
 * own files; nothing may be framed, posted or fetched from elsewhere.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
