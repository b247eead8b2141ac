import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLargeCache } from '../../scripts/bench/large-cache';
import { shot, signIn, startWebDesk, type WebDesk } from './web-desk';

let desk: WebDesk;

beforeAll(async () => {
  desk = await startWebDesk();
});
afterAll(async () => {
  await desk?.stop();
});

describe('a queue of 100,000 cached files', () => {
  it('opens, filters and scrolls', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'penata');
    // the penata's view is in the cache now; add 100,000 files beside the demo ones, then look again
    seedLargeCache(join(desk.dataDir, 'desk-cache.sqlite'), 100_000);
    await page.reload();
    await page.getByRole('heading', { name: 'Antrean saya' }).waitFor();
    const count = page.locator('.screen-header .count');
    await expect.poll(async () => Number((await count.textContent())!.replace(/\D/g, ''))).toBeGreaterThan(100_000);
    // only the rows on screen are in the DOM
    expect(await page.locator('.queue-row').count()).toBeLessThan(80);

    await page.getByRole('button', { name: /^Terlambat/ }).click();
    const overdue = Number((await page.getByRole('button', { name: /^Terlambat/ }).locator('.chip-count').textContent())!.replace(/\D/g, ''));
    await expect.poll(async () => Number((await count.textContent())!.replace(/\D/g, ''))).toBe(overdue);
    expect(overdue).toBeGreaterThan(1000);

    await page.locator('.queue-scroller').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    // the rows from the top stay in the DOM until the list has handled the scroll: wait for the
    // first loaded row to be one from the middle
    const firstLoadedRow = async () => Number(await page.locator('.queue-row:not(.loading)').first().getAttribute('aria-rowindex')) - 1;
    await expect.poll(firstLoadedRow).toBeGreaterThan(overdue / 3);
    await expect.poll(() => page.locator('.queue-row:not(.loading)').count()).toBeGreaterThan(5);
    await shot(page, '14-queue-100k-overdue-scrolled');

    await page.getByLabel('Cari nama, NIK, atau nomor registrasi').fill('MPPD-2026-512345');
    await expect.poll(async () => Number((await count.textContent())!.replace(/\D/g, ''))).toBe(1);
    await shot(page, '15-queue-100k-search');
  });
});
