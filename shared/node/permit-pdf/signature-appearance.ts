import {
  beginText,
  endText,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  setFillingRgbColor,
  setFontAndSize,
  setLineWidth,
  setStrokingRgbColor,
  setTextMatrix,
  showText,
  stroke,
  type PDFDocument,
  type PDFFont,
  type PDFOperator,
  type PDFRef,
} from 'pdf-lib';

export interface AppearanceLine {
  text: string;
  bold?: boolean;
  size: number;
}

export interface SignatureAppearanceInput {
  width: number;
  height: number;
  lines: AppearanceLine[];
  regular: PDFFont;
  bold: PDFFont;
}

const PADDING = 6;

/** Shortens a line that is wider than the box, with an ellipsis, so nothing spills out of the widget. */
export function fitText(text: string, font: PDFFont, size: number, width: number): string {
  if (font.widthOfTextAtSize(text, size) <= width) return text;
  let cut = text.length;
  while (cut > 1 && font.widthOfTextAtSize(`${text.slice(0, cut)}...`, size) > width) cut -= 1;
  return `${text.slice(0, cut).trimEnd()}...`;
}

/**
 * The normal appearance (/AP /N) of the signature widget: a form XObject the size of the widget's
 * /Rect, with a thin frame and the lines the reader sees where the signature is (who signed, when,
 * with which certificate). Clicking the widget opens the reader's signature panel.
 */
export function buildSignatureAppearance(pdf: PDFDocument, input: SignatureAppearanceInput): PDFRef {
  const { width, height, lines, regular, bold } = input;
  const ops: PDFOperator[] = [
    pushGraphicsState(),
    setStrokingRgbColor(0.25, 0.35, 0.6),
    setLineWidth(0.75),
    rectangle(0.5, 0.5, width - 1, height - 1),
    stroke(),
    beginText(),
    setFillingRgbColor(0, 0, 0),
  ];
  let y = height - PADDING;
  for (const line of lines) {
    const font = line.bold ? bold : regular;
    const room = width - PADDING * 2;
    // A long name or CA is set smaller first (down to 3/4), and only then shortened.
    const size = Math.max(line.size * 0.75, Math.min(line.size, (line.size * room) / font.widthOfTextAtSize(line.text, line.size)));
    y -= line.size;
    const text = fitText(line.text, font, size, room);
    ops.push(setFontAndSize(line.bold ? 'FB' : 'FR', size), setTextMatrix(1, 0, 0, 1, PADDING, y), showText(font.encodeText(text)));
    y -= line.size * 0.35;
  }
  ops.push(endText(), popGraphicsState());
  const stream = pdf.context.formXObject(ops, { BBox: [0, 0, width, height], Resources: { Font: { FR: regular.ref, FB: bold.ref } } });
  return pdf.context.register(stream);
}
