import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderVerificationPage } from '../../server/app/verification-page';
import type { VerificationResponse } from '../../shared/sync-protocol';
import { CHROMIUM_ARGS, SCREENSHOT_DIR } from './web-desk';

// Stands in for the signed permit the citizen was given: only its bytes matter here.
const PERMIT_PDF = Buffer.from('%PDF-1.7\n% Surat Izin Refraksionis Optisien, demo bytes for the verification page\n%%EOF\n');
const OTHER_PDF = Buffer.from('%PDF-1.7\n% the same permit with one edited byte\n%%EOF\n');

const VALID: VerificationResponse = {
  status: 'valid',
  verificationId: 'vrf-7f3a9c',
  permitNumber: '503/0123/SIPRO/DPMPTSP/XI/2026',
  permitTitle: 'Surat Izin Refraksionis Optisien',
  holderName: 'Rina Marlina Sari, A.Md.RO.',
  issuedAt: '2026-11-24T07:05:00.000Z',
  timeSource: 'time_stamp',
  sha256: createHash('sha256').update(PERMIT_PDF).digest('hex'),
  signerName: 'Drs. Hendra Saputra, M.M.',
  certificateIssuer: 'Balai Sertifikasi Elektronik (BSrE)',
  padesLevel: 'B-LT',
  office: { name: 'Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu', city: 'Kota Metro', timeZone: 'Asia/Jakarta' },
  revokedAt: null,
  voidedAt: null,
};

const VOID: VerificationResponse = {
  ...VALID,
  status: 'void',
  verificationId: 'vrf-0b1c2d',
  permitNumber: '503/0124/SIPRO/DPMPTSP/XI/2026',
  holderName: null,
  issuedAt: null,
  timeSource: null,
  sha256: null,
  signerName: null,
  certificateIssuer: null,
  padesLevel: null,
  voidedAt: '2026-11-20T02:00:00.000Z',
};

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2 A and AA rules (contrast included) on the page as it stands. */
async function accessibilityViolations(page: Page): Promise<string[]> {
  // evaluate, not a script tag: the page's CSP refuses any script but its own
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

const PAGES: Record<string, VerificationResponse> = { '/verifikasi/valid': VALID, '/verifikasi/void': VOID };

describe('the verification page in a phone browser', () => {
  let server: Server;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const result = PAGES[request.url ?? ''];
      if (!result) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const page = renderVerificationPage(result);
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': page.contentSecurityPolicy })
        .end(page.html);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** A phone-sized page that records every console error, CSP refusals included. */
  async function openPhone(path: string): Promise<{ page: Page; problems: string[]; requests: string[] }> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${origin}${path}`);
    return { page, problems, requests };
  }

  it('shows SAH for a valid permit and says COCOK or TIDAK COCOK for the file the citizen picks', async () => {
    const { page, problems, requests } = await openPhone('/verifikasi/valid');
    await expect.poll(() => page.locator('#status-title').textContent()).toBe('SAH');
    expect(await page.locator('.status-text').textContent()).toContain('Izin ini sah, diterbitkan dan ditandatangani secara elektronik');
    const body = await page.locator('body').innerText();
    expect(body).toContain('24 November 2026 pukul 14.05 WIB');
    expect(body).toContain('Rina Marlina Sari, A.Md.RO.');
    expect(body).toContain('PAdES B-LT');
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);

    // the page is laid out for the phone: nothing scrolls sideways
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    const input = page.locator('#pdf');
    await input.setInputFiles({ name: 'SK-Izin-0123.pdf', mimeType: 'application/pdf', buffer: PERMIT_PDF });
    await expect.poll(() => page.locator('#result .result-title').textContent()).toBe('COCOK: berkas ini sama persis dengan yang terdaftar.');
    expect(await page.locator('#result').getAttribute('class')).toContain('result-match');
    await page.locator('#pdf').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'verification-page-valid-390x844.png'), fullPage: true });

    await input.setInputFiles({ name: 'SK-Izin-0123-edited.pdf', mimeType: 'application/pdf', buffer: OTHER_PDF });
    await expect.poll(() => page.locator('#result .result-title').textContent()).toBe('TIDAK COCOK: berkas ini berbeda dari yang diterbitkan.');
    expect(await page.locator('#result').getAttribute('class')).toContain('result-mismatch');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'verification-page-valid-mismatch-390x844.png'), fullPage: true });

    // a file dropped on the zone is compared the same way
    await page.evaluate((bytes) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], 'dropped.pdf', { type: 'application/pdf' }));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, [...PERMIT_PDF]);
    await expect.poll(() => page.locator('#result .result-title').textContent()).toBe('COCOK: berkas ini sama persis dengan yang terdaftar.');

    expect(await accessibilityViolations(page)).toEqual([]);

    // the file never left the browser, and the policy refused nothing
    expect(requests).toEqual([`${origin}/verifikasi/valid`]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows BATAL for a voided number, with no personal data and nothing to compare', async () => {
    const { page, problems, requests } = await openPhone('/verifikasi/void');
    await expect.poll(() => page.locator('#status-title').textContent()).toBe('BATAL');
    const body = await page.locator('body').innerText();
    expect(body).toContain('ditolak atau ditarik kembali');
    expect(body).toContain('20 November 2026 pukul 09.00 WIB');
    expect(body).toContain('503/0124/SIPRO/DPMPTSP/XI/2026');
    expect(body).not.toContain('Rina Marlina');
    expect(body).not.toContain('Hendra Saputra');
    expect(await page.locator('#pdf').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'verification-page-void-390x844.png'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(requests).toEqual([`${origin}/verifikasi/void`]);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
