import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot, signIn, startWebDesk, type WebDesk } from './web-desk';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let desk: WebDesk;

beforeAll(async () => {
  desk = await startWebDesk();
});
afterAll(async () => {
  await desk?.stop();
});

/** axe-core's WCAG 2 A rules on the page as it stands: names, roles, labels, ARIA use. */
async function violations(page: Page): Promise<string[]> {
  // evaluate, not a script tag: the page's CSP rightly refuses inline scripts
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag21a'] } });
  });
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

describe('every control has an accessible name and role', () => {
  it('holds on the sign-in, queue, application and verification screens, in both languages', async () => {
    const page = await desk.newPage();
    await page.goto(desk.url);
    await page.getByRole('heading', { name: 'Masuk ke Meja Izin' }).waitFor();
    expect(await violations(page)).toEqual([]);

    await signIn(page, desk.url, 'penata');
    await page.locator('.queue-row:not(.loading)').first().waitFor();
    expect(await violations(page)).toEqual([]);

    await page.locator('.queue-row:not(.loading) .link').first().click();
    await page.getByRole('heading', { name: 'Kesesuaian data' }).waitFor();
    await page.locator('[data-testid="pdf-canvas"][data-rendered="true"]').waitFor();
    expect(await violations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Verifikasi dokumen' }).click();
    await page.getByRole('heading', { name: 'Verifikasi dokumen' }).waitFor();
    expect(await violations(page)).toEqual([]);

    // English, the second locale, chosen in the top bar and kept
    await page.getByLabel('Bahasa').selectOption('en');
    await page.getByRole('heading', { name: 'Verify document' }).waitFor();
    await page.getByRole('button', { name: '← Back to queue' }).click();
    await page.getByRole('heading', { name: 'My queue' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await violations(page)).toEqual([]);
    await shot(page, '19-queue-in-english');
    await page.reload();
    await page.getByRole('heading', { name: 'My queue' }).waitFor();
    await page.getByLabel('Language').selectOption('id');
    await page.getByRole('heading', { name: 'Antrean saya' }).waitFor();

    // Pekanbaru's chain: the secretary's queue shows each file's step against its SOP minutes
    await signIn(page, desk.url, 'sekretaris');
    await page.locator('.queue-row:not(.loading)').first().waitFor();
    expect(await page.locator('.queue-row').first().textContent()).toMatch(/Tahap: (sisa \d+ menit dari 10 menit|lewat (\d+ (hari kerja|jam|menit) ?)+ dari standar 10 menit)/);
    expect(await violations(page)).toEqual([]);
    await shot(page, '20-sekretaris-queue-stage-times');
  });
});
