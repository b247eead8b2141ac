import { describe, expect, it } from 'vitest';
import { isAllowedNavigation, isPermissionGranted, isTrustedSender, secureWebPreferences, windowOpenDecision } from '../../main/electron/window-policy';

describe('the desk window policy (applied by main/electron/main.ts)', () => {
  it('runs the renderer sandboxed and isolated, with no Node', () => {
    const prefs = secureWebPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true, webviewTag: false, allowRunningInsecureContent: false });
  });

  it('lets the window show only its own page at app://desk', () => {
    expect(isAllowedNavigation('app://desk/')).toBe(true);
    expect(isAllowedNavigation('app://desk/index.html')).toBe(true);
    expect(isAllowedNavigation('app://desk/#/berkas/12')).toBe(true);
  });

  it('refuses every navigation away from it', () => {
    for (const url of [
      'file:///opt/meja-izin/resources/app.asar/dist/renderer/index.html',
      'file:///etc/passwd',
      'https://example.org/',
      'http://127.0.0.1:8787/',
      'app://evil/',
      'app://desk.evil/',
      'app://desk:8080/',
      'app://user@desk/',
      'app://desk/assets/index.js',
      'app://desk/?next=https://example.org',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'about:blank',
      'not a url',
    ]) {
      expect(isAllowedNavigation(url), url).toBe(false);
    }
  });

  it('takes IPC calls only from our page', () => {
    expect(isTrustedSender('app://desk/')).toBe(true);
    expect(isTrustedSender(undefined)).toBe(false);
    expect(isTrustedSender('file:///opt/meja-izin/resources/app.asar/dist/renderer/index.html')).toBe(false);
    expect(isTrustedSender('https://example.org/')).toBe(false);
    expect(isTrustedSender('app://evil/')).toBe(false);
  });

  it('opens no window, not even one of its own origin', () => {
    for (const url of ['https://example.org/', 'app://desk/', 'file:///etc/passwd', 'about:blank']) expect(windowOpenDecision(url)).toEqual({ action: 'deny' });
  });

  it('denies every permission by default', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'anything-new']) {
      expect(isPermissionGranted(permission)).toBe(false);
    }
  });
});
