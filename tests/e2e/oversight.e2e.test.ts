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

const registrationAt = (stage: string) =>
  readServerDb(desk.serverDb, (db) => (db.prepare('SELECT registration_number FROM applications WHERE stage = ? ORDER BY registration_number LIMIT 1').get(stage) as { registration_number: string }).registration_number);

async function openComplaints(page: Page, user: string) {
  await signIn(page, desk.url, user);
  await page.getByRole('button', { name: 'Buku Pengaduan' }).click();
  await page.getByRole('heading', { name: 'Buku Pengaduan', level: 1 }).waitFor();
}

describe('office oversight', () => {
  it('each Kepala Dinas sees their own office\'s per-stage times against their standard and the late files', async () => {
    const page = await desk.newPage();
    const openMonitoring = async (user: string) => {
      await signIn(page, desk.url, user);
      await page.getByRole('button', { name: 'Monitoring kinerja' }).click();
      await page.getByRole('heading', { name: 'Monitoring kinerja pelayanan' }).waitFor();
      const table = page.getByRole('table', { name: 'Waktu per tahap terhadap mutu baku' });
      await table.waitFor();
      return table;
    };
    // Pekanbaru's steps carry their SOP minutes, in Pekanbaru's office
    const pekanbaru = await openMonitoring('kadispekanbaru');
    await expect.poll(() => pekanbaru.getByRole('row', { name: /Cetak blanko/ }).innerText()).toMatch(/3 menit/);
    await shot(page, 'monitoring-pekanbaru');
    // Metro's are judged against the file's 3 working days, and Pekanbaru's steps are not Metro's
    const stageTimes = await openMonitoring('kadis');
    await expect.poll(() => stageTimes.innerText()).toMatch(/standar berkas/);
    expect(await stageTimes.getByRole('row', { name: /Cetak blanko/ }).count()).toBe(0);
    const overdue = page.getByRole('table', { name: 'Berkas terlambat dan siapa yang memegang' });
    await overdue.waitFor();
    expect(await overdue.getByRole('row').count()).toBeGreaterThan(1);
    await expect.poll(() => overdue.innerText()).toMatch(/MPPD-\d{4}-\d{6}/);
    await expect.poll(() => page.locator('canvas').count()).toBeGreaterThan(3);
    await shot(page, 'monitoring');
    await page.close();
  });

  it('a kartu kendali shows the steps that went over their mutu baku', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'analismadya');
    const registration = registrationAt('paraf_analis_madya');
    await page.getByLabel('Cari nama, NIK, atau nomor registrasi').fill(registration);
    await page.getByRole('button', { name: registration }).click();
    const card = page.getByRole('region', { name: 'Kartu kendali' });
    await card.waitFor();
    const overRow = card.getByRole('row', { name: /Cetak blanko/ });
    await expect.poll(() => overRow.innerText()).toMatch(/lebih \d+ menit/);
    await card.getByRole('table').scrollIntoViewIfNeeded();
    await shot(page, 'kartu-kendali-over-standard');
    await page.close();
  });

  it('a sedang complaint about a file: recorded, routed to the Kepala Dinas, answered on its channel, closed; the monthly report returned once, fixed, approved, received', async () => {
    const page = await desk.newPage();
    const registration = registrationAt('pemeriksaan');
    await openComplaints(page, 'penata');
    const form = page.getByRole('form', { name: 'Catat pengaduan' });
    await form.getByLabel('Nama pengadu').fill('Wahyu Hidayat');
    await form.getByLabel('Identitas (NIK/KTP)').fill('1872031502880003');
    await form.getByLabel('Kontak').fill('0812-7000-1234');
    await form.getByLabel('Saluran').selectOption({ label: 'Telepon' });
    await form.getByLabel('Jenis pengaduan').selectOption({ label: 'Waktu pelayanan' });
    await form.getByLabel('Bobot').selectOption({ label: 'Sedang' });
    await form.getByLabel('No. registrasi berkas (jika ada)').fill(registration);
    await form.getByLabel('Isi pengaduan').fill('Izin saya belum selesai padahal sudah lebih dari tiga hari kerja.');
    await form.getByRole('button', { name: 'Simpan ke Buku Pengaduan' }).click();
    const complaint = page.getByRole('article').filter({ hasText: 'Wahyu Hidayat' });
    await complaint.getByRole('heading', { name: 'Wahyu Hidayat — Tercatat' }).waitFor();
    // the file's kartu kendali is attached to the complaint
    await complaint.getByText(`Kartu kendali berkas ${registration}`).waitFor();
    await complaint.getByRole('button', { name: 'Verifikasi' }).click();
    await complaint.getByRole('heading', { name: 'Wahyu Hidayat — Terverifikasi' }).waitFor();
    await complaint.getByRole('button', { name: 'Tindak lanjuti' }).click();
    await complaint.getByRole('heading', { name: 'Wahyu Hidayat — Ditindaklanjuti' }).waitFor();
    // sedang: not answered before the Kepala Dinas has coordinated
    expect(await complaint.getByRole('button', { name: 'Kirim jawaban' }).count()).toBe(0);
    await expect.poll(() => complaint.innerText()).toMatch(/dikoordinasikan dengan kepala bidang dan Kepala Dinas/);

    await openComplaints(page, 'kadis');
    await complaint.getByLabel('Catatan').fill('Berkas diprioritaskan; kepala bidang memastikan selesai besok.');
    await complaint.getByRole('button', { name: 'Catat hasil koordinasi' }).click();
    await complaint.getByText('Berkas diprioritaskan; kepala bidang memastikan selesai besok.').first().waitFor();

    await openComplaints(page, 'penata');
    await complaint.getByLabel('Catatan').fill('Bapak Wahyu, berkas Anda diprioritaskan dan selesai besok. Mohon maaf atas keterlambatannya.');
    await complaint.getByRole('button', { name: 'Kirim jawaban' }).click();
    await complaint.getByRole('heading', { name: 'Wahyu Hidayat — Dijawab' }).waitFor();
    await complaint.getByText('Jawaban dikirim melalui Telepon (saluran pengaduan masuk)').waitFor();
    await complaint.getByRole('button', { name: 'Tutup pengaduan' }).click();
    await complaint.getByRole('heading', { name: 'Wahyu Hidayat — Ditutup' }).waitFor();
    const history = await complaint.locator('.complaint-history').innerText();
    for (const step of ['Tercatat', 'Terverifikasi', 'Ditindaklanjuti', 'Dijawab', 'Ditutup', 'Drs. Hendra Saputra']) expect(history).toContain(step);

    const report = page.getByRole('region', { name: /Laporan pengaduan bulanan/ });
    await report.getByRole('button', { name: 'Susun / perbaiki laporan' }).click();
    await report.getByText('Draf').first().waitFor();
    await report.getByRole('button', { name: 'Serahkan ke Sekretaris' }).click();
    await report.getByText('Diserahkan ke Sekretaris').first().waitFor();

    await openComplaints(page, 'sekretarismetro');
    await report.getByLabel('Catatan').fill('Lengkapi jenis pengaduan pada rekap.');
    await report.getByRole('button', { name: 'Kembalikan untuk perbaikan' }).click();
    await report.getByText('Dikembalikan untuk perbaikan').first().waitFor();

    await openComplaints(page, 'penata');
    await report.getByLabel('Catatan').fill('Rekap dilengkapi.');
    await report.getByRole('button', { name: 'Susun / perbaiki laporan' }).click();
    await report.getByText('Rekap dilengkapi.').first().waitFor();
    await report.getByRole('button', { name: 'Serahkan ke Sekretaris' }).click();
    await report.getByText('Diserahkan ke Sekretaris').first().waitFor();

    await openComplaints(page, 'sekretarismetro');
    await report.getByRole('button', { name: 'Setujui' }).click();
    await report.getByText('Disetujui Sekretaris').first().waitFor();

    await openComplaints(page, 'kadis');
    await report.getByRole('button', { name: 'Terima laporan' }).click();
    await report.getByText('Diterima Kepala Dinas').first().waitFor();
    await expect.poll(() => report.innerText()).toMatch(/1 pengaduan dalam laporan/);
    const reportHistory = await report.locator('.complaint-history').innerText();
    for (const who of ['Siti Rahmawati', 'Dra. Yuliana Putri', 'Drs. Hendra Saputra', 'Lengkapi jenis pengaduan']) expect(reportHistory).toContain(who);
    await shot(page, 'complaint-report-received');
    await page.close();
  });
});
