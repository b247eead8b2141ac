import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';

/**
 * A small flowing A4 writer for the office's tabular documents (the kartu kendali card, the
 * monthly performance report): headings, paragraphs and tables that break onto new pages.
 * pdf-lib with the standard Helvetica, as shared/node/permit-pdf/permit-layout.ts does, saved
 * without object streams so qpdf and pdftotext read it plainly.
 */
const A4: [number, number] = [595.28, 841.89];
const GREY = rgb(0.35, 0.35, 0.35);
const BLACK = rgb(0, 0, 0);
const RED = rgb(0.7, 0.05, 0.05);
const RULE = rgb(0.75, 0.75, 0.75);

export interface TableColumn {
  header: string;
  /** share of the width, relative to the other columns */
  weight: number;
  align?: 'left' | 'right';
}

export interface TableRow {
  cells: string[];
  /** drawn in red: a step over its mutu baku, a late file */
  alert?: boolean;
}

/** Standard fonts speak WinAnsi only: arrows and the like become ASCII. */
export function winAnsi(text: string): string {
  return text
    .replace(/→/g, '->')
    .replace(/[≤]/g, '<=')
    .replace(/[≥]/g, '>=')
    .replace(/[^\x20-\x7e\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026]/g, '?');
}

export class PdfTableWriter {
  private page!: PDFPage;
  private y = 0;

  private constructor(
    private readonly pdf: PDFDocument,
    private readonly regular: PDFFont,
    private readonly bold: PDFFont,
    private readonly margin: number,
    private readonly footer: string,
  ) {
    this.newPage();
  }

  static async create(options: { title: string; footer: string; margin?: number }): Promise<PdfTableWriter> {
    const pdf = await PDFDocument.create();
    pdf.setTitle(winAnsi(options.title));
    pdf.setCreator('Meja Izin');
    pdf.setProducer('Meja Izin (pdf-lib)');
    const regular = await pdf.embedFont(StandardFonts.Helvetica);
    const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
    return new PdfTableWriter(pdf, regular, bold, options.margin ?? 40, options.footer);
  }

  get width(): number {
    return A4[0] - this.margin * 2;
  }

  get pageCount(): number {
    return this.pdf.getPageCount();
  }

  private newPage() {
    this.page = this.pdf.addPage(A4);
    this.y = A4[1] - this.margin;
    this.page.drawText(winAnsi(this.footer), { x: this.margin, y: this.margin / 2, size: 7, font: this.regular, color: GREY });
  }

  private ensure(height: number) {
    if (this.y - height < this.margin) this.newPage();
  }

  heading(text: string, size = 13) {
    this.ensure(size + 10);
    this.y -= size;
    this.page.drawText(winAnsi(text), { x: this.margin, y: this.y, size, font: this.bold, color: BLACK });
    this.y -= 8;
  }

  paragraph(text: string, options: { size?: number; bold?: boolean; color?: 'grey' | 'red' } = {}) {
    const size = options.size ?? 9;
    const font = options.bold ? this.bold : this.regular;
    for (const line of wrap(winAnsi(text), font, size, this.width)) {
      this.ensure(size + 3);
      this.y -= size + 2;
      this.page.drawText(line, { x: this.margin, y: this.y, size, font, color: options.color === 'red' ? RED : options.color === 'grey' ? GREY : BLACK });
    }
    this.y -= 3;
  }

  space(points: number) {
    this.y -= points;
  }

  table(columns: TableColumn[], rows: TableRow[], size = 8) {
    const total = columns.reduce((s, c) => s + c.weight, 0);
    const widths = columns.map((c) => (c.weight / total) * this.width);
    const drawRow = (cells: string[], font: PDFFont, color: typeof BLACK) => {
      const wrapped = cells.map((cell, i) => wrap(winAnsi(cell), font, size, widths[i]! - 4));
      const height = Math.max(1, ...wrapped.map((w) => w.length)) * (size + 2) + 4;
      this.ensure(height);
      let x = this.margin;
      for (const [i, lines] of wrapped.entries()) {
        for (const [k, line] of lines.entries()) {
          const textWidth = font.widthOfTextAtSize(line, size);
          const tx = columns[i]!.align === 'right' ? x + widths[i]! - 2 - textWidth : x + 2;
          this.page.drawText(line, { x: tx, y: this.y - (k + 1) * (size + 2), size, font, color });
        }
        x += widths[i]!;
      }
      this.y -= height;
      this.page.drawLine({ start: { x: this.margin, y: this.y + 1 }, end: { x: this.margin + this.width, y: this.y + 1 }, thickness: 0.4, color: RULE });
    };
    drawRow(
      columns.map((c) => c.header),
      this.bold,
      BLACK,
    );
    for (const row of rows) drawRow(row.cells, this.regular, row.alert ? RED : BLACK);
    this.y -= 8;
  }

  async save(): Promise<Uint8Array> {
    return this.pdf.save({ useObjectStreams: false });
  }
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/)) {
      const candidate = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(candidate, size) <= width || !line) line = candidate;
      else {
        lines.push(line);
        line = word;
      }
    }
    lines.push(line);
  }
  return lines;
}
