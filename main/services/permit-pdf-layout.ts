import { PDFDocument, StandardFonts, degrees, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { calendarDateIn } from '../../shared/working-days';
import { addSignaturePlaceholder } from './signing/pdf-signature-placeholder';
import QRCode from 'qrcode';
import type { Application, PermitType } from '../../shared/domain';
import type { Office } from '../../shared/office';

export interface PermitPdfInput {
  office: Office;
  permitType: PermitType;
  application: Application;
  permitNumber: string | null;
  verificationUrl: string | null;
  /** drafts carry a watermark and an unsigned signature block */
  draft: boolean;
  /** for the permit to be signed: when, and the empty signature the signer fills in */
  signing?: { signedAt: Date; signerName: string };
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const candidate = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, size) > width && line) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function formatDateId(isoDate: string): string {
  const months = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return `${d} ${months[m - 1]} ${y}`;
}

function drawQr(page: PDFPage, text: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const count = qr.modules.size;
  const quiet = 4;
  const cell = size / (count + quiet * 2);
  page.drawRectangle({ x, y, width: size, height: size, color: rgb(1, 1, 1) });
  for (let row = 0; row < count; row += 1) {
    for (let col = 0; col < count; col += 1) {
      if (qr.modules.get(row, col)) {
        page.drawRectangle({ x: x + (col + quiet) * cell, y: y + size - (row + quiet + 1) * cell, width: cell, height: cell, color: rgb(0, 0, 0) });
      }
    }
  }
}

/** The SK Izin page, from the permit type's template and the applicant's data. */
export async function renderPermitPdf(input: PermitPdfInput): Promise<Uint8Array> {
  const { office, permitType, application, permitNumber, verificationUrl, draft } = input;
  const a = application.applicant;
  const pdf = await PDFDocument.create();
  pdf.setTitle(`${permitType.template.title} - ${a.fullName}`);
  pdf.setAuthor(office.name);
  pdf.setLanguage('id-ID');
  const page = pdf.addPage(A4);
  const regular = await pdf.embedFont(StandardFonts.TimesRoman);
  const bold = await pdf.embedFont(StandardFonts.TimesRomanBold);
  const width = A4[0] - MARGIN * 2;
  if (draft) {
    // drawn first, so the text lies over it
    page.drawText('DRAF', { x: 150, y: 380, size: 120, font: bold, rotate: degrees(35), color: rgb(0.9, 0.9, 0.9) });
  }
  let y = A4[1] - 60;

  const center = (text: string, font: PDFFont, size: number) => {
    page.drawText(text, { x: (A4[0] - font.widthOfTextAtSize(text, size)) / 2, y, size, font });
    y -= size + 5;
  };
  center(`PEMERINTAH ${office.city.toUpperCase()}`, bold, 14);
  for (const line of wrap(office.name.toUpperCase(), bold, 13, width)) center(line, bold, 13);
  y -= 2;
  page.drawLine({ start: { x: MARGIN, y }, end: { x: A4[0] - MARGIN, y }, thickness: 2 });
  y -= 28;
  center(permitType.template.title, bold, 13);
  center(`Nomor: ${permitNumber ?? '(nomor diberikan saat draf disetujui)'}`, regular, 11);
  y -= 10;

  page.drawText('Dasar Hukum:', { x: MARGIN, y, size: 10.5, font: bold });
  y -= 15;
  permitType.legalBasis.forEach((basis, i) => {
    const lines = wrap(basis, regular, 9.5, width - 18);
    page.drawText(`${i + 1}.`, { x: MARGIN, y, size: 9.5, font: regular });
    for (const line of lines) {
      page.drawText(line, { x: MARGIN + 18, y, size: 9.5, font: regular });
      y -= 12;
    }
  });
  y -= 8;
  page.drawText(permitType.template.decisionText, { x: MARGIN, y, size: 11, font: regular });
  y -= 20;
  const rows: Array<[string, string]> = [
    ['Nama', a.fullName],
    ['NIK', a.nik],
    ['Tempat/Tanggal Lahir', `${a.birthPlace}, ${formatDateId(a.birthDate)}`],
    ['Alamat', a.address],
    ['Profesi', a.profession],
    ['Nomor STR', a.strNumber],
    ['STR berlaku sampai', formatDateId(a.strValidUntil)],
    ['Tempat Praktik', a.facilityName],
    ['Alamat Tempat Praktik', a.facilityAddress],
    ['Nomor Registrasi MPPD', application.registrationNumber],
  ];
  for (const [label, value] of rows) {
    page.drawText(label, { x: MARGIN + 10, y, size: 10.5, font: regular });
    const lines = wrap(`: ${value}`, regular, 10.5, width - 160);
    for (const line of lines) {
      page.drawText(line, { x: MARGIN + 160, y, size: 10.5, font: regular });
      y -= 15;
    }
  }
  y -= 6;
  const validity = `Izin ini berlaku selama ${permitType.template.validityYears} tahun sejak tanggal ditetapkan, sepanjang STR masih berlaku dan tempat praktik sesuai dengan yang tercantum di atas.`;
  for (const line of wrap(validity, regular, 10.5, width)) {
    page.drawText(line, { x: MARGIN, y, size: 10.5, font: regular });
    y -= 14;
  }

  const blockX = A4[0] / 2 + 10;
  let by = 250;
  page.drawText(`Ditetapkan di ${office.city}`, { x: blockX, y: by, size: 10.5, font: regular });
  by -= 14;
  const signedOn = input.signing ? formatDateId(calendarDateIn(input.signing.signedAt, office.timeZone)) : '..............................';
  page.drawText(`pada tanggal ${signedOn}`, { x: blockX, y: by, size: 10.5, font: regular });
  by -= 18;
  for (const line of wrap(office.headTitle, bold, 10, A4[0] - MARGIN - blockX)) {
    page.drawText(line, { x: blockX, y: by, size: 10, font: bold });
    by -= 13;
  }
  by -= 10;
  page.drawText(draft ? 'DRAF - BELUM DITANDATANGANI' : 'Ditandatangani secara elektronik', {
    x: blockX,
    y: by,
    size: 9.5,
    font: bold,
    color: draft ? rgb(0.7, 0.1, 0.1) : rgb(0, 0, 0),
  });
  by -= 30;
  page.drawText(office.headName, { x: blockX, y: by, size: 10.5, font: bold });
  by -= 14;
  page.drawText(`NIP. ${office.headNip}`, { x: blockX, y: by, size: 10.5, font: regular });

  if (verificationUrl) {
    drawQr(page, verificationUrl, MARGIN, 120, 110);
    page.drawText('Pindai untuk verifikasi dokumen:', { x: MARGIN, y: 108, size: 8, font: regular });
    page.drawText(verificationUrl, { x: MARGIN, y: 98, size: 7, font: regular });
  }
  page.drawText('Dokumen ini ditandatangani secara elektronik menggunakan sertifikat elektronik yang diterbitkan oleh BSrE.', {
    x: MARGIN,
    y: 60,
    size: 8,
    font: regular,
    color: rgb(0.35, 0.35, 0.35),
  });
  if (input.signing) {
    addSignaturePlaceholder(pdf, page, {
      signerName: input.signing.signerName,
      signedAt: input.signing.signedAt,
      reason: `Penerbitan ${permitType.template.title} Nomor ${permitNumber ?? ''}`,
      location: `${office.name} ${office.city}`,
    });
  }
  // No object streams: the signature dictionary must stay a plain object whose bytes can be patched in place.
  return pdf.save({ useObjectStreams: false });
}
