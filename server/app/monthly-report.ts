import ExcelJS from 'exceljs';
import type { Kysely } from 'kysely';
import { formatWorkingDuration } from '../../shared/kartu-kendali-time';
import { monthPeriod, type MonitoringFigures } from '../../shared/monitoring';
import { COMPLAINT_WEIGHTS, type ComplaintSummary } from '../../shared/complaint-rules';
import { PdfTableWriter, type TableColumn, type TableRow } from '../../shared/node/pdf-table-writer';
import type { ServerDatabase } from '../db/server-database';
import { computeMonitoringFigures } from './monitoring-figures';
import { summarizeComplaints } from './complaint-store';

/**
 * The monthly performance report (laporan kinerja pelayanan): the same monitoring figures the
 * screen shows, written as a PDF and as an XLSX with the same tables. One builder for the CLI
 * (`npm run report:monthly`) and the server's report route.
 */
export interface MonthlyReport {
  month: string;
  figures: MonitoringFigures;
  complaints: ComplaintSummary;
}

const MONTHS = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];

const STAGE_LABELS: Record<string, string> = {
  pemeriksaan: 'Pemeriksaan kesesuaian data',
  verifikasi_draf: 'Verifikasi draf izin',
  penandatanganan: 'Penandatanganan',
  penerimaan_berkas: 'Penerimaan berkas',
  cetak_blanko: 'Cetak blanko',
  paraf_analis_muda: 'Paraf Analis Ahli Muda',
  paraf_analis_madya: 'Paraf Analis Ahli Madya',
  paraf_sekretaris: 'Paraf Sekretaris',
  pencatatan_register: 'Pencatatan Buku Register',
};
const OUTCOME_LABELS: Record<string, string> = { issued: 'Izin terbit', returned: 'Dikembalikan ke pemohon', rejected: 'Ditolak', withdrawn: 'Dicabut' };
const WEIGHT_LABELS: Record<string, string> = { ringan: 'Ringan', sedang: 'Sedang', berat: 'Berat' };

export const stageLabel = (stage: string) => STAGE_LABELS[stage] ?? stage.replace(/_/g, ' ');
const workflowLabel = (id: string) => (id.startsWith('pekanbaru') ? 'SOP Pekanbaru' : 'Kota Metro');

export function monthLabel(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${MONTHS[m - 1]} ${y}`;
}

export async function buildMonthlyReport(db: Kysely<ServerDatabase>, officeId: string, month: string, now: Date = new Date()): Promise<MonthlyReport> {
  const figures = await computeMonitoringFigures(db, officeId, monthPeriod(month), now);
  return { month, figures, complaints: await summarizeComplaints(db, officeId, month) };
}

const pct = (part: number, whole: number) => (whole === 0 ? '—' : `${Math.round((part / whole) * 100)}%`);
const duration = (minutes: number | null) => (minutes === null ? '—' : formatWorkingDuration(minutes, 'id'));

interface ReportTable {
  title: string;
  sheet: string;
  columns: TableColumn[];
  rows: TableRow[];
}

/** Handovers on time and late per label (permit type, official); late rows stand out. */
function onTimeTable(title: string, sheet: string, labelHeader: string, rows: ReadonlyArray<{ label: string; onTime: number; late: number }>): ReportTable {
  return {
    title,
    sheet,
    columns: [{ header: labelHeader, weight: 4 }, { header: 'Tepat waktu', weight: 1, align: 'right' }, { header: 'Terlambat', weight: 1, align: 'right' }],
    rows: rows.map((r) => ({ cells: [r.label, String(r.onTime), String(r.late)], alert: r.late > 0 })),
  };
}

/** The report's tables, in order: the PDF and the XLSX write exactly these. */
export function reportTables(report: MonthlyReport): ReportTable[] {
  const f = report.figures;
  const n = (v: number) => String(v);
  return [
    {
      title: 'Ringkasan volume dan kepatuhan standar waktu',
      sheet: 'Ringkasan',
      columns: [{ header: 'Uraian', weight: 4 }, { header: 'Jumlah', weight: 1, align: 'right' }],
      rows: [
        { cells: ['Berkas masuk', n(f.received)] },
        { cells: ['Berkas selesai', n(f.completed.total)] },
        { cells: ['Selesai tepat waktu (<= 3 hari kerja / standar jenis izin)', n(f.completed.onTime)] },
        { cells: ['Selesai terlambat', n(f.completed.late)] },
        { cells: ['Kepatuhan standar waktu', pct(f.completed.onTime, f.completed.total)] },
        { cells: ['Berkas melewati batas waktu (masih terbuka)', n(f.overdue.length)] },
        ...f.completedByOutcome.map((o) => ({ cells: [`Selesai: ${OUTCOME_LABELS[o.outcome] ?? o.outcome}`, n(o.count)] })),
      ],
    },
    onTimeTable('Per jenis izin', 'Jenis izin', 'Jenis izin', f.byPermitType),
    {
      title: 'Waktu per tahap terhadap mutu baku',
      sheet: 'Waktu per tahap',
      columns: [
        { header: 'Alur', weight: 1.3 },
        { header: 'Tahap', weight: 2.6 },
        { header: 'Mutu baku', weight: 1.3 },
        { header: 'Jumlah', weight: 0.8, align: 'right' },
        { header: 'Median', weight: 1.5 },
        { header: 'P90', weight: 1.5 },
        { header: 'Melebihi', weight: 0.9, align: 'right' },
      ],
      rows: f.stageTimes.map((s) => ({
        cells: [workflowLabel(s.workflowId), stageLabel(s.stage), s.standardMinutes === null ? 'standar berkas' : duration(s.standardMinutes), n(s.count), duration(s.medianMinutes), duration(s.p90Minutes), n(s.overStandard)],
        alert: s.overStandard > 0,
      })),
    },
    onTimeTable('Per petugas (serah terima pada bulan ini)', 'Per petugas', 'Petugas', f.byOfficial),
    {
      title: 'Berkas terlambat dan tempat menunggu',
      sheet: 'Berkas terlambat',
      columns: [
        { header: 'No. registrasi', weight: 1.6 },
        { header: 'Pemohon', weight: 1.8 },
        { header: 'Menunggu di tahap', weight: 1.9 },
        { header: 'Dipegang', weight: 1.5 },
        { header: 'Batas', weight: 1 },
        { header: 'Lewat (hari kerja)', weight: 1, align: 'right' },
      ],
      rows: f.overdue.map((o) => ({ cells: [o.registrationNumber, o.applicantName, stageLabel(o.stage), o.holderName ?? '(belum diambil)', o.deadline, n(o.workingDaysOverdue)], alert: true })),
    },
    {
      title: 'Ringkasan pengaduan',
      sheet: 'Pengaduan',
      columns: [{ header: 'Uraian', weight: 4 }, { header: 'Jumlah', weight: 1, align: 'right' }],
      rows: [
        { cells: ['Pengaduan tercatat', n(report.complaints.total)] },
        ...COMPLAINT_WEIGHTS.map((w) => ({ cells: [`Bobot ${WEIGHT_LABELS[w]}`, n(report.complaints.byWeight[w] ?? 0)] })),
        { cells: ['Sudah dijawab atau ditutup', n(report.complaints.answered)] },
        { cells: ['Masih ditindaklanjuti', n(report.complaints.total - report.complaints.answered)] },
      ],
    },
  ];
}

export async function monthlyReportPdf(report: MonthlyReport): Promise<Uint8Array> {
  const f = report.figures;
  const writer = await PdfTableWriter.create({
    title: `Laporan Kinerja Pelayanan ${monthLabel(report.month)}`,
    footer: `Meja Izin - dihitung oleh server kantor dari log kejadian pada ${f.computedAt} - periode ${f.period.from} s.d. ${f.period.to}`,
  });
  writer.heading(`LAPORAN KINERJA PELAYANAN - ${monthLabel(report.month).toUpperCase()}`, 14);
  writer.paragraph(`${f.officeName} ${f.officeCity}`, { bold: true });
  writer.paragraph(
    'Standar waktu penyelesaian: 3 hari kerja sejak berkas diterima lengkap dan benar (SOP Pekanbaru: 2 hari kerja), tidak termasuk Sabtu, Minggu, libur nasional dan cuti bersama. Waktu per tahap dibandingkan dengan mutu baku tahapnya; tahap tanpa mutu baku dinilai terhadap batas waktu berkas.',
    { color: 'grey' },
  );
  for (const table of reportTables(report)) {
    writer.heading(table.title, 11);
    if (table.rows.length === 0) writer.paragraph('Tidak ada.', { color: 'grey' });
    else writer.table(table.columns, table.rows);
  }
  return writer.save();
}

export async function monthlyReportXlsx(report: MonthlyReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Meja Izin';
  workbook.created = new Date(report.figures.computedAt);
  for (const table of reportTables(report)) {
    const sheet = workbook.addWorksheet(table.sheet);
    sheet.addRow([table.title]).font = { bold: true };
    sheet.addRow(table.columns.map((c) => c.header)).font = { bold: true };
    for (const row of table.rows) {
      // numbers as numbers, so a spreadsheet can sum them
      sheet.addRow(row.cells.map((cell) => (/^-?\d+$/.test(cell) ? Number(cell) : cell)));
    }
    table.columns.forEach((c, i) => (sheet.getColumn(i + 1).width = Math.max(12, Math.round(c.weight * 14))));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export type MonthlyReportFormat = 'pdf' | 'xlsx';

/** The report of an office's month as a file to download: its name, content type and bytes. */
export async function monthlyReportFile(
  db: Kysely<ServerDatabase>,
  officeId: string,
  month: string,
  format: MonthlyReportFormat,
  now: Date = new Date(),
): Promise<{ fileName: string; contentType: string; body: Buffer }> {
  const report = await buildMonthlyReport(db, officeId, month, now);
  const fileName = `laporan-kinerja-${month}.${format}`;
  if (format === 'pdf') return { fileName, contentType: 'application/pdf', body: Buffer.from(await monthlyReportPdf(report)) };
  return { fileName, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: await monthlyReportXlsx(report) };
}
