import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { pdfsig } from '../support/poppler';
import { serverStage } from '../support/server-inspection';
import { deskCallFromPage, shot, startWebDesk, type WebDesk } from './web-desk';

let desk: WebDesk;

beforeAll(async () => {
  desk = await startWebDesk();
});
afterAll(async () => {
  await desk?.stop();
});

const DRAFTS = 10;
const SKIPPED_AT = 3;

/** Presses Tab (or Shift+Tab) until the focused element is the one wanted. */
async function tabTo(page: Page, isTarget: () => Promise<boolean>, key = 'Tab', limit = 40) {
  for (let i = 0; i < limit; i += 1) {
    if (await isTarget()) return;
    await page.keyboard.press(key);
  }
  throw new Error('the keyboard never reached the target');
}

const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');

/** The viewer's draft and the hash of the bytes it shows, once its first page is drawn. */
async function shownDraft(page: Page, notId?: string): Promise<{ id: string; sha256: string }> {
  const handle = await page.waitForFunction(
    (previous) => {
      const viewer = document.querySelector<HTMLElement>('.review-screen .pdf-viewer');
      const id = viewer?.dataset.shown;
      const sha256 = viewer?.dataset.sha256;
      return id && sha256 && id !== previous ? { id, sha256 } : null;
    },
    notId ?? null,
    { timeout: 30_000 },
  );
  return (await handle.jsonValue()) as { id: string; sha256: string };
}

/**
 * Records in the page when each key went down and when each draft came on screen (the viewer's
 * data-shown changing once its first page is rendered), so the time from "next" to the next
 * draft is measured by the browser's own clock, not across the test's round trips.
 */
async function recordTimings(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { keyAt: number[]; shown: Array<{ id: string; at: number }> };
    w.keyAt = [];
    w.shown = [];
    window.addEventListener('keydown', () => w.keyAt.push(performance.now()), true);
    let last: string | undefined;
    new MutationObserver(() => {
      const id = document.querySelector<HTMLElement>('.review-screen .pdf-viewer')?.dataset.shown;
      if (id && id !== last) w.shown.push({ id, at: performance.now() });
      last = id;
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-shown'] });
  });
}

async function readTimings(page: Page) {
  return page.evaluate(() => {
    const w = window as unknown as { keyAt: number[]; shown: Array<{ id: string; at: number }> };
    return { keyAt: w.keyAt, shown: w.shown };
  });
}

/** The bytes apart from the /ByteRange array and the /Contents hole, which signing fills in place. */
function outsideSignatureHoles(signed: Buffer, prepared: Buffer): { signed: Buffer; prepared: Buffer; byteRangeLength: number } {
  const rangeAt = signed.indexOf('/ByteRange');
  expect(prepared.indexOf('/ByteRange'), 'the signature dictionary where it was prepared').toBe(rangeAt);
  const rangeEnd = prepared.indexOf(']', rangeAt) + 1;
  const written = /^\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\] */.exec(signed.toString('latin1', rangeAt, rangeEnd))!;
  expect(written[0].length, 'the real /ByteRange fills exactly its placeholder').toBe(rangeEnd - rangeAt);
  const [a, b, c, d] = written.slice(1).map(Number) as [number, number, number, number];
  expect(a).toBe(0);
  expect(c + d).toBe(signed.length);
  expect(prepared.toString('latin1', b, b + 1) + prepared.toString('latin1', c - 1, c)).toBe('<>');
  expect(/^<0+>$/.test(prepared.toString('latin1', b, c)), 'an empty /Contents hole in the prepared file').toBe(true);
  // the /M slot left for the signing time, filled with it (a date of the same form)
  const slotAt = prepared.indexOf('/M (D:19700101000000Z)');
  expect(slotAt, 'a signing time slot in the prepared file').toBeGreaterThan(0);
  expect(signed.toString('latin1', slotAt, slotAt + 22)).toMatch(/^\/M \(D:20\d{12}Z\)$/);
  const mask = (bytes: Buffer) => {
    const copy = Buffer.from(bytes);
    copy.fill(0x20, rangeAt, rangeEnd);
    copy.fill(0x30, b, c);
    copy.fill(0x30, slotAt + 4, slotAt + 21);
    return copy;
  };
  return { signed: mask(signed), prepared: mask(prepared), byteRangeLength: rangeEnd - rangeAt };
}

describe('the Kepala Dinas reviews the prepared permits with the keyboard only', () => {
  it('steps through 10 drafts, skips one, signs nine: each signed file is its prepared bytes plus the signature', async () => {
    const page = await desk.newPage();
    await page.goto(desk.url);
    await page.getByLabel('Nama pengguna').waitFor();
    await page.keyboard.type('kadis');
    await page.keyboard.press('Tab');
    await page.keyboard.type('meja-izin-demo');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Antrean saya' }).waitFor();
    const rows = page.locator('.queue-table tbody tr.queue-row:not(.loading)');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(DRAFTS);

    // Tick the first ten drafts in the queue: / to the search, ↓ into the list, Space and ↓.
    await page.keyboard.press('/');
    await page.keyboard.press('ArrowDown');
    for (let i = 0; i < DRAFTS; i += 1) {
      await page.keyboard.press('Space');
      if (i < DRAFTS - 1) await page.keyboard.press('ArrowDown');
    }
    await expect.poll(() => page.locator('.queue-row.selected').count()).toBe(DRAFTS);
    const registrations = await page.locator('.queue-row.selected .link').allTextContents();

    await tabTo(page, async () => (await focusedText(page)) === `Tinjau draf (${DRAFTS})`, 'Shift+Tab');
    await page.keyboard.press('Enter');
    const review = page.getByRole('dialog', { name: 'Tinjau draf izin' });
    await review.waitFor();
    expect(await page.evaluate(() => document.activeElement?.classList.contains('review-screen')), 'focus is in the review').toBe(true);
    expect(await review.getByTestId('review-counts').textContent()).toBe('Ditandai 0Dilewati 0Belum dilihat 10');
    await recordTimings(page);

    // Draft 1, then →, then P back to it: every way of moving.
    const shown: Array<{ id: string; sha256: string; registration: string; shortHash: string; title: string }> = [];
    const see = async (notId?: string) => {
      const draft = await shownDraft(page, notId);
      const exact = review.getByTestId('exact-bytes');
      shown.push({
        ...draft,
        registration: (await review.getByTestId('review-registration').textContent())!,
        shortHash: (await exact.locator('code').textContent())!,
        title: (await exact.getAttribute('title'))!,
      });
      return draft;
    };
    let current = await see();
    expect(await review.getByText(`Draf 1 dari ${DRAFTS}`, { exact: true }).count()).toBe(1);
    // beside the permit: what the officials before found in the file and wrote on it
    const notes = review.getByTestId('review-notes');
    await notes.waitFor();
    expect(await notes.textContent()).toMatch(/berbeda dari data nasional|Sesuai dengan data nasional/);
    await page.keyboard.press('ArrowRight');
    current = await see(current.id);
    await page.keyboard.press('p');
    current = await see(current.id);
    expect(current.id).toBe(shown[0]!.id);

    // M marks and moves on; S skips (the draft stays a draft) and moves on.
    for (let i = 0; i < DRAFTS; i += 1) {
      if (i === 4) await shot(page, '13-kadis-signing-review');
      await page.keyboard.press(i === SKIPPED_AT ? 's' : 'm');
      if (i < DRAFTS - 1) current = await see(current.id);
    }
    await review.getByTestId('review-decision').filter({ hasText: 'Ditandai' }).waitFor();
    // the last one: M again unmarks, M marks again; P and N go back and forth
    await page.keyboard.press('m');
    await review.getByTestId('review-decision').filter({ hasText: 'Sudah dilihat' }).waitFor();
    expect(await review.getByTestId('review-counts').textContent()).toBe('Ditandai 8Dilewati 1Belum dilihat 0');
    await page.keyboard.press('m');
    await page.keyboard.press('p');
    current = await see(current.id);
    await page.keyboard.press('n');
    await see(current.id);
    expect(await review.getByTestId('review-counts').textContent()).toBe('Ditandai 9Dilewati 1Belum dilihat 0');
    expect(await review.getByTestId('review-announcement').textContent()).toContain(`Draf ${DRAFTS} dari ${DRAFTS}`);

    // How long after each key that moved on the next draft was on screen: printed, not asserted
    // (issue 10 asks ≤ 300 ms; tests don't time things on a shared 2-core machine).
    const { keyAt, shown: shownAt } = await readTimings(page);
    const latencies = keyAt.flatMap((at) => {
      const next = shownAt.find((s) => s.at > at);
      return next && keyAt.every((k) => k <= at || k > next.at) ? [Math.round(next.at - at)] : [];
    });
    console.log(`next draft on screen after the key, ms: ${latencies.join(', ')}`);
    expect(latencies.length).toBeGreaterThanOrEqual(DRAFTS + 2);

    // Every draft seen is the desk's prepared file: the hash on screen is the SHA-256 of its bytes.
    const ids = [...new Set(shown.map((s) => s.id))];
    expect(ids).toHaveLength(DRAFTS);
    const prepared = new Map<string, Buffer>();
    for (const id of ids) {
      const permit = await deskCallFromPage<{ base64: string; sha256: string; permitNumber: string }>(page, 'signing.prepared', { applicationId: id });
      const bytes = Buffer.from(permit.base64, 'base64');
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      expect(permit.sha256).toBe(sha256);
      for (const seen of shown.filter((s) => s.id === id)) {
        expect(seen.sha256).toBe(sha256);
        expect(seen.title).toBe(`SHA-256 ${sha256}`);
        expect(seen.shortHash).toBe(sha256.slice(0, 12));
      }
      prepared.set(id, bytes);
    }
    const order = shown.filter((s, i) => shown.findIndex((t) => t.id === s.id) === i);
    expect(order.map((s) => s.registration)).toEqual(registrations);
    const skipped = order[SKIPPED_AT]!;
    const signed = order.filter((_, i) => i !== SKIPPED_AT);

    // "Tandatangani 9 berkas": the passphrase step of the batch with exactly the marked files.
    await tabTo(page, async () => (await focusedText(page)) === 'Tandatangani 9 berkas');
    await page.keyboard.press('Enter');
    const panel = page.getByRole('dialog', { name: 'Tanda tangan elektronik' });
    await panel.waitFor();
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type), 'the passphrase field has the focus').toBe('password');
    const listed = await panel.locator('.signing-list li strong').allTextContents();
    expect(listed).toEqual(signed.map((s) => s.registration));
    await expect.poll(() => panel.getByLabel('Berkas sertifikat (.p12/.pfx)').inputValue()).toMatch(/demo-kepala-dinas\.p12$/);
    await page.keyboard.type('kadis-demo');
    await page.keyboard.press('Enter');
    await panel.getByRole('status').filter({ hasText: '9 izin ditandatangani, 0 gagal, 0 dibatalkan.' }).waitFor({ timeout: 60_000 });
    await tabTo(page, async () => (await focusedText(page)) === 'Selesai');
    await page.keyboard.press('Enter');
    await panel.waitFor({ state: 'detached' });

    // The nine: issued on the server, valid for pdfsig, and byte for byte the prepared file.
    await expect.poll(() => signed.map((s) => serverStage(desk.serverDb, s.id)).join(','), { timeout: 30_000 }).toBe(Array(signed.length).fill('terbit').join(','));
    // the demo office's root, trusted in pdfsig's own NSS database for the check
    const caPem = readFileSync(join(desk.dataDir, 'demo-ca.pem'), 'utf8');
    for (const s of signed) {
      const file = join(desk.dataDir, 'signed-permits', `${s.registration}.pdf`);
      const bytes = readFileSync(file);
      const before = prepared.get(s.id)!;
      expect(bytes.length, `${s.registration}: same length as prepared`).toBe(before.length);
      const compared = outsideSignatureHoles(bytes, before);
      expect(compared.signed.equals(compared.prepared), `${s.registration}: only /ByteRange, /Contents and the /M date differ`).toBe(true);
      expect(compared.byteRangeLength, 'nothing but the /ByteRange array is set aside besides the hole').toBeLessThan(80);
      const report = pdfsig(file, caPem, desk.dataDir);
      expect(report, s.registration).toContain('Signature is Valid.');
      expect(report, s.registration).toContain('Certificate is Trusted.');
      expect(report, s.registration).toContain('Total document signed');
    }

    // The skipped one is still a draft at the signing stage, on the server and in the queue.
    expect(serverStage(desk.serverDb, skipped.id)).toBe('penandatanganan');
    expect(existsSync(join(desk.dataDir, 'signed-permits', `${skipped.registration}.pdf`))).toBe(false);
    await page.getByRole('button', { name: skipped.registration, exact: true }).waitFor();

    // The same screen in English.
    await page.getByLabel('Bahasa').selectOption('en');
    await page.getByRole('button', { name: /^Review drafts \(\d+\)$/ }).click();
    const english = page.getByRole('dialog', { name: 'Review draft permits' });
    await english.waitFor();
    await shownDraft(page);
    await english.getByTestId('exact-bytes').filter({ hasText: 'Showing exactly the file that will be signed' }).waitFor();
    await shot(page, '13b-kadis-signing-review-en');
    await page.keyboard.press('Escape');
    await english.waitFor({ state: 'detached' });
    expect(await focusedText(page), 'focus back on the button that opened the review').toMatch(/^Review drafts/);
  });
});
