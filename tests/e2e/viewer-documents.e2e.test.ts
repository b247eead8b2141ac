import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../support/temp-dir';
import { shot, signIn, startWebDesk, type WebDesk } from './web-desk';

let desk: WebDesk;
const temp = makeTempDir('viewer-docs');
let registration = '';

async function onePagePdf(text: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595, 842]);
  page.drawText(text, { x: 60, y: 760, size: 18, font: await pdf.embedFont(StandardFonts.Helvetica) });
  return pdf.save();
}

/** Real files of the kinds applicants upload badly: a scan as PNG, a long scanned PDF, a locked PDF, a broken one. */
async function makeAwkwardDocuments() {
  const plain = join(temp.dir, 'plain.pdf');
  writeFileSync(plain, await onePagePdf('SURAT KETERANGAN - hasil pindai'));
  execFileSync('pdftoppm', ['-r', '60', '-png', '-singlefile', plain, join(temp.dir, 'scan')]);
  const png = readFileSync(join(temp.dir, 'scan.png'));
  execFileSync('qpdf', ['--encrypt', 'rahasia', 'rahasia-pemilik', '256', '--', plain, join(temp.dir, 'locked.pdf')]);
  const long = await PDFDocument.create();
  const image = await long.embedPng(png);
  for (let i = 0; i < 30; i += 1) long.addPage([595, 842]).drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
  return [
    { kind: 'scan_png', file: 'pindaian.png', mime: 'image/png', content: png },
    { kind: 'scan_30', file: 'pindaian-30-halaman.pdf', mime: 'application/pdf', content: Buffer.from(await long.save()) },
    { kind: 'locked', file: 'terkunci.pdf', mime: 'application/pdf', content: readFileSync(join(temp.dir, 'locked.pdf')) },
    { kind: 'broken', file: 'rusak.pdf', mime: 'application/pdf', content: Buffer.from('%PDF-1.7\nthis file was cut off in the upload') },
  ];
}

beforeAll(async () => {
  desk = await startWebDesk();
  const documents = await makeAwkwardDocuments();
  const db = new Database(desk.serverDb);
  db.pragma('busy_timeout = 5000');
  const app = db.prepare("SELECT id, registration_number FROM applications WHERE stage = 'pemeriksaan' ORDER BY registration_number LIMIT 1").get() as { id: string; registration_number: string };
  registration = app.registration_number;
  const insert = db.prepare('INSERT INTO documents (id, application_id, kind, file_name, mime_type, size_bytes, sha256, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  documents.forEach((d, i) => insert.run(`${app.id.slice(0, 8)}-x${i}`, app.id, d.kind, d.file, d.mime, d.content.length, createHash('sha256').update(d.content).digest('hex'), d.content));
  db.prepare('UPDATE applications SET change_seq = (SELECT value + 1 FROM counters WHERE name = ?) WHERE id = ?').run('change_seq', app.id);
  db.prepare("UPDATE counters SET value = value + 1 WHERE name = 'change_seq'").run();
  db.close();
});
afterAll(async () => {
  await desk?.stop();
  temp.remove();
});

describe('the document viewer with what applicants really upload', () => {
  it('shows a PNG scan, pages through a 30-page scan, and explains a locked or broken PDF', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'penata');
    await page.getByLabel('Cari nama, NIK, atau nomor registrasi').fill(registration);
    await page.getByRole('button', { name: registration }).click();
    await page.getByRole('heading', { name: 'Kesesuaian data' }).waitFor();

    await page.getByRole('tab', { name: 'pindaian.png' }).click();
    await page.getByTestId('image-document').waitFor();
    expect(await page.getByTestId('image-document').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);

    await page.getByRole('tab', { name: 'pindaian-30-halaman.pdf' }).click();
    await page.locator('[data-testid="pdf-canvas"][data-rendered="true"]').waitFor();
    const thumbs = page.getByRole('navigation', { name: 'Halaman-halaman dokumen' }).getByRole('button');
    expect(await thumbs.count()).toBe(30);
    await thumbs.nth(29).click();
    await page.getByText('Halaman 30 dari 30').waitFor();
    await page.locator('[data-testid="pdf-canvas"][data-rendered="true"]').waitFor();
    await expect.poll(() => page.locator('.thumbs img').count(), { timeout: 30_000 }).toBe(30);
    await shot(page, '17-viewer-30-page-scan');

    await page.getByRole('tab', { name: 'terkunci.pdf' }).click();
    await page.getByRole('alert').filter({ hasText: 'dilindungi kata sandi' }).waitFor();
    await page.getByRole('tab', { name: 'rusak.pdf' }).click();
    await page.getByRole('alert').filter({ hasText: 'rusak atau bukan PDF yang sah' }).waitFor();
    await shot(page, '18-viewer-broken-pdf');
  });
});
