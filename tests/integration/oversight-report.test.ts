import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitoringFigures } from '../../shared/monitoring';
import { monthPeriod } from '../../shared/monitoring';
import { calendarDateIn } from '../../shared/working-days';
import { api, login, readServerDb, startOfficeServer, type OfficeServer } from '../support/office-server';
import { qpdfCheck } from '../support/poppler';
import { makeTempDir } from '../support/temp-dir';

describe('monitoring figures and the monthly report, over the demo office', () => {
  const temp = makeTempDir('oversight');
  const dbFile = join(temp.dir, 'server.sqlite');
  const month = calendarDateIn(new Date(), 'Asia/Jakarta').slice(0, 7);
  let server: OfficeServer;
  let kadis: string;
  let penata: string;

  beforeAll(async () => {
    server = await startOfficeServer(dbFile, { seed: { applications: 64, pekanbaruFiles: 10 } });
    kadis = (await login(server.url, 'kadis')).token;
    penata = (await login(server.url, 'penata')).token;
    const recorded = await api(server.url, '/complaints/commands', {
      token: penata,
      body: {
        kind: 'complaint',
        id: randomUUID(),
        complaintId: randomUUID(),
        action: 'record',
        complaint: { receivedOn: `${month}-02`, complainantName: 'Budi', complainantIdentity: '1872010101900001', contact: '0812', channel: 'telepon', type: 'waktu_pelayanan', weight: 'sedang', summary: 'Izin belum selesai.', applicationId: null },
      },
    });
    expect(recorded.body.status).toBe('accepted');
  });
  afterAll(async () => {
    await server.close();
    temp.remove();
  });

  it('seeds every file in its stage since the kartu kendali line that brought it there, so the stage timer and the kartu agree', () => {
    const files = readServerDb(dbFile, (db) =>
      db
        .prepare(
          `SELECT a.registration_number AS number, a.stage_entered_at AS entered,
             (SELECT max(e.at) FROM events e WHERE e.application_id = a.id AND e.to_stage = a.stage) AS line
           FROM applications a`,
        )
        .all() as Array<{ number: string; entered: string; line: string | null }>,
    );
    expect(files.length).toBeGreaterThan(70);
    const disagreeing = files.filter((f) => f.line === null || Date.parse(f.line) !== Date.parse(f.entered));
    expect(disagreeing).toEqual([]);
  });

  it('serves the figures to the Kepala Dinas and the Sekretaris only', async () => {
    const { from, to } = monthPeriod(month);
    expect((await api(server.url, `/oversight/monitoring?from=${from}&to=${to}`, { token: penata })).status).toBe(403);
    expect((await api(server.url, `/oversight/monitoring?from=${from}&to=${to}`)).status).toBe(401);
    const sekretaris = (await login(server.url, 'sekretaris')).token;
    expect((await api(server.url, `/oversight/monitoring?from=${from}&to=${to}`, { token: sekretaris })).status).toBe(200);
    expect((await api(server.url, `/oversight/report?month=${month}`, { token: penata })).status).toBe(403);
  });

  it('refuses periods and months that are no calendar dates, lie outside 2000–2099 or span more than two years, at once and with 400', async () => {
    const periods = [
      ['0000-01-01', '0000-12-31'],
      ['9999-12-01', '9999-12-31'],
      ['2026-99-99', '2026-12-31'],
      ['2026-02-30', '2026-03-01'],
      ['2001-01-01', '2099-12-31'],
      ['2026-03-01', '2026-02-01'],
    ];
    for (const [from, to] of periods) {
      const answer = await api(server.url, `/oversight/monitoring?from=${from}&to=${to}`, { token: kadis });
      expect([from, to, answer.status]).toEqual([from, to, 400]);
    }
    for (const bad of ['9999-12', '0000-00', '2026-13', '1999-12']) {
      expect([bad, (await api(server.url, `/oversight/report?month=${bad}`, { token: kadis })).status]).toEqual([bad, 400]);
      expect([bad, (await api(server.url, `/complaints/reports/${bad}`, { token: kadis })).status]).toEqual([bad, 400]);
    }
    // two years is still one request
    expect((await api(server.url, `/oversight/monitoring?from=2025-01-01&to=2026-12-31`, { token: kadis })).status).toBe(200);
  });

  it('writes a PDF and an XLSX holding the same counts the monitoring route returns', async () => {
    const { from, to } = monthPeriod(month);
    const figures = (await api(server.url, `/oversight/monitoring?from=${from}&to=${to}`, { token: kadis })).body as MonitoringFigures;
    expect(figures.received).toBeGreaterThan(0);
    // Pekanbaru's SOP steps carry their own standard minutes, in Pekanbaru's figures only
    const pekanbaru = (await api(server.url, `/oversight/monitoring?from=${from}&to=${to}`, { token: (await login(server.url, 'kadispekanbaru')).token })).body as MonitoringFigures;
    expect(pekanbaru.stageTimes.some((s) => s.standardMinutes !== null && s.count > 0)).toBe(true);
    expect(figures.stageTimes.some((s) => s.standardMinutes !== null)).toBe(false);

    const out = join(temp.dir, 'out');
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/report-monthly.ts', '--month', month, '--db', dbFile, '--office', 'dpmptsp-kota-metro', '--out', out], { encoding: 'utf8' });
    const pdf = join(out, `laporan-kinerja-${month}.pdf`);
    const check = qpdfCheck(pdf);
    expect(check.status, check.output).toBe(0);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text).toMatch(new RegExp(`Berkas masuk\\s+${figures.received}\\b`));
    expect(text).toMatch(new RegExp(`Berkas selesai\\s+${figures.completed.total}\\b`));
    expect(text).toMatch(new RegExp(`Selesai tepat waktu.*\\s+${figures.completed.onTime}\\b`));
    expect(text).toMatch(new RegExp(`Selesai terlambat\\s+${figures.completed.late}\\b`));
    expect(text).toMatch(new RegExp(`masih terbuka\\)\\s+${figures.overdue.length}\\b`));
    expect(text).toMatch(/Pengaduan tercatat\s+1\b/);
    for (const late of figures.overdue.slice(0, 3)) expect(text).toContain(late.registrationNumber);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync(join(out, `laporan-kinerja-${month}.xlsx`)) as unknown as ArrayBuffer);
    const summary = workbook.getWorksheet('Ringkasan')!;
    const valueOf = (label: string) => {
      let found: unknown;
      summary.eachRow((row) => {
        if (String(row.getCell(1).value).startsWith(label)) found = row.getCell(2).value;
      });
      return found;
    };
    expect(valueOf('Berkas masuk')).toBe(figures.received);
    expect(valueOf('Berkas selesai')).toBe(figures.completed.total);
    expect(valueOf('Selesai tepat waktu')).toBe(figures.completed.onTime);
    expect(valueOf('Selesai terlambat')).toBe(figures.completed.late);
    expect(valueOf('Berkas melewati batas waktu')).toBe(figures.overdue.length);
    expect(workbook.getWorksheet('Berkas terlambat')!.rowCount).toBe(2 + figures.overdue.length);

    const fromRoute = await fetch(`${server.url}/api/v1/oversight/report?month=${month}&format=pdf`, { headers: { authorization: `Bearer ${kadis}` } });
    expect(fromRoute.status).toBe(200);
    expect(Buffer.from(await fromRoute.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  });
});
