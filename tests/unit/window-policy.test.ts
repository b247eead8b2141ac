import { describe, expect, it } from 'vitest';
import { isAllowedNavigation, isPermissionGranted, secureWebPreferences } from '../../main/electron/window-policy';

describe('the desk window policy (applied by main/electron/main.ts)', () => {
  it('runs the renderer sandboxed and isolated, with no Node', () => {
    const prefs = secureWebPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true, webviewTag: false, allowRunningInsecureContent: false });
  });

  it('refuses every navigation away from the renderer page', () => {
    const own = 'file:///opt/meja-izin/resources/app.asar/dist/renderer/index.html';
    expect(isAllowedNavigation(own, own)).toBe(true);
    expect(isAllowedNavigation('https://example.org/', own)).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd', own)).toBe(false);
    expect(isAllowedNavigation('javascript:alert(1)', own)).toBe(false);
    expect(isAllowedNavigation('not a url', own)).toBe(false);
  });

  it('denies every permission by default', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'anything-new']) {
      expect(isPermissionGranted(permission)).toBe(false);
    }
  });
});
