import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '../../shared/sync-protocol';
import { serverEvents, serverPermitNumber, serverStage } from '../support/server-inspection';
import { applicationIdByRegistration, clickDecision, shot, signIn, signOut, startWebDesk, type WebDesk } from './web-desk';

let desk: WebDesk;

beforeAll(async () => {
  desk = await startWebDesk();
});
afterAll(async () => {
  await desk?.stop();
});

describe('the review desk in Chromium against start:web with the embedded server', () => {
  it('penata checks and passes a file; koordinator verifies the draft and approves it', async () => {
    const page = await desk.newPage();
    await page.goto(desk.url);
    await page.getByRole('heading', { name: 'Masuk ke Meja Izin' }).waitFor();
    await shot(page, '01-sign-in');

    await signIn(page, desk.url, 'penata');
    await expect.poll(() => page.locator('.queue-table tbody tr.queue-row:not(.loading)').count()).toBeGreaterThan(3);
    await shot(page, '02-queue-penata');

    const firstRow = page.locator('.queue-table tbody tr.queue-row:not(.loading)').first();
    const registration = (await firstRow.getByRole('button').textContent())!.trim();
    await firstRow.getByRole('button').click();
    await page.getByRole('heading', { name: 'Kesesuaian data' }).waitFor();

    // view an uploaded document in the pdf.js viewer
    await page.getByRole('tab', { name: 'STR' }).click();
    await page.locator('[data-testid="pdf-canvas"][data-rendered="true"]').waitFor();
    await expect.poll(() => page.getByText('Halaman 1 dari 1').isVisible()).toBe(true);
    await shot(page, '03-application-penata-document');

    const pass = page.getByRole('button', { name: 'Teruskan ke koordinator' });
    expect(await pass.isDisabled()).toBe(true);
    for (const box of await page.getByRole('checkbox').all()) await box.check();
    expect(await pass.isEnabled()).toBe(true);
    await clickDecision(page, 'Teruskan ke koordinator');
    await page.getByRole('status').filter({ hasText: 'Keputusan terkirim ke server' }).waitFor();
    await shot(page, '04-queue-after-pass');
    await expect.poll(() => page.getByRole('button', { name: registration }).count()).toBe(0);
    await signOut(page);

    await signIn(page, desk.url, 'koordinator');
    await page.getByLabel('Cari nama, NIK, atau nomor registrasi').fill(registration);
    await page.getByRole('button', { name: registration }).click();
    await page.getByRole('heading', { name: 'Kesesuaian data' }).waitFor();
    await page.getByRole('tab', { name: 'Draf izin' }).waitFor();
    await page.locator('[data-testid="pdf-canvas"][data-rendered="true"]').waitFor();
    // opening the draft reserves nothing: Metro numbers the permit when the koordinator approves it
    await page.getByText(/Draf belum bernomor/).waitFor();
    await shot(page, '05-application-koordinator-draft');

    await clickDecision(page, 'Setujui draf untuk ditandatangani');
    await page.getByRole('status').filter({ hasText: 'Keputusan terkirim ke server' }).waitFor();
    await shot(page, '06-queue-after-approval');

    const id = (await applicationIdByRegistration(desk, [registration]))[0]!;
    expect(serverStage(desk.serverDb, id)).toBe('penandatanganan');
    expect(serverPermitNumber(desk.serverDb, id)).toMatch(/^503\/SI[A-Z]+\/\d{4}\/DPMPTSP\/\d{4}$/);
    const events = serverEvents(desk.serverDb, id).slice(-2);
    expect(events.map((e) => [e.action, e.actor_role, e.to_stage])).toEqual([
      ['teruskan', 'penata_perizinan', 'verifikasi_draf'],
      ['setujui_draf', 'koordinator', 'penandatanganan'],
    ]);
    expect(events.map((e) => e.actor_name)).toEqual(['Siti Rahmawati, S.Sos.', 'Dewi Lestari, S.H., M.H.']);
  });

  it('shows the server’s refusal in Indonesian when another official moved the file first', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'penata');
    const row = page.locator('.queue-table tbody tr.queue-row:not(.loading)').first();
    const registration = (await row.getByRole('button').textContent())!.trim();
    await row.getByRole('button').click();
    await page.getByRole('heading', { name: 'Kesesuaian data' }).waitFor();

    // A colleague returns the same file from their own desk, straight to the server.
    const id = (await applicationIdByRegistration(desk, [registration]))[0]!;
    const token = await login('penata2');
    const push = await fetch(`${desk.serverUrl}${API_PREFIX}/sync/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        commands: [{ id: crypto.randomUUID(), type: 'transition', applicationId: id, action: 'kembalikan_ke_pemohon', expectedStage: 'pemeriksaan', reason: 'STR tidak terbaca.', checklist: null, decidedAt: new Date().toISOString() }],
      }),
    });
    expect(((await push.json()) as { results: Array<{ status: string }> }).results[0]!.status).toBe('accepted');

    for (const box of await page.getByRole('checkbox').all()) await box.check();
    await clickDecision(page, 'Teruskan ke koordinator');
    // the refusal is said in Indonesian; the file, now out of this penata's work, has left the desk
    const notice = page.getByRole('status').filter({ hasText: 'Ditolak server: berkas ini sudah diproses petugas lain' });
    await notice.waitFor();
    expect(await notice.textContent()).toContain(registration);
    expect(serverStage(desk.serverDb, id)).toBe('dikembalikan');
    await expect.poll(() => page.getByRole('button', { name: registration }).count()).toBe(0);
    await shot(page, '07-refusal-in-indonesian');
  });

  it('holds the page to its content security policy and the host to its token', async () => {
    const page = await desk.newPage();
    const response = await page.goto(desk.url);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    const outcome = await page.evaluate(
      () =>
        new Promise<{ ran: boolean; violation: string | null }>((resolve) => {
          let violation: string | null = null;
          document.addEventListener('securitypolicyviolation', (e) => (violation = e.violatedDirective));
          const s = document.createElement('script');
          s.textContent = 'window.__inlineRan = true';
          document.body.appendChild(s);
          setTimeout(() => resolve({ ran: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true, violation }), 200);
        }),
    );
    expect(outcome).toEqual({ ran: false, violation: 'script-src-elem' });
    const noToken = await fetch(`${desk.origin}/api/invoke/session.current`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noToken.status).toBe(403);
  });
});

async function login(username: string): Promise<string> {
  const response = await fetch(`${desk.serverUrl}${API_PREFIX}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'meja-izin-demo' }),
  });
  return ((await response.json()) as { token: string }).token;
}
