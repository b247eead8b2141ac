import { concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState, type PDFDocument, type PDFPage } from 'pdf-lib';
import encodeQR from 'qr';

const QUIET_MODULES = 4;

/**
 * The QR code's modules as a 1-bit DeviceGray image, one pixel per module with the quiet zone
 * (0 black, 1 white; rows padded to a byte). Cached by text: the draft and the final permit of
 * one file share their URL.
 */
const qrImages = new Map<string, { bits: Uint8Array; side: number }>();
function qrImage(text: string): { bits: Uint8Array; side: number } {
  const cached = qrImages.get(text);
  if (cached) return cached;
  // one byte-mode segment (a URL is bytes), level M, the mask of lowest penalty (ISO/IEC 18004), with the quiet zone
  const modules = encodeQR(text, 'raw', { ecc: 'medium', encoding: 'byte', border: QUIET_MODULES });
  const side = modules.length;
  const rowBytes = Math.ceil(side / 8);
  const bits = new Uint8Array(rowBytes * side).fill(0xff);
  modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) bits[y * rowBytes + (x >> 3)]! &= ~(0x80 >> (x & 7));
    }),
  );
  const result = { bits, side };
  if (qrImages.size >= 256) qrImages.delete(qrImages.keys().next().value!);
  qrImages.set(text, result);
  return result;
}

/**
 * Draws `text` as a QR code in a `size` square at (x, y): one small image, scaled without
 * interpolation so every module stays a sharp square. Far cheaper to write than a path of
 * hundreds of runs, and as readable by a scanner.
 */
export function drawQr(pdf: PDFDocument, page: PDFPage, text: string, x: number, y: number, size: number): void {
  const { bits, side } = qrImage(text);
  const image = pdf.context.register(
    pdf.context.stream(bits, { Type: 'XObject', Subtype: 'Image', Width: side, Height: side, ColorSpace: 'DeviceGray', BitsPerComponent: 1, Interpolate: false }),
  );
  const name = page.node.newXObject('QrCode', image);
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(size, 0, 0, size, x, y), drawObject(name), popGraphicsState());
}
