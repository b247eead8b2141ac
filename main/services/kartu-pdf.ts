import { formatOverUnder, formatWorkingDuration, kartuKendaliTime } from '../../shared/kartu-kendali-time';
import type { KartuSource } from '../../shared/monitoring';
import { PdfTableWriter } from '../../shared/node/pdf-table-writer';

const ZONE: Record<string, string> = { 'Asia/Jakarta': 'WIB', 'Asia/Makassar': 'WITA', 'Asia/Jayapura': 'WIT' };

/** Stage and action ids as the card prints them (the renderer's i18n is not reachable from main). */
const words = (id: string) => id.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

function when(iso: string, timeZone: string): string {
  const text = new Intl.DateTimeFormat('id-ID', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(iso));
  return `${text} ${ZONE[timeZone] ?? ''}`.trim();
}

/**
 * The kartu kendali as a one-page card, the one collected when someone complains: every
 * handover with received / decided, the working time it took against the stage's mutu baku,
 * the official; the file's total against its standard; a pending step counted to `now`.
 */
export async function kartuKendaliPdf(source: KartuSource, now: Date): Promise<Uint8Array> {
  const card = kartuKendaliTime({
    events: source.events,
    workflow: source.workflow,
    slaWorkingDays: source.slaWorkingDays,
    completeAt: source.completeAt,
    timeZone: source.timeZone,
    holidays: new Set(source.holidays),
    now,
  });
  const writer = await PdfTableWriter.create({ title: `Kartu Kendali ${source.registrationNumber}`, footer: `Meja Izin - kartu kendali dicetak ${when(now.toISOString(), source.timeZone)}`, margin: 36 });
  writer.heading('KARTU KENDALI PELAYANAN', 14);
  writer.paragraph(source.officeName, { bold: true });
  writer.paragraph(`No. registrasi: ${source.registrationNumber}   Pemohon: ${source.applicantName}`);
  writer.paragraph(`Jenis izin: ${source.permitTypeName}   Standar: ${source.slaWorkingDays} hari kerja${card.deadline ? ` (batas ${card.deadline})` : ''}`);
  const total = `Waktu total: ${formatWorkingDuration(card.totalMinutes)} (hari kerja)${card.open ? ', masih berjalan' : ''} - ${card.late ? 'MELEWATI STANDAR' : 'dalam standar'}`;
  writer.paragraph(total, { bold: true, color: card.late ? 'red' : undefined });
  writer.space(4);
  writer.table(
    [
      { header: 'Tahap', weight: 2.2 },
      { header: 'Diterima', weight: 1.8 },
      { header: 'Diputus', weight: 1.8 },
      { header: 'Waktu kerja', weight: 1.5 },
      { header: 'Mutu baku', weight: 1.2 },
      { header: 'Selisih', weight: 1.5 },
      { header: 'Petugas / tindakan', weight: 2.6 },
    ],
    card.steps.map((s) => ({
      cells: [
        words(s.stage),
        when(s.receivedAt, source.timeZone),
        s.decidedAt ? when(s.decidedAt, source.timeZone) : 'belum (berjalan)',
        formatWorkingDuration(s.minutes),
        s.standardMinutes === null ? '-' : formatWorkingDuration(s.standardMinutes),
        s.overByMinutes === null ? '-' : formatOverUnder(s.overByMinutes),
        s.officialName ? `${s.officialName} - ${words(s.action ?? '')}${s.reason ? `: "${s.reason}"` : ''}` : 'menunggu',
      ],
      alert: s.over,
    })),
  );
  writer.paragraph('Waktu kerja dihitung tanpa Sabtu, Minggu, libur nasional dan cuti bersama. Baris merah: tahap melebihi mutu bakunya.', { size: 7, color: 'grey' });
  return writer.save();
}
