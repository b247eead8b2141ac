import { PDFOperator, PDFOperatorNames, beginText, endText, numberToString, popGraphicsState, pushGraphicsState, setFillingColor, setFontAndSize, type Color, type PDFFont, type PDFName, type PDFPage } from 'pdf-lib';
import { hexOperand } from './standard-font-text';

/** A number as pdf-lib writes it (never in exponent form), without its detour for every number. */
const numberText = (value: number) => {
  const text = String(value);
  return text.includes('e') ? numberToString(value) : text;
};

/**
 * Lines of text written as one text object. pdf-lib's drawText makes each line a text object of
 * its own, wrapped in a saved graphics state (nine operators a line), and names the font in the
 * page's resources anew each time; a permit has some forty lines, and the central server renders
 * one inside every numbering step. Here each font gets one name on the page, and a line costs
 * its position and its glyphs, with font, size and colour set only where they change. The two
 * operators of a line are written from ready text (the same bytes pdf-lib's setTextMatrix and
 * showText give): building them from pdf-lib's number and string objects was a tenth of a render.
 * `flush` writes the lines so far into the page's current content stream.
 */
export class TextRun {
  private operators: PDFOperator[] = [];
  private readonly fontNames = new Map<PDFFont, PDFName>();
  private font: PDFFont | undefined;
  private size: number | undefined;
  private color: Color | undefined;

  constructor(private readonly page: PDFPage) {}

  /** `text` must be encodable in `font` (the standard fonts encode WinAnsi only). */
  line(text: string, { x, y, size, font, color }: { x: number; y: number; size: number; font: PDFFont; color: Color }): void {
    if (font !== this.font || size !== this.size) {
      this.operators.push(setFontAndSize(this.fontName(font), size));
      this.font = font;
      this.size = size;
    }
    if (color !== this.color) {
      this.operators.push(setFillingColor(color));
      this.color = color;
    }
    this.operators.push(
      PDFOperator.of(PDFOperatorNames.SetTextMatrix, [`1 0 0 1 ${numberText(x)} ${numberText(y)}`]),
      PDFOperator.of(PDFOperatorNames.ShowText, [hexOperand(font, text)]),
    );
  }

  flush(): void {
    if (this.operators.length === 0) return;
    this.page.pushOperators(pushGraphicsState(), beginText(), ...this.operators, endText(), popGraphicsState());
    this.operators = [];
    // a new text object starts with no font and black: set them again in the next
    this.font = undefined;
    this.size = undefined;
    this.color = undefined;
  }

  private fontName(font: PDFFont): PDFName {
    let name = this.fontNames.get(font);
    if (!name) {
      name = this.page.node.newFontDictionary(font.name, font.ref);
      this.fontNames.set(font, name);
    }
    return name;
  }
}
