import { PDFContentStream, PDFDocument, PDFHexString, StandardFonts, degrees, drawText, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { calendarDateIn } from '../../working-days';
import type { Application, PermitType } from '../../domain';
import type { Office } from '../../office';
import { addDocumentSecurityStore, type ValidationData } from './document-security-store';
import { deflateContentStreamsNatively } from './native-deflate';
import { drawQr } from './permit-qr';
import { addSignaturePlaceholder } from './signature-placeholder';
import { buildSignatureAppearance, fitText } from './signature-appearance';
import { replaceEachOnce } from './replace-each-once';
import { encodable } from './standard-font-text';
import { TextRun } from './text-run';

export interface PermitSigningInput {
  /** the date printed as "pada tanggal" and in the visible signature */
  signedAt: Date;
  /**
   * Whether the signature dictionary claims signedAt as its signing time (/M). A permit
   * prepared ahead of signing does not: its /M is a slot of the same length that the signer
   * fills in place when signing (signature-placeholder.ts), as a preparation time would
   * predate the signing step. The time recorded is still the time-stamp's (or the server's
   * clock when it receives it).
   */
  claimSigningTime?: boolean;
  /** the signer as the certificate names them: its subject CN */
  signerName: string;
  /** the certificate subject's serialNumber: printed as "NIP." when it is one, else as the certificate's number */
  signerSerialNumber?: string | null;
  /** CN of the CA that issued the signer's certificate; without it the permit names no CA */
  certificateIssuerName?: string | null;
  /** PAdES B-LT: certificates, CRLs and OCSP responses (DER) stored in the signed revision's /DSS */
  validationData?: ValidationData;
}

export interface PermitPdfInput {
  office: Office;
  permitType: PermitType;
  application: Application;
  permitNumber: string | null;
  verificationUrl: string | null;
  /** drafts carry a watermark and an unsigned signature block */
  draft: boolean;
  /** for the permit to be signed: when, by whom, and the empty signature the signer fills in */
  signing?: PermitSigningInput;
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const CONTENT_WIDTH = A4[0] - MARGIN * 2;
const BLOCK_X = A4[0] / 2 + 10;
const BLOCK_WIDTH = A4[0] - MARGIN - BLOCK_X;
const SIGNATURE_BOX_HEIGHT = 52;
const QR_SIZE = 110;
const GREY = rgb(0.35, 0.35, 0.35);
const BLACK = rgb(0, 0, 0);

const ZONE_ABBREVIATION: Record<Office['timeZone'], string> = { 'Asia/Jakarta': 'WIB', 'Asia/Makassar': 'WITA', 'Asia/Jayapura': 'WIT' };
const MONTHS = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];

/** Who issues the permit: the desk office, unless the permit type's template names another issuer. */
interface Issuer {
  government: string;
  officeName: string;
  city: string;
  signerTitle: string;
}

function issuerOf(office: Office, permitType: PermitType): Issuer {
  const own = permitType.template.issuer;
  if (own) return own;
  return { government: `PEMERINTAH ${office.city.toUpperCase()}`, officeName: office.name, city: office.city, signerTitle: office.headTitle };
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const words = encodable(font, text).split(/\s+/);
  // Most values fit on one line: measured once as a whole, not word by word. Exact, as a line
  // only grows wider word by word (a space is wider than any kerning takes back).
  const whole = words.reduce((line, word) => (line ? `${line} ${word}` : word), '');
  if (font.widthOfTextAtSize(whole, size) <= width) return whole ? [whole] : [];
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
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

/**
 * The wrapped lines of the office's and permit type's own text (heading, legal basis, validity,
 * signer title, footer), measured once per text and kept: the same for every permit of an office
 * and permit type, so preparing a permit measures only the applicant's data.
 */
const fixedLines = new Map<string, string[]>();
function wrapFixed(text: string, font: PDFFont, size: number, width: number): string[] {
  const key = `${font.name}|${size}|${width}|${text}`;
  let lines = fixedLines.get(key);
  if (!lines) {
    lines = wrap(text, font, size, width);
    if (fixedLines.size >= 1024) fixedLines.delete(fixedLines.keys().next().value!);
    fixedLines.set(key, lines);
  }
  return lines;
}

function formatDateId(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

const timeFormatters = new Map<string, Intl.DateTimeFormat>();
function clockTimeIn(instant: Date, timeZone: string): string {
  let formatter = timeFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    timeFormatters.set(timeZone, formatter);
  }
  return formatter.format(instant);
}

/** An NIP (Nomor Induk Pegawai) has 18 digits, often written 8-6-1-3 with spaces. */
function signerNumberLine(serialNumber: string | null | undefined): string | null {
  const value = serialNumber?.trim();
  if (!value) return null;
  return /^\d{18}$/.test(value.replace(/\s+/g, '')) ? `NIP. ${value}` : `No. Seri Sertifikat: ${value}`;
}

const NUMBER_SIZE = 11;
const permitNumberLine = (permitNumber: string | null) => `Nomor: ${permitNumber ?? '(nomor diberikan pada tahap penomoran)'}`;
const signatureReason = (permitType: PermitType, permitNumber: string | null) => `Penerbitan ${permitType.template.title} Nomor ${permitNumber ?? ''}`;

/**
 * The number line in a content stream of its own, left uncompressed, so that a permit rendered
 * before its number was taken can have it written in place (renderPermitAwaitingNumber).
 */
function drawNumberLine(pdf: PDFDocument, page: PDFPage, line: string, font: PDFFont, y: number) {
  const fontKey = page.node.newFontDictionary(font.name, font.ref);
  const operators = drawText(font.encodeText(line), {
    color: BLACK,
    font: fontKey,
    size: NUMBER_SIZE,
    rotate: degrees(0),
    xSkew: degrees(0),
    ySkew: degrees(0),
    x: (A4[0] - font.widthOfTextAtSize(line, NUMBER_SIZE)) / 2,
    y,
  });
  page.node.addContentStream(pdf.context.register(PDFContentStream.of(pdf.context.obj({}), operators, false)));
  // what is drawn next goes into a new stream after this one, so the page reads in order (the
  // number after the title) for text extraction and screen readers
  (page as unknown as { contentStream?: unknown }).contentStream = undefined;
}

/** The SK Izin page, from the permit type's template and the applicant's data. */
export async function renderPermitPdf(input: PermitPdfInput): Promise<Uint8Array> {
  return (await renderPermit(input)).bytes;
}

/** A final permit rendered with a placeholder number, and how to write the real one in. */
export interface PermitAwaitingNumber {
  pdf: Uint8Array;
  /**
   * The same permit with `permitNumber` in place of the placeholder, byte for byte what
   * renderPermitPdf gives for it; null when it cannot be written in place (another length or
   * width than the placeholder's): render it then.
   */
  withNumber(permitNumber: string): Uint8Array | null;
}

/**
 * Renders a permit before its number exists, so the number can be taken and written in a moment
 * later: the numbering step holds the office's counter from taking the number until its commit,
 * and the render is the longest part of the step. The number appears in two places, both
 * written in plain bytes: the number line (its own uncompressed content stream, centred, so the
 * number must have the placeholder's width: the font's digits share one) and the signature's
 * /Reason. Lengths stay, so no offset in the file moves.
 */
export async function renderPermitAwaitingNumber(input: PermitPdfInput & { permitNumber: string }): Promise<PermitAwaitingNumber> {
  const { bytes, numberFont } = await renderPermit(input);
  const placeholder = input.permitNumber;
  const placeholderLine = permitNumberLine(placeholder);
  const encoded = (permitNumber: string) => [
    Buffer.from(numberFont.encodeText(permitNumberLine(permitNumber)).toString(), 'latin1'),
    Buffer.from(PDFHexString.fromText(signatureReason(input.permitType, permitNumber)).toString(), 'latin1'),
  ];
  return {
    pdf: bytes,
    withNumber(permitNumber) {
      const line = permitNumberLine(permitNumber);
      if (permitNumber.length !== placeholder.length || encodable(numberFont, line) !== line) return null;
      if (numberFont.widthOfTextAtSize(line, NUMBER_SIZE) !== numberFont.widthOfTextAtSize(placeholderLine, NUMBER_SIZE)) return null;
      const from = encoded(placeholder);
      const to = encoded(permitNumber);
      // a draft has no signature, so no /Reason
      const pairs = input.signing && !input.draft ? [0, 1] : [0];
      return replaceEachOnce(bytes, pairs.map((i) => ({ from: from[i]!, to: to[i]! })));
    },
  };
}

async function renderPermit(input: PermitPdfInput): Promise<{ bytes: Uint8Array; numberFont: PDFFont }> {
  const { office, permitType, application, permitNumber, verificationUrl, draft, signing } = input;
  const issuer = issuerOf(office, permitType);
  const a = application.applicant;
  // dated when it is signed (or prepared), not when rendered: the same input gives the same bytes
  const pdf = await PDFDocument.create();
  if (signing) {
    pdf.setCreationDate(signing.signedAt);
    pdf.setModificationDate(signing.signedAt);
  }
  pdf.setTitle(`${permitType.template.title} - ${a.fullName}`);
  pdf.setAuthor(issuer.officeName);
  pdf.setLanguage('id-ID');
  const page = pdf.addPage(A4);
  const regular = await pdf.embedFont(StandardFonts.TimesRoman);
  const bold = await pdf.embedFont(StandardFonts.TimesRomanBold);
  if (draft) {
    // drawn first, so the text lies over it
    page.drawText('DRAF', { x: 150, y: 380, size: 120, font: bold, rotate: degrees(35), color: rgb(0.9, 0.9, 0.9) });
  }
  const run = new TextRun(page);
  const text = (value: string, x: number, y: number, size: number, font: PDFFont, color = BLACK) => run.line(encodable(font, value), { x, y, size, font, color });
  let y = A4[1] - 60;

  const center = (value: string, font: PDFFont, size: number) => {
    const line = encodable(font, value);
    run.line(line, { x: (A4[0] - font.widthOfTextAtSize(line, size)) / 2, y, size, font, color: BLACK });
    y -= size + 5;
  };
  center(issuer.government.toUpperCase(), bold, 14);
  for (const line of wrapFixed(issuer.officeName.toUpperCase(), bold, 13, CONTENT_WIDTH)) center(line, bold, 13);
  y -= 2;
  page.drawLine({ start: { x: MARGIN, y }, end: { x: A4[0] - MARGIN, y }, thickness: 2 });
  y -= 28;
  center(permitType.template.title, bold, 13);
  // the heading first, then the number line's own stream, so the page reads in order
  run.flush();
  drawNumberLine(pdf, page, encodable(regular, permitNumberLine(permitNumber)), regular, y);
  y -= NUMBER_SIZE + 5;
  y -= 10;

  text('Dasar Hukum:', MARGIN, y, 10.5, bold);
  y -= 15;
  permitType.legalBasis.forEach((basis, i) => {
    text(`${i + 1}.`, MARGIN, y, 9.5, regular);
    for (const line of wrapFixed(basis, regular, 9.5, CONTENT_WIDTH - 18)) {
      text(line, MARGIN + 18, y, 9.5, regular);
      y -= 12;
    }
  });
  y -= 8;
  text(permitType.template.decisionText, MARGIN, y, 11, regular);
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
    text(label, MARGIN + 10, y, 10.5, regular);
    for (const line of wrap(`: ${value}`, regular, 10.5, CONTENT_WIDTH - 160)) {
      text(line, MARGIN + 160, y, 10.5, regular);
      y -= 15;
    }
  }
  y -= 6;
  const validity = `Izin ini berlaku selama ${permitType.template.validityYears} tahun sejak tanggal ditetapkan, sepanjang STR masih berlaku dan tempat praktik sesuai dengan yang tercantum di atas.`;
  for (const line of wrapFixed(validity, regular, 10.5, CONTENT_WIDTH)) {
    text(line, MARGIN, y, 10.5, regular);
    y -= 14;
  }

  // The signature block (right) and the QR code (left) start together below the text.
  const blockTop = Math.min(262, y - 12);
  let by = blockTop;
  text(`Ditetapkan di ${issuer.city}`, BLOCK_X, by, 10.5, regular);
  by -= 14;
  const signedOn = signing ? formatDateId(calendarDateIn(signing.signedAt, office.timeZone)) : '..............................';
  text(`pada tanggal ${signedOn}`, BLOCK_X, by, 10.5, regular);
  by -= 18;
  for (const line of wrapFixed(issuer.signerTitle, bold, 10, BLOCK_WIDTH)) {
    text(line, BLOCK_X, by, 10, bold);
    by -= 13;
  }
  const boxTop = by + 4;
  const boxY = boxTop - SIGNATURE_BOX_HEIGHT;
  if (signing && !draft) {
    // The visible signature is the widget's own appearance, drawn over this empty area.
    const zone = ZONE_ABBREVIATION[office.timeZone];
    const issuerName = signing.certificateIssuerName?.trim();
    const appearance = buildSignatureAppearance(pdf, {
      width: BLOCK_WIDTH,
      height: SIGNATURE_BOX_HEIGHT,
      regular,
      bold,
      lines: [
        { text: 'Ditandatangani secara elektronik oleh:', size: 7.5 },
        { text: encodable(bold, signing.signerName), size: 8.5, bold: true },
        // prepared ahead of signing, the clock time would not be the signing time: the date alone
        { text: signing.claimSigningTime === false ? `pada ${signedOn}` : `pada ${signedOn} pukul ${clockTimeIn(signing.signedAt, office.timeZone)} ${zone}`, size: 7.5 },
        { text: encodable(regular, issuerName ? `Sertifikat: ${issuerName}` : 'Sertifikat: sertifikat elektronik'), size: 7.5 },
      ],
    });
    if (signing.validationData) addDocumentSecurityStore(pdf, signing.validationData);
    addSignaturePlaceholder(pdf, page, {
      signerName: signing.signerName,
      signedAt: signing.claimSigningTime === false ? null : signing.signedAt,
      reason: signatureReason(permitType, permitNumber),
      location: `${issuer.officeName} ${issuer.city}`,
      rect: [BLOCK_X, boxY, BLOCK_WIDTH, SIGNATURE_BOX_HEIGHT],
      appearance,
    });
  } else {
    page.drawRectangle({ x: BLOCK_X, y: boxY, width: BLOCK_WIDTH, height: SIGNATURE_BOX_HEIGHT, borderColor: rgb(0.7, 0.7, 0.7), borderWidth: 0.75, borderDashArray: [3, 2] });
    const label = draft ? 'DRAF - BELUM DITANDATANGANI' : 'Ditandatangani secara elektronik';
    const width = bold.widthOfTextAtSize(label, 9.5);
    text(label, BLOCK_X + (BLOCK_WIDTH - width) / 2, boxY + SIGNATURE_BOX_HEIGHT / 2 - 3, 9.5, bold, draft ? rgb(0.7, 0.1, 0.1) : BLACK);
  }
  by = boxY - 16;
  // The name is the certificate's; a draft of the office's own permit shows its configured head,
  // and a draft issued in another office's name leaves the name to the certificate.
  const name = signing && !draft ? signing.signerName : permitType.template.issuer ? null : office.headName;
  const numberLine = signing && !draft ? signerNumberLine(signing.signerSerialNumber) : name ? `NIP. ${office.headNip}` : null;
  for (const line of wrap(encodable(bold, name ?? '..............................................'), bold, 10.5, BLOCK_WIDTH)) {
    text(line, BLOCK_X, by, 10.5, bold);
    by -= 14;
  }
  if (numberLine) text(fitText(encodable(regular, numberLine), regular, 10.5, BLOCK_WIDTH), BLOCK_X, by, 10.5, regular);

  if (verificationUrl) {
    const qrY = blockTop + 10 - QR_SIZE;
    drawQr(pdf, page, verificationUrl, MARGIN, qrY, QR_SIZE);
    text('Pindai untuk verifikasi dokumen:', MARGIN, qrY - 10, 8, regular);
    text(fitText(verificationUrl, regular, 7, BLOCK_X - MARGIN - 10), MARGIN, qrY - 20, 7, regular);
  }
  const issuerName = signing?.certificateIssuerName?.trim();
  const footer = draft
    ? 'Draf ini belum ditandatangani dan belum berlaku sebagai izin.'
    : issuerName
      ? `Dokumen ini ditandatangani secara elektronik menggunakan sertifikat elektronik yang diterbitkan oleh ${issuerName}.`
      : 'Dokumen ini ditandatangani secara elektronik menggunakan sertifikat elektronik.';
  let fy = 60;
  for (const line of wrapFixed(encodable(regular, footer), regular, 8, CONTENT_WIDTH)) {
    text(line, MARGIN, fy, 8, regular, GREY);
    fy -= 10;
  }
  run.flush();
  deflateContentStreamsNatively(pdf);
  // No object streams: the signature dictionary must stay a plain object whose bytes can be patched in place.
  // Written in one go (a permit has a few dozen objects): pdf-lib otherwise pauses every 50 objects
  // for a timer, and the server renders inside the transaction of the numbering step.
  return { bytes: await pdf.save({ useObjectStreams: false, objectsPerTick: Number.POSITIVE_INFINITY }), numberFont: regular };
}
