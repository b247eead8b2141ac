import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import type { Applicant } from '../../shared/domain';

export const DOCUMENT_TITLES: Record<string, string> = {
  str: 'SURAT TANDA REGISTRASI (STR)',
  bukti_sisdmk: 'BUKTI VERIFIKASI DATA SISDMK',
  surat_keterangan_tempat: 'SURAT KETERANGAN TEMPAT PRAKTIK',
};

/** A real, one-page PDF standing in for what the applicant uploaded to MPPD. */
export async function makeUploadedDocument(kind: string, applicant: Applicant, issuedOn: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`${DOCUMENT_TITLES[kind] ?? kind} - ${applicant.fullName}`);
  pdf.setCreationDate(new Date(`${issuedOn}T08:00:00+07:00`));
  pdf.setModificationDate(new Date(`${issuedOn}T08:00:00+07:00`));
  const page = pdf.addPage([595.28, 841.89]);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const issuer =
    kind === 'str' ? 'KONSIL KESEHATAN INDONESIA' : kind === 'bukti_sisdmk' ? 'KEMENTERIAN KESEHATAN RI - SISDMK' : applicant.facilityName.toUpperCase();
  page.drawRectangle({ x: 40, y: 740, width: 515, height: 70, color: rgb(0.93, 0.95, 0.98) });
  page.drawText(issuer, { x: 56, y: 782, size: 14, font: bold });
  page.drawText(DOCUMENT_TITLES[kind] ?? kind, { x: 56, y: 758, size: 12, font: bold, color: rgb(0.1, 0.2, 0.5) });
  const lines: Array<[string, string]> = [
    ['Nama', applicant.fullName],
    ['NIK', applicant.nik],
    ['Tempat/Tgl. Lahir', `${applicant.birthPlace}, ${applicant.birthDate}`],
    ['Profesi', applicant.profession],
    ['Nomor STR', applicant.strNumber],
    ['Berlaku sampai', applicant.strValidUntil],
    ['Fasilitas Kesehatan', applicant.facilityName],
    ['Alamat Faskes', applicant.facilityAddress],
  ];
  let y = 700;
  for (const [label, value] of lines) {
    page.drawText(label, { x: 56, y, size: 11, font: regular });
    page.drawText(`: ${value}`, { x: 200, y, size: 11, font: regular });
    y -= 22;
  }
  page.drawText(`Diterbitkan pada ${issuedOn}`, { x: 56, y: y - 20, size: 10, font: regular, color: rgb(0.3, 0.3, 0.3) });
  return pdf.save();
}
