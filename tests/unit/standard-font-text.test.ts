import { PDFDocument, StandardFonts, type PDFFont } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodable, hexOperand } from '../../shared/node/permit-pdf/standard-font-text';

let regular: PDFFont;
let bold: PDFFont;

beforeAll(async () => {
  const pdf = await PDFDocument.create();
  regular = await pdf.embedFont(StandardFonts.TimesRoman);
  bold = await pdf.embedFont(StandardFonts.TimesRomanBold);
});

describe('text in the standard fonts', () => {
  it('writes every character the font can encode exactly as pdf-lib does', () => {
    for (const font of [regular, bold]) {
      let every = '';
      for (const codePoint of font.getCharacterSet()) {
        const ch = String.fromCodePoint(codePoint);
        if (encodable(font, ch) !== ch) continue;
        every += ch;
        expect(hexOperand(font, ch)).toBe(font.encodeText(ch).toString());
      }
      // WinAnsi has 200-odd characters; the table must not have shrunk to ASCII
      expect(every.length).toBeGreaterThan(200);
      expect(hexOperand(font, every)).toBe(font.encodeText(every).toString());
    }
  });

  it('writes Indonesian text with WinAnsi punctuation as pdf-lib does', () => {
    for (const text of ['Izin Praktik Optisien (SIPO) Nomor 503/SIPO/0042/DPMPTSP/2026', 'Jl. Jend. Sudirman No. 12, RT 003/RW 004 – “Kel. Imopuro”', 'Café Ébène € 1.000,00 … ½', '']) {
      expect(hexOperand(regular, text)).toBe(regular.encodeText(text).toString());
    }
  });

  it('maps what WinAnsi lacks: accents dropped where that leaves a character it has, else "?"', () => {
    // once a character needs it, the whole text is decomposed: Á loses its accent too
    expect(encodable(regular, 'Nguyễn Văn Ánh')).toBe('Nguyen Van Anh');
    expect(encodable(regular, 'Łukasz 李')).toBe('?ukasz ?');
    expect(encodable(regular, 'Plain ASCII, kept as it is')).toBe('Plain ASCII, kept as it is');
    // what encodable gives is always writable
    const mapped = encodable(bold, 'Dr. Ñandú Ärzt 🙂 Ștefan');
    expect(hexOperand(bold, mapped)).toBe(bold.encodeText(mapped).toString());
  });

  it('falls back to pdf-lib for text that was not made encodable, which throws as before', () => {
    expect(() => hexOperand(regular, 'Łukasz')).toThrow();
  });
});
