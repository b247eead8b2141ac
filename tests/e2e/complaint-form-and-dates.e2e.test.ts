import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServerDb } from '../support/office-server';
import { shot, signIn, startWebDesk, type WebDesk } from './web-desk';

let desk: WebDesk;

beforeAll(async () => {
  desk = await startWebDesk();
});
afterAll(async () => {
  await desk?.stop();
});

/** This month in the office's zone as a report names it, in the desk's two languages. */
function thisMonth(locale: 'id-ID' | 'en-GB'): string {
  const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta', year: 'numeric', month: '2-digit' }).format(new Date());
  return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${month}-01T00:00:00Z`));
}

const registrationAt = (stage: string) =>
  readServerDb(desk.serverDb, (db) => (db.prepare('SELECT registration_number FROM applications WHERE stage = ? ORDER BY registration_number LIMIT 1').get(stage) as { registration_number: string }).registration_number);

async function chooseLanguage(page: Page, label: 'English' | 'Bahasa Indonesia') {
  await page.getByRole('combobox', { name: /^(Bahasa|Language)$/ }).selectOption({ label });
}

describe('dates and months as the office writes them', () => {
  it('the conformity table shows its dates as the applicant panel does, in both languages', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'penata');
    await page.locator('.queue-row:not(.loading)').first().waitFor();
    await page.locator('.queue-row .link').first().click();
    await page.getByRole('heading', { name: 'Kesesuaian data' }).waitFor();
    const table = page.locator('.conformity-table');
    const birthRow = table.getByRole('row', { name: /^Tanggal lahir/ });
    const birthCell = (await birthRow.locator('td').first().innerText()).trim();
    expect(birthCell).toMatch(/^\d{1,2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des)\w* \d{4}$/);
    // the same words as the applicant panel's "Tempat, tanggal lahir"
    const applicantBirth = await page.getByRole('region', { name: 'Data pemohon' }).innerText();
    expect(applicantBirth).toContain(birthCell);
    expect(await table.innerText()).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    // a value that is no date (the STR number) is shown as it came
    expect(await table.getByRole('row', { name: /^Nomor STR/ }).innerText()).not.toMatch(/Mei|Jan|Des/);
    await shot(page, 'h8-conformity-dates-id');

    await chooseLanguage(page, 'English');
    const englishBirth = (await table.getByRole('row', { name: /^Date of birth/ }).locator('td').first().innerText()).trim();
    expect(englishBirth).toMatch(/^\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec) \d{4}$/);
    expect(await table.innerText()).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    await shot(page, 'h8-conformity-dates-en');
    await chooseLanguage(page, 'Bahasa Indonesia');
    await page.close();
  });

  it('the monitoring screen names the report month in words', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'kadis');
    await page.getByRole('button', { name: 'Monitoring kinerja' }).click();
    await page.getByRole('heading', { name: 'Monitoring kinerja pelayanan' }).waitFor();
    await page.getByText(`Laporan bulanan ${thisMonth('id-ID')}:`).waitFor();
    expect(await page.locator('.screen-head').innerText()).not.toMatch(/\d{4}-\d{2}/);
    await shot(page, 'h8-monitoring-month');
    await chooseLanguage(page, 'English');
    await page.getByText(`Monthly report ${thisMonth('en-GB')}:`).waitFor();
    await chooseLanguage(page, 'Bahasa Indonesia');
    await page.close();
  });
});

describe('the complaint form', () => {
  it('says in Indonesian which required field is empty, finds a file by a registration number typed loosely, and words "not found" truthfully', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'penata');
    await page.getByRole('button', { name: 'Buku Pengaduan' }).click();
    await page.getByRole('heading', { name: 'Buku Pengaduan', level: 1 }).waitFor();
    await page.getByRole('heading', { name: `Laporan pengaduan bulanan ${thisMonth('id-ID')}` }).waitFor();
    const form = page.getByRole('form', { name: 'Catat pengaduan' });
    await form.getByText('Kolom bertanda * wajib diisi.').waitFor();

    // empty: our messages, one per empty field, the first empty one focused, nothing recorded
    await form.getByRole('button', { name: 'Simpan ke Buku Pengaduan' }).click();
    for (const message of ['Isi nama pengadu.', 'Isi identitas pengadu (NIK/KTP).', 'Isi kontak pengadu.', 'Tuliskan isi pengaduan.']) await form.getByText(message).waitFor();
    expect(await form.getByText('Isi tanggal pengaduan.').count()).toBe(0);
    const name = form.getByLabel('Nama pengadu');
    expect(await name.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await name.getAttribute('required')).not.toBeNull();
    expect(await page.getByRole('article').count()).toBe(0);
    await shot(page, 'h8-complaint-empty');
    // typing into a field takes its message away
    await name.fill('Rina Marlina');
    expect(await form.getByText('Isi nama pengadu.').count()).toBe(0);

    await form.getByLabel('Identitas (NIK/KTP)').fill('1872034507900002');
    await form.getByLabel('Kontak').fill('0813-1111-2222');
    await form.getByLabel('Isi pengaduan').fill('Petugas belum memberi kabar tentang berkas saya.');
    // a number no file carries
    await form.getByLabel('No. registrasi berkas (jika ada)').fill('mppd-2026-999999');
    await form.getByRole('button', { name: 'Simpan ke Buku Pengaduan' }).click();
    const notFound = form.getByRole('alert');
    await notFound.waitFor();
    expect(await notFound.innerText()).toBe('Nomor registrasi MPPD-2026-999999 tidak ditemukan di antara berkas yang dapat Anda lihat.');
    expect(await notFound.innerText()).not.toContain('antrean');
    await shot(page, 'h8-complaint-not-found');

    // lower case with spaces around it finds the file
    const registration = registrationAt('pemeriksaan');
    await form.getByLabel('No. registrasi berkas (jika ada)').fill(`  ${registration.toLowerCase()} `);
    await form.getByRole('button', { name: 'Simpan ke Buku Pengaduan' }).click();
    const complaint = page.getByRole('article').filter({ hasText: 'Rina Marlina' });
    await complaint.getByRole('heading', { name: 'Rina Marlina — Tercatat' }).waitFor();
    await complaint.getByText(`Kartu kendali berkas ${registration}`).waitFor();
    await shot(page, 'h8-complaint-recorded');

    await chooseLanguage(page, 'English');
    await page.getByRole('heading', { name: `Monthly complaints report ${thisMonth('en-GB')}` }).waitFor();
    await page.getByRole('button', { name: 'Save to the register' }).click();
    await page.getByText("Enter the complainant's name.").waitFor();
    await shot(page, 'h8-complaint-empty-en');
    await chooseLanguage(page, 'Bahasa Indonesia');
    await page.close();
  });
});
