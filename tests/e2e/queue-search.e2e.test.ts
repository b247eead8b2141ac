import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskCallFromPage, shot, signIn, signOut, startWebDesk, type WebDesk } from './web-desk';

// Search from the middle of a NIK or name, punctuation-only and no-match searches, arrow keys
// on arrival and from outside the table, the two lateness chips (permit deadline, step standard
// time) agreeing with the rows, times in WIB in both languages, our own sign-in validation, and
// batch rejection saying its one reason and counting what it skipped.
let desk: WebDesk;

beforeAll(async () => {
  desk = await startWebDesk();
});
afterAll(async () => {
  await desk?.stop();
});

const queueCount = async (page: Awaited<ReturnType<WebDesk['newPage']>>) => Number(((await page.locator('.screen-header .count').textContent()) ?? '').replace(/\D/g, ''));

describe('the queue as a newcomer finds it', () => {
  it('says what is missing at sign-in, in Indonesian, instead of the browser', async () => {
    const page = await desk.newPage();
    await page.goto(desk.url);
    await page.getByRole('heading', { name: 'Masuk ke Meja Izin' }).waitFor();
    await page.getByRole('button', { name: 'Masuk' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Isi nama pengguna.');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('username');
    await page.getByLabel('Nama pengguna').fill('penata');
    await page.getByRole('button', { name: 'Masuk' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Isi kata sandi.');
    await shot(page, '60-sign-in-empty-password-id');
    await page.context().close();
  });

  it('finds a file from the middle of its NIK and name, marks the match, and says when nothing matches', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'penata');
    const queue = await deskCallFromPage<{ items: Array<{ nik: string; applicantName: string; registrationNumber: string }>; total: number }>(page, 'queue.list', {});
    const target = queue.items[2]!;
    const search = page.locator('.screen-header input[type="search"]');

    const middle = target.nik.slice(6, 12);
    await search.fill(middle);
    await expect.poll(() => page.locator('.queue-row mark.search-match').first().textContent()).toBe(middle);
    const shown = await page.locator('.queue-row:not(.loading)').count();
    expect(shown).toBeGreaterThan(0);
    expect(await page.locator('.queue-row:not(.loading)').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(target.registrationNumber)]));
    // the mark sits inside the NIK, in reading order, on the same line as the text around it
    const nikLine = page.locator('.queue-row', { hasText: target.registrationNumber }).locator('.muted', { hasText: 'NIK' });
    expect(await nikLine.textContent()).toBe(`NIK ${target.nik}`);
    const [markBox, lineBox] = [await nikLine.locator('mark').boundingBox(), await nikLine.boundingBox()];
    expect(markBox!.y).toBeGreaterThanOrEqual(lineBox!.y - 1);
    expect(markBox!.y + markBox!.height).toBeLessThanOrEqual(lineBox!.y + lineBox!.height + 1);
    expect(await nikLine.locator('mark').evaluate((el) => getComputedStyle(el).transform)).toBe('none');
    await expect.poll(() => page.getByText('Pencarian mencakup semua berkas yang boleh Anda lihat').first().isVisible()).toBe(true);
    await shot(page, '61-queue-search-mid-nik-id');

    const surname = target.applicantName.split(' ').at(-1)!;
    const namePart = surname.slice(1, Math.min(surname.length, 5));
    await search.fill(namePart.toUpperCase());
    await expect.poll(() => page.locator('.queue-row', { hasText: target.registrationNumber }).locator('.applicant-name mark').first().textContent()).toBe(namePart);

    await search.fill('-');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'hanya berisi tanda baca' }).isVisible()).toBe(true);
    await expect.poll(() => queueCount(page)).toBe(queue.total);
    await shot(page, '62-queue-search-punctuation-id');

    await search.fill('zzqxw');
    await expect.poll(() => page.getByText('Tidak ada berkas yang cocok dengan “zzqxw”.').isVisible()).toBe(true);
    expect(await page.getByText('Tidak ada berkas pada antrean Anda.').count()).toBe(0);
    await shot(page, '63-queue-search-no-match-id');

    await page.getByLabel('Bahasa').selectOption('en');
    await page.getByText('No file matches “zzqxw”.').waitFor();
    await shot(page, '64-queue-search-no-match-en');
    await search.fill(middle);
    await expect.poll(() => page.locator('.queue-row mark.search-match').first().textContent()).toBe(middle);
    await shot(page, '65-queue-search-mid-nik-en');
    await page.getByLabel('Language').selectOption('id');
    await page.context().close();
  });

  it('moves through the list with the arrow keys as soon as the queue shows, from a chip and from the search box', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'penata');
    await expect.poll(() => page.locator('.queue-row:not(.loading)').count()).toBeGreaterThan(3);
    const activeRow = () => page.locator('.queue-row.active').getAttribute('aria-rowindex');
    // on arrival, nothing clicked: the keys move the list at once
    await page.keyboard.press('ArrowDown');
    await expect.poll(activeRow).toBe('3');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('grid');
    await page.keyboard.press('ArrowUp');
    await expect.poll(activeRow).toBe('2');
    // back from a file, the same
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Kesesuaian data' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.queue-row:not(.loading)').count()).toBeGreaterThan(3);
    await page.keyboard.press('ArrowDown');
    await expect.poll(activeRow).toBe('3');

    const chip = page.getByRole('button', { name: /^Semua/ });
    await chip.click();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(activeRow).toBe('5');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('grid');
    await page.keyboard.press('ArrowUp');
    await expect.poll(activeRow).toBe('4');
    // in the search box the arrow keys stay the box's own, but Down moves into the list
    const search = page.locator('.screen-header input[type="search"]');
    await search.click();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowLeft');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('INPUT');
    expect(await activeRow()).toBe('4');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('grid');
    await page.keyboard.press('ArrowDown');
    await expect.poll(activeRow).toBe('5');
    expect(await page.getByText('Tenggat izin (SLA):').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: /^Terlambat \(tenggat izin\)/ }).getAttribute('aria-describedby')).toBe('deadline-filter-help');
    // Metro's steps have no standard time of their own: no second lateness chip
    expect(await page.getByRole('button', { name: /^Lewat mutu baku/ }).count()).toBe(0);
    await shot(page, '66-queue-keys-and-deadline-label-id');

    // the last sync time in the office's own zone name, in both languages
    await expect.poll(() => page.locator('.sync-last').textContent()).toMatch(/WIB$/);
    await page.getByLabel('Bahasa').selectOption('en');
    await expect.poll(() => page.locator('.sync-last').textContent()).toMatch(/^Last sync .* WIB$/);
    expect(await page.locator('.sync-last').textContent()).not.toContain('GMT');
    expect(await page.getByText('Permit deadline (SLA):').isVisible()).toBe(true);
    await shot(page, '67-queue-wib-en');
    await page.getByLabel('Language').selectOption('id');
    await page.context().close();
  });

  it('counts both lateness chips as the rows show them: the permit deadline and the step standard time', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'backoffice');
    await expect.poll(() => page.locator('.queue-row:not(.loading)').count()).toBeGreaterThan(0);
    const chipCount = async (name: RegExp) => Number(((await page.getByRole('button', { name }).locator('.chip-count').textContent()) ?? '').replace(/\D/g, ''));
    const fileChip = page.getByRole('button', { name: /^Terlambat \(tenggat izin\)/ });
    const stepChip = page.getByRole('button', { name: /^Lewat mutu baku tahap/ });
    await stepChip.waitFor();
    await expect.poll(() => chipCount(/^Lewat mutu baku tahap/)).toBe(await page.locator('.queue-row .stage-time.overdue').count());
    expect(await chipCount(/^Terlambat \(tenggat izin\)/)).toBe(await page.locator('.queue-row td:last-child .badge.overdue').count());
    expect(await queueCount(page)).toBe(await page.locator('.queue-row:not(.loading)').count());
    // each says which deadline it counts
    expect(await stepChip.getAttribute('title')).toContain('mutu baku');
    expect(await stepChip.getAttribute('aria-describedby')).toBe('stage-time-filter-help');
    expect(await fileChip.getAttribute('title')).toContain('tenggat penyelesaian izin');
    expect(await page.getByText('Mutu baku tahap (SOP):').isVisible()).toBe(true);
    await shot(page, '69-queue-two-lateness-chips-id');

    // each chip filters to what it counts
    const overStep = await chipCount(/^Lewat mutu baku tahap/);
    await stepChip.click();
    expect(await stepChip.getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByRole('button', { name: /^Semua/ }).getAttribute('aria-pressed')).toBe('false');
    await expect.poll(() => queueCount(page)).toBe(overStep);
    if (overStep > 0) {
      await expect.poll(() => page.locator('.queue-row:not(.loading)').count()).toBe(overStep);
      expect(await page.locator('.queue-row .stage-time.overdue').count()).toBe(overStep);
    }
    await shot(page, '70-queue-step-time-chip-selected-id');
    await fileChip.click();
    expect(await stepChip.getAttribute('aria-pressed')).toBe('false');
    await expect.poll(() => queueCount(page)).toBe(await chipCount(/^Terlambat \(tenggat izin\)/));

    if ((await queueCount(page)) === 0) expect(await page.getByText('Tidak ada berkas pada antrean Anda yang sesuai saringan ini.').isVisible()).toBe(true);
    await stepChip.click();
    await page.getByLabel('Bahasa').selectOption('en');
    await page.getByRole('button', { name: /^Over step standard time/ }).waitFor();
    expect(await page.getByRole('button', { name: /^Overdue \(permit deadline\)/ }).isVisible()).toBe(true);
    await shot(page, '71-queue-two-lateness-chips-en');
    await page.getByLabel('Language').selectOption('id');
    await page.context().close();
  });

  it('rejects a batch with one reason, saying so before, and counts what was rejected and what was skipped, and why', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'kadis');
    await expect.poll(() => page.locator('.queue-row:not(.loading)').count()).toBeGreaterThan(2);
    const before = await queueCount(page);
    // a search finds files at every step; one the Kepala Dinas cannot reject at its step is ticked too
    const search = page.locator('.screen-header input[type="search"]');
    await search.fill('mppd');
    await expect.poll(() => page.locator('.queue-row:not(.loading)').filter({ hasNotText: 'Penandatanganan' }).count()).toBeGreaterThan(0);
    const signable = page.locator('.queue-row:not(.loading)').filter({ hasText: 'Penandatanganan' });
    const rejected = [(await signable.nth(0).locator('.link').textContent())!.trim(), (await signable.nth(1).locator('.link').textContent())!.trim()];
    await signable.nth(0).locator('input[type="checkbox"]').check();
    await signable.nth(1).locator('input[type="checkbox"]').check();
    await page.locator('.queue-row:not(.loading)').filter({ hasNotText: 'Penandatanganan' }).first().locator('input[type="checkbox"]').check();
    await page.getByRole('button', { name: 'Tolak (3)' }).click();
    await page.getByText('Alasan yang sama dikirim ke 2 pemohon di atas').waitFor();
    expect(await page.locator('#reject-same-reason').textContent()).toContain('1 berkas yang dicentang dilewati (1 tidak dapat ditolak pada tahapnya).');
    await page.getByLabel(/^Alasan/).fill('Dokumen STR tidak terbaca; mohon unggah ulang.');
    await shot(page, '68-batch-reject-one-reason-id');
    // the button says what it does, to how many: the skipped one is not counted
    await page.getByRole('button', { name: 'Tolak 2 permohonan' }).click();
    await page.getByRole('status').filter({ hasText: '2 permohonan ditolak, 1 dilewati (1 tidak dapat ditolak pada tahapnya).' }).waitFor();
    await shot(page, '72-batch-reject-summary-id');
    // still found by a search, now at their new step, with no deadline running (sorted last among 'mppd')
    for (const number of rejected) {
      await search.fill(number);
      const row = page.locator('.queue-row', { hasText: number }).filter({ hasText: 'Ditolak' });
      await row.waitFor();
      expect(await row.locator('.badge.overdue').count()).toBe(0);
    }
    await search.fill('');
    await expect.poll(() => queueCount(page)).toBe(before - 2);
    await signOut(page);
    await page.context().close();
  });
});
