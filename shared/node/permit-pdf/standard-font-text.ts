import type { PDFFont } from 'pdf-lib';

/**
 * What each standard font can write: its characters that it both has a glyph for and can encode,
 * each with its WinAnsi code as two hex digits, found once per font. pdf-lib's standard fonts
 * encode WinAnsi only and throw on anything else, so a name from a certificate or an applicant
 * with a character outside it must be mapped first (encodable); and since a standard font's text
 * is one code per character, a line's hex string can be read from this table instead of going
 * through pdf-lib's glyph encoding for every line of every permit the server prepares.
 */
const fontCodes = new Map<string, Map<number, string>>();
function codesOf(font: PDFFont): Map<number, string> {
  let codes = fontCodes.get(font.name);
  if (!codes) {
    codes = new Map();
    for (const codePoint of font.getCharacterSet()) {
      try {
        codes.set(codePoint, font.encodeText(String.fromCodePoint(codePoint)).asString());
      } catch {
        // a glyph WinAnsi has no code for
      }
    }
    fontCodes.set(font.name, codes);
  }
  return codes;
}

/** `text` with each character the font cannot write replaced: accents dropped where that makes one it can, else "?". */
export function encodable(font: PDFFont, text: string): string {
  const codes = codesOf(font);
  let plain = true;
  for (const ch of text) {
    if (!codes.has(ch.codePointAt(0)!)) {
      plain = false;
      break;
    }
  }
  if (plain) return text;
  return [...text.normalize('NFKD').replace(/\p{M}/gu, '')].map((ch) => (codes.has(ch.codePointAt(0)!) ? ch : '?')).join('');
}

/** The text as a content stream's hex string operand (`<…>`), the bytes pdf-lib's `font.encodeText` gives; `text` must be encodable. */
export function hexOperand(font: PDFFont, text: string): string {
  const codes = codesOf(font);
  let hex = '<';
  for (const ch of text) {
    const code = codes.get(ch.codePointAt(0)!);
    if (code === undefined) return font.encodeText(text).toString();
    hex += code;
  }
  return `${hex}>`;
}
