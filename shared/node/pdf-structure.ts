import { inflateSync } from 'node:zlib';

/**
 * A small, strict reader of the PDF file structure (ISO 32000-1 §7.5), just enough to find
 * signatures the way a PDF reader does: through startxref, the cross-reference sections (classic
 * tables and xref streams, with /Prev and /XRefStm), the trailer's /Root and the AcroForm's
 * signature fields, never by searching the file's text. Everything is bounded (nesting, sizes,
 * the number of sections, objects and fields visited) and any malformed input becomes a
 * PdfStructureError, never a crash or a hang.
 */

export type PdfValue = null | boolean | number | PdfName | PdfString | PdfRef | PdfArray | PdfDict | PdfStream;
export interface PdfName {
  kind: 'name';
  name: string;
}
export interface PdfString {
  kind: 'string';
  bytes: Buffer;
  hex: boolean;
  /** a hex string with nothing but hex digits between its brackets (no spaces, no odd digit) */
  strictHex: boolean;
  /** where it stands in the file, brackets included ([start, end)); null inside an object stream */
  span: { start: number; end: number } | null;
}
export interface PdfRef {
  kind: 'ref';
  num: number;
  gen: number;
}
export interface PdfArray {
  kind: 'array';
  items: PdfValue[];
}
export interface PdfDict {
  kind: 'dict';
  entries: Map<string, PdfValue>;
  /** keys written more than once (the last one is kept): a well-formed dictionary has none */
  duplicateKeys: string[];
}
export interface PdfStream {
  kind: 'stream';
  dict: PdfDict;
  dataStart: number;
  dataEnd: number;
}

export type PdfStructureProblem = 'NOT_A_PDF' | 'TRUNCATED' | 'MALFORMED';

export class PdfStructureError extends Error {
  constructor(
    readonly problem: PdfStructureProblem,
    message: string,
  ) {
    super(message);
    this.name = 'PdfStructureError';
  }
}

const HEX_DIGITS_ONLY = /^[0-9A-Fa-f]*$/;
const malformed = (message: string): PdfStructureError => new PdfStructureError('MALFORMED', message);

// Bounds: generous for any real permit, small enough that hostile input cannot hang us.
const MAX_DEPTH = 48;
const MAX_STRING_BYTES = 16 * 1024 * 1024;
const MAX_COLLECTION_ITEMS = 200_000;
const MAX_SECTIONS = 512;
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;
/** all streams of one file together: a file of many small "zip bombs" must not take minutes */
const MAX_INFLATED_BYTES_PER_FILE = 256 * 1024 * 1024;
const MAX_FIELDS = 10_000;
const MAX_RESOLVE_CHAIN = 32;
const MAX_OBJECT_NUMBER = 10_000_000;
/**
 * cross-reference entries of all sections of one file together: each is held in memory, and a
 * few kilobytes of compressed stream can declare millions of them per section
 */
const MAX_XREF_ENTRIES_PER_FILE = 500_000;
const MAX_DSS_ITEMS = 256;

const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIMITERS = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);
const isRegular = (c: number | undefined): boolean => c !== undefined && !WHITESPACE.has(c) && !DELIMITERS.has(c);
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const hexValue = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);

export const isName = (v: PdfValue | undefined, name?: string): v is PdfName => typeof v === 'object' && v !== null && v.kind === 'name' && (name === undefined || v.name === name);
export const isDict = (v: PdfValue | undefined): v is PdfDict => typeof v === 'object' && v !== null && v.kind === 'dict';
export const isArray = (v: PdfValue | undefined): v is PdfArray => typeof v === 'object' && v !== null && v.kind === 'array';
export const isRef = (v: PdfValue | undefined): v is PdfRef => typeof v === 'object' && v !== null && v.kind === 'ref';
export const isString = (v: PdfValue | undefined): v is PdfString => typeof v === 'object' && v !== null && v.kind === 'string';
export const isStream = (v: PdfValue | undefined): v is PdfStream => typeof v === 'object' && v !== null && v.kind === 'stream';
export const isInteger = (v: PdfValue | undefined): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** Tokens and objects from `buf`, whose byte 0 is at file offset `base` (null: not from the file). */
class Parser {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start: number,
    private readonly base: number | null,
  ) {
    this.pos = start;
  }

  skipSpace(): void {
    const { buf } = this;
    while (this.pos < buf.length) {
      const c = buf[this.pos]!;
      if (WHITESPACE.has(c)) this.pos += 1;
      else if (c === 0x25) {
        while (this.pos < buf.length && buf[this.pos] !== 0x0a && buf[this.pos] !== 0x0d) this.pos += 1;
      } else break;
    }
  }

  /** a keyword or other regular-character token, without consuming it */
  peekWord(): string {
    this.skipSpace();
    let end = this.pos;
    while (end < this.buf.length && isRegular(this.buf[end]) && end - this.pos < 64) end += 1;
    return this.buf.toString('latin1', this.pos, end);
  }

  expectWord(word: string): void {
    if (this.peekWord() !== word) throw malformed(`expected "${word}" at ${this.at()}`);
    this.pos += word.length;
  }

  at(): string {
    return this.base === null ? `object-stream byte ${this.pos}` : `byte ${this.base + this.pos}`;
  }

  readUnsignedInteger(): number {
    this.skipSpace();
    const start = this.pos;
    while (isDigit(this.buf[this.pos]) && this.pos - start < 16) this.pos += 1;
    if (this.pos === start || isRegular(this.buf[this.pos])) throw malformed(`expected an integer at ${this.at()}`);
    return Number(this.buf.toString('latin1', start, this.pos));
  }

  parseValue(depth = 0): PdfValue {
    if (depth > MAX_DEPTH) throw malformed('objects nested too deeply');
    this.skipSpace();
    const { buf } = this;
    if (this.pos >= buf.length) throw new PdfStructureError('TRUNCATED', 'the file ends inside an object');
    const c = buf[this.pos]!;
    if (c === 0x2f) return this.parseName();
    if (c === 0x28) return this.parseLiteralString();
    if (c === 0x3c && buf[this.pos + 1] === 0x3c) return this.parseDict(depth);
    if (c === 0x3c) return this.parseHexString();
    if (c === 0x5b) return this.parseArray(depth);
    if (isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e) return this.parseNumberOrRef();
    const word = this.peekWord();
    if (word === 'true' || word === 'false' || word === 'null') {
      this.pos += word.length;
      return word === 'null' ? null : word === 'true';
    }
    throw malformed(`unexpected ${word ? `"${word.slice(0, 20)}"` : `byte 0x${c.toString(16)}`} at ${this.at()}`);
  }

  private parseName(): PdfName {
    const { buf } = this;
    this.pos += 1;
    const bytes: number[] = [];
    while (this.pos < buf.length && isRegular(buf[this.pos])) {
      const c = buf[this.pos]!;
      if (c === 0x23 && hexValue(buf[this.pos + 1] ?? 0) >= 0 && hexValue(buf[this.pos + 2] ?? 0) >= 0) {
        bytes.push(hexValue(buf[this.pos + 1]!) * 16 + hexValue(buf[this.pos + 2]!));
        this.pos += 3;
      } else {
        bytes.push(c);
        this.pos += 1;
      }
      if (bytes.length > 1024) throw malformed(`name too long at ${this.at()}`);
    }
    return { kind: 'name', name: Buffer.from(bytes).toString('latin1') };
  }

  private span(start: number): PdfString['span'] {
    return this.base === null ? null : { start: this.base + start, end: this.base + this.pos };
  }

  private parseLiteralString(): PdfString {
    const { buf } = this;
    const start = this.pos;
    this.pos += 1;
    const out: number[] = [];
    let nesting = 1;
    while (true) {
      if (this.pos >= buf.length) throw new PdfStructureError('TRUNCATED', 'the file ends inside a string');
      if (out.length > MAX_STRING_BYTES) throw malformed('string too long');
      const c = buf[this.pos]!;
      this.pos += 1;
      if (c === 0x5c) {
        const e = buf[this.pos];
        this.pos += 1;
        if (e === undefined) throw new PdfStructureError('TRUNCATED', 'the file ends inside a string');
        const simple: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c, 0x28: 0x28, 0x29: 0x29, 0x5c: 0x5c };
        if (simple[e] !== undefined) out.push(simple[e]);
        else if (e >= 0x30 && e <= 0x37) {
          let value = e - 0x30;
          for (let i = 0; i < 2 && buf[this.pos] !== undefined && buf[this.pos]! >= 0x30 && buf[this.pos]! <= 0x37; i += 1) {
            value = value * 8 + (buf[this.pos]! - 0x30);
            this.pos += 1;
          }
          out.push(value & 0xff);
        } else if (e === 0x0d) {
          if (buf[this.pos] === 0x0a) this.pos += 1;
        } else if (e !== 0x0a) out.push(e);
      } else if (c === 0x28) {
        nesting += 1;
        out.push(c);
      } else if (c === 0x29) {
        nesting -= 1;
        if (nesting === 0) break;
        out.push(c);
      } else out.push(c);
    }
    return { kind: 'string', bytes: Buffer.from(out), hex: false, strictHex: false, span: this.span(start) };
  }

  private parseHexString(): PdfString {
    const { buf } = this;
    const start = this.pos;
    const close = buf.indexOf(0x3e, start + 1);
    if (close < 0) throw new PdfStructureError('TRUNCATED', 'the file ends inside a hex string');
    if (close - start > MAX_STRING_BYTES * 2) throw malformed('hex string too long');
    // the common case, a signature's /Contents among them (48 KB of digits): decoded natively
    const text = buf.toString('latin1', start + 1, close);
    if (text.length % 2 === 0 && HEX_DIGITS_ONLY.test(text)) {
      this.pos = close + 1;
      return { kind: 'string', bytes: Buffer.from(text, 'hex'), hex: true, strictHex: true, span: this.span(start) };
    }
    const digits: number[] = [];
    let strictHex = true;
    for (let i = start + 1; i < close; i += 1) {
      const c = buf[i]!;
      const v = hexValue(c);
      if (v >= 0) digits.push(v);
      else if (WHITESPACE.has(c)) strictHex = false;
      else throw malformed(`bad character in a hex string at ${this.at()}`);
    }
    if (digits.length % 2 === 1) {
      strictHex = false;
      digits.push(0);
    }
    const bytes = Buffer.alloc(digits.length / 2);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = digits[2 * i]! * 16 + digits[2 * i + 1]!;
    this.pos = close + 1;
    return { kind: 'string', bytes, hex: true, strictHex, span: this.span(start) };
  }

  private parseArray(depth: number): PdfArray {
    this.pos += 1;
    const items: PdfValue[] = [];
    while (true) {
      this.skipSpace();
      if (this.pos >= this.buf.length) throw new PdfStructureError('TRUNCATED', 'the file ends inside an array');
      if (this.buf[this.pos] === 0x5d) {
        this.pos += 1;
        return { kind: 'array', items };
      }
      if (items.length >= MAX_COLLECTION_ITEMS) throw malformed('array too long');
      items.push(this.parseValue(depth + 1));
    }
  }

  private parseDict(depth: number): PdfDict {
    this.pos += 2;
    const entries = new Map<string, PdfValue>();
    const duplicateKeys: string[] = [];
    while (true) {
      this.skipSpace();
      if (this.pos >= this.buf.length) throw new PdfStructureError('TRUNCATED', 'the file ends inside a dictionary');
      if (this.buf[this.pos] === 0x3e && this.buf[this.pos + 1] === 0x3e) {
        this.pos += 2;
        return { kind: 'dict', entries, duplicateKeys };
      }
      if (this.buf[this.pos] !== 0x2f) throw malformed(`expected a name key in a dictionary at ${this.at()}`);
      if (entries.size >= MAX_COLLECTION_ITEMS) throw malformed('dictionary too large');
      const key = this.parseName().name;
      const value = this.parseValue(depth + 1);
      if (entries.has(key)) duplicateKeys.push(key);
      entries.set(key, value);
    }
  }

  private parseNumberOrRef(): number | PdfRef {
    const { buf } = this;
    const start = this.pos;
    while (this.pos < buf.length && (isDigit(buf[this.pos]) || buf[this.pos] === 0x2b || buf[this.pos] === 0x2d || buf[this.pos] === 0x2e)) {
      this.pos += 1;
      if (this.pos - start > 40) throw malformed(`number too long at ${this.at()}`);
    }
    const text = buf.toString('latin1', start, this.pos);
    const value = Number(text);
    if (!Number.isFinite(value) || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) throw malformed(`bad number "${text}" at ${this.at()}`);
    if (/^\d+$/.test(text)) {
      // `num gen R`
      const save = this.pos;
      this.skipSpace();
      const genStart = this.pos;
      while (isDigit(buf[this.pos]) && this.pos - genStart < 6) this.pos += 1;
      if (this.pos > genStart && !isRegular(buf[this.pos])) {
        const gen = Number(buf.toString('latin1', genStart, this.pos));
        this.skipSpace();
        if (buf[this.pos] === 0x52 && !isRegular(buf[this.pos + 1])) {
          this.pos += 1;
          if (value > MAX_OBJECT_NUMBER) throw malformed(`object number ${value} out of range`);
          return { kind: 'ref', num: value, gen };
        }
      }
      this.pos = save;
    }
    return value;
  }
}

type XrefEntry = { type: 'free' } | { type: 'offset'; offset: number; gen: number } | { type: 'compressed'; stream: number; index: number };

export interface PdfRevision {
  /** where this revision's cross-reference section starts */
  xrefOffset: number;
  kind: 'table' | 'stream';
  trailer: PdfDict;
  /** just after this revision's `%%EOF`, and after the end-of-line that may follow it; null when it has none */
  eofAt: number | null;
  end: number | null;
}

interface Section extends PdfRevision {
  entries: Map<number, XrefEntry>;
}

const UNSET = Symbol('unset');

/**
 * A PDF opened through its own structure. `revisions` are in the order of the /Prev chain from
 * the last startxref (the latest first). `view(i)` resolves objects as revision i saw them.
 */
export class PdfFile {
  readonly revisions: PdfRevision[];
  private readonly sections: Section[];
  private readonly objectStreams = new Map<number, { data: Buffer; offsets: Array<[number, number]>; first: number }>();
  private readonly objectsAtOffset = new Map<number, { num: number; gen: number; value: PdfValue; end: number }>();
  private inflated = 0;
  private xrefEntries = 0;

  private constructor(
    readonly bytes: Buffer,
    sections: Section[],
  ) {
    this.sections = sections;
    this.revisions = sections;
  }

  static open(bytes: Buffer): PdfFile {
    const headerAt = bytes.subarray(0, 1024).indexOf('%PDF-');
    if (headerAt < 0) throw new PdfStructureError('NOT_A_PDF', 'no %PDF- header');
    const startxrefAt = bytes.lastIndexOf('startxref');
    if (startxrefAt < 0) throw new PdfStructureError('TRUNCATED', 'no startxref: the end of the file is missing');
    const parser = new Parser(bytes, startxrefAt + 'startxref'.length, 0);
    let first: number;
    try {
      first = parser.readUnsignedInteger();
    } catch {
      throw new PdfStructureError('TRUNCATED', 'the last startxref has no offset');
    }
    parser.skipSpace();
    if (bytes.indexOf('%%EOF', startxrefAt) < 0) throw new PdfStructureError('TRUNCATED', 'no %%EOF after the last startxref');
    const sections: Section[] = [];
    const seen = new Set<number>();
    const file = new PdfFile(bytes, sections);
    let next: number | null = first;
    while (next !== null) {
      if (seen.has(next)) throw malformed(`the /Prev chain loops at ${next}`);
      if (sections.length >= MAX_SECTIONS) throw malformed('too many cross-reference sections');
      seen.add(next);
      const section = file.readSection(next);
      sections.push(section);
      const prev = section.trailer.entries.get('Prev');
      if (prev === undefined) next = null;
      else if (isInteger(prev) && prev >= 0) next = prev;
      else throw malformed('trailer /Prev is not an offset');
    }
    return file;
  }

  private readSection(offset: number): Section {
    if (offset >= this.bytes.length) throw new PdfStructureError('TRUNCATED', `cross-reference offset ${offset} is past the end of the file`);
    const parser = new Parser(this.bytes, offset, 0);
    let section: Section;
    if (parser.peekWord() === 'xref') {
      if (parser.pos !== offset) throw malformed(`startxref ${offset} does not point exactly at "xref"`);
      section = this.readTable(parser, offset);
    } else {
      section = this.readXrefStream(offset);
      parser.pos = this.objectsAtOffset.get(offset)!.end;
    }
    // `startxref N %%EOF` closes a revision; the next revision (if any) starts after it.
    const after = new Parser(this.bytes, parser.pos, 0);
    while (after.pos < this.bytes.length && WHITESPACE.has(this.bytes[after.pos]!)) after.pos += 1;
    if (this.bytes.toString('latin1', after.pos, after.pos + 9) === 'startxref') {
      after.pos += 9;
      try {
        after.readUnsignedInteger();
        while (after.pos < this.bytes.length && WHITESPACE.has(this.bytes[after.pos]!)) after.pos += 1;
        if (this.bytes.toString('latin1', after.pos, after.pos + 5) === '%%EOF') {
          section.eofAt = after.pos + 5;
          let end = section.eofAt;
          if (this.bytes[end] === 0x0d) end += 1;
          if (this.bytes[end] === 0x0a) end += 1;
          section.end = end;
        }
      } catch {
        // no %%EOF: a revision without an end (e.g. a linearized file's first-page section)
      }
    }
    return section;
  }

  private readTable(parser: Parser, offset: number): Section {
    parser.expectWord('xref');
    const entries = new Map<number, XrefEntry>();
    while (true) {
      const word = parser.peekWord();
      if (word === 'trailer') break;
      if (!/^\d+$/.test(word)) throw malformed(`bad cross-reference subsection at ${parser.at()}`);
      const start = parser.readUnsignedInteger();
      const count = parser.readUnsignedInteger();
      if (count * 18 > this.bytes.length - parser.pos || start + count > MAX_OBJECT_NUMBER) throw new PdfStructureError('TRUNCATED', 'cross-reference table runs past the end of the file');
      this.countXrefEntries(count);
      for (let i = 0; i < count; i += 1) {
        const field1 = parser.readUnsignedInteger();
        const gen = parser.readUnsignedInteger();
        const type = parser.peekWord();
        if (type !== 'n' && type !== 'f') throw malformed(`bad cross-reference entry at ${parser.at()}`);
        parser.pos += 1;
        if (!entries.has(start + i)) entries.set(start + i, type === 'n' ? { type: 'offset', offset: field1, gen } : { type: 'free' });
      }
    }
    parser.expectWord('trailer');
    const trailer = parser.parseValue();
    if (!isDict(trailer)) throw malformed('the trailer is not a dictionary');
    const section: Section = { xrefOffset: offset, kind: 'table', trailer, entries, eofAt: null, end: null };
    const hybrid = trailer.entries.get('XRefStm');
    if (isInteger(hybrid)) {
      // a hybrid-reference file: the table's own entries win over the stream's
      const end = parser.pos;
      for (const [num, entry] of this.readXrefStream(hybrid).entries) if (!entries.has(num)) entries.set(num, entry);
      parser.pos = end;
    }
    return section;
  }

  private readXrefStream(offset: number): Section {
    const object = this.readObjectAt(offset);
    const stream = object.value;
    if (!isStream(stream) || !isName(stream.dict.entries.get('Type'), 'XRef')) throw malformed(`no cross-reference table or stream at ${offset}`);
    const dict = stream.dict.entries;
    const w = dict.get('W');
    const size = dict.get('Size');
    if (!isArray(w) || w.items.length !== 3 || !w.items.every((x) => isInteger(x) && x >= 0 && x <= 8) || !isInteger(size)) throw malformed('bad cross-reference stream /W or /Size');
    const widths = w.items as number[];
    const index = dict.get('Index');
    const ranges: number[] = index === undefined ? [0, size] : isArray(index) && index.items.every((x) => isInteger(x) && x >= 0) && index.items.length % 2 === 0 ? (index.items as number[]) : [];
    if (ranges.length === 0) throw malformed('bad cross-reference stream /Index');
    const data = this.streamData(stream);
    const entrySize = widths[0]! + widths[1]! + widths[2]!;
    if (entrySize === 0) throw malformed('cross-reference stream entries are empty');
    const entries = new Map<number, XrefEntry>();
    let at = 0;
    const field = (width: number, fallback: number): number => {
      if (width === 0) return fallback;
      let v = 0;
      for (let i = 0; i < width; i += 1) v = v * 256 + data[at + i]!;
      at += width;
      if (!Number.isSafeInteger(v)) throw malformed('cross-reference stream field too large');
      return v;
    };
    for (let r = 0; r < ranges.length; r += 2) {
      const start = ranges[r]!;
      const count = ranges[r + 1]!;
      if (start + count > MAX_OBJECT_NUMBER) throw malformed('cross-reference stream /Index out of range');
      if (count * entrySize > data.length - at) throw malformed('cross-reference stream shorter than its /Index');
      this.countXrefEntries(count);
      for (let i = 0; i < count; i += 1) {
        if (at + entrySize > data.length) throw malformed('cross-reference stream shorter than its /Index');
        const type = field(widths[0]!, 1);
        const f2 = field(widths[1]!, 0);
        const f3 = field(widths[2]!, 0);
        const entry: XrefEntry = type === 0 ? { type: 'free' } : type === 1 ? { type: 'offset', offset: f2, gen: f3 } : type === 2 ? { type: 'compressed', stream: f2, index: f3 } : { type: 'free' };
        if (!entries.has(start + i)) entries.set(start + i, entry);
      }
    }
    return { xrefOffset: offset, kind: 'stream', trailer: stream.dict, entries, eofAt: null, end: null };
  }

  private countXrefEntries(count: number): void {
    this.xrefEntries += count;
    if (this.xrefEntries > MAX_XREF_ENTRIES_PER_FILE) throw malformed(`more than ${MAX_XREF_ENTRIES_PER_FILE} cross-reference entries`);
  }

  /** `num gen obj … endobj` at a file offset, cached. */
  readObjectAt(offset: number, resolveLength?: (ref: PdfRef) => PdfValue): { num: number; gen: number; value: PdfValue; end: number } {
    const cached = this.objectsAtOffset.get(offset);
    if (cached) return cached;
    if (offset < 0 || offset >= this.bytes.length) throw new PdfStructureError('TRUNCATED', `object offset ${offset} is past the end of the file`);
    const parser = new Parser(this.bytes, offset, 0);
    const num = parser.readUnsignedInteger();
    const gen = parser.readUnsignedInteger();
    parser.expectWord('obj');
    let value = parser.parseValue();
    if (isDict(value) && parser.peekWord() === 'stream') {
      parser.pos += 6;
      if (this.bytes[parser.pos] === 0x0d) parser.pos += 1;
      if (this.bytes[parser.pos] === 0x0a) parser.pos += 1;
      const dataStart = parser.pos;
      let length = value.entries.get('Length');
      if (isRef(length) && resolveLength) length = resolveLength(length);
      let dataEnd = -1;
      if (isInteger(length) && length >= 0 && dataStart + length <= this.bytes.length) {
        const check = new Parser(this.bytes, dataStart + length, 0);
        if (check.peekWord() === 'endstream') {
          dataEnd = dataStart + length;
          parser.pos = check.pos + 9;
        }
      }
      if (dataEnd < 0) {
        // a wrong or indirect /Length: the data ends at the next endstream
        const at = this.bytes.indexOf('endstream', dataStart);
        if (at < 0) throw new PdfStructureError('TRUNCATED', `stream at ${offset} has no endstream`);
        dataEnd = at;
        if (this.bytes[dataEnd - 1] === 0x0a) dataEnd -= 1;
        if (this.bytes[dataEnd - 1] === 0x0d) dataEnd -= 1;
        parser.pos = at + 9;
      }
      value = { kind: 'stream', dict: value, dataStart, dataEnd };
    }
    if (parser.peekWord() === 'endobj') parser.pos += 6;
    const object = { num, gen, value, end: parser.pos };
    this.objectsAtOffset.set(offset, object);
    return object;
  }

  /** A stream's decoded bytes: no filter or FlateDecode (with PNG predictors), nothing else. */
  streamData(stream: PdfStream): Buffer {
    const raw = this.bytes.subarray(stream.dataStart, stream.dataEnd);
    const filter = stream.dict.entries.get('Filter');
    const filters = filter === undefined ? [] : isName(filter) ? [filter.name] : isArray(filter) && filter.items.every((f) => isName(f)) ? filter.items.map((f) => (f as PdfName).name) : null;
    if (!filters || filters.length > 1 || (filters[0] !== undefined && filters[0] !== 'FlateDecode')) throw malformed('unsupported stream filter');
    if (filters.length === 0) return raw;
    let data: Buffer;
    if (this.inflated > MAX_INFLATED_BYTES_PER_FILE) throw malformed('too much compressed data');
    try {
      data = inflateSync(raw, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (error) {
      throw malformed(`a compressed stream cannot be inflated: ${(error as Error).message}`);
    }
    this.inflated += data.length;
    const parms = stream.dict.entries.get('DecodeParms');
    const parmsDict = isDict(parms) ? parms : isArray(parms) && isDict(parms.items[0]) ? parms.items[0] : null;
    const predictor = parmsDict?.entries.get('Predictor');
    if (!isInteger(predictor) || predictor === 1) return data;
    if (predictor < 10) throw malformed('unsupported TIFF predictor');
    const columns = parmsDict!.entries.get('Columns') ?? 1;
    const colors = parmsDict!.entries.get('Colors') ?? 1;
    const bits = parmsDict!.entries.get('BitsPerComponent') ?? 8;
    if (!isInteger(columns) || !isInteger(colors) || !isInteger(bits) || columns < 1 || columns > 65536 || colors < 1 || colors > 32 || ![1, 2, 4, 8, 16].includes(bits)) throw malformed('bad predictor parameters');
    return unpredictPng(data, Math.ceil((columns * colors * bits) / 8), Math.max(1, Math.ceil((colors * bits) / 8)));
  }

  /** The objects as revision `index` (0: the latest) saw them. */
  view(index = 0): PdfView {
    if (index < 0 || index >= this.sections.length) throw new Error(`no revision ${index}`);
    // looked up section by section (not merged): cheap however many sections a hostile file has
    const sections = this.sections.slice(index);
    const lookup = (num: number): XrefEntry | undefined => {
      for (const section of sections) {
        const entry = section.entries.get(num);
        if (entry) return entry;
      }
      return undefined;
    };
    return new PdfView(this, lookup, this.sections[index]!.trailer);
  }

  /** Internal: an object inside an object stream. */
  objectInStream(view: PdfView, streamNum: number, index: number, num: number): PdfValue {
    let decoded = this.objectStreams.get(streamNum);
    if (!decoded) {
      const holder = view.entry(streamNum);
      if (!holder || holder.type !== 'offset') throw malformed(`object stream ${streamNum} is not a plain object`);
      const stream = this.readObjectAt(holder.offset, (ref) => view.resolve(ref)).value;
      if (!isStream(stream) || !isName(stream.dict.entries.get('Type'), 'ObjStm')) throw malformed(`object ${streamNum} is not an object stream`);
      const n = stream.dict.entries.get('N');
      const first = stream.dict.entries.get('First');
      if (!isInteger(n) || !isInteger(first) || n < 0 || n > MAX_COLLECTION_ITEMS || first < 0) throw malformed('bad object stream /N or /First');
      const data = this.streamData(stream);
      const header = new Parser(data, 0, null);
      const offsets: Array<[number, number]> = [];
      for (let i = 0; i < n; i += 1) offsets.push([header.readUnsignedInteger(), header.readUnsignedInteger()]);
      decoded = { data, offsets, first };
      this.objectStreams.set(streamNum, decoded);
    }
    const slot = decoded.offsets[index];
    if (!slot || slot[0] !== num) throw malformed(`object ${num} is not at index ${index} of object stream ${streamNum}`);
    const parser = new Parser(decoded.data, decoded.first + slot[1], null);
    if (parser.pos >= decoded.data.length) throw malformed(`object ${num} lies past the end of its object stream`);
    return parser.parseValue();
  }
}

function unpredictPng(data: Buffer, rowLength: number, bpp: number): Buffer {
  const stride = rowLength + 1;
  const rows = Math.floor(data.length / stride);
  const out = Buffer.alloc(rows * rowLength);
  for (let r = 0; r < rows; r += 1) {
    const type = data[r * stride]!;
    for (let i = 0; i < rowLength; i += 1) {
      const x = data[r * stride + 1 + i]!;
      const a = i >= bpp ? out[r * rowLength + i - bpp]! : 0;
      const b = r > 0 ? out[(r - 1) * rowLength + i]! : 0;
      const c = r > 0 && i >= bpp ? out[(r - 1) * rowLength + i - bpp]! : 0;
      let v: number;
      if (type === 0) v = x;
      else if (type === 1) v = x + a;
      else if (type === 2) v = x + b;
      else if (type === 3) v = x + ((a + b) >> 1);
      else if (type === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      } else throw malformed('bad PNG predictor row');
      out[r * rowLength + i] = v & 0xff;
    }
  }
  return out;
}

/** Where an indirect object was read from: a file offset, or null inside an object stream. */
export interface ResolvedObject {
  value: PdfValue;
  offset: number | null;
}

export class PdfView {
  private readonly cache = new Map<string, ResolvedObject | typeof UNSET>();

  constructor(
    readonly file: PdfFile,
    private readonly lookup: (num: number) => XrefEntry | undefined,
    readonly trailer: PdfDict,
  ) {}

  entry(num: number): XrefEntry | undefined {
    return this.lookup(num);
  }

  /** An indirect object; null (as PDF says) for a free or missing one. */
  object(ref: PdfRef, chain = 0): ResolvedObject {
    const key = `${ref.num} ${ref.gen}`;
    const cached = this.cache.get(key);
    if (cached === UNSET) throw malformed(`object ${ref.num} refers to itself`);
    if (cached) return cached;
    if (chain > MAX_RESOLVE_CHAIN) throw malformed('references nested too deeply');
    const entry = this.lookup(ref.num);
    let result: ResolvedObject;
    this.cache.set(key, UNSET);
    try {
      if (!entry || entry.type === 'free') result = { value: null, offset: null };
      else if (entry.type === 'offset') {
        const object = this.file.readObjectAt(entry.offset, (r) => this.object(r, chain + 1).value);
        if (object.num !== ref.num || object.gen !== entry.gen) throw malformed(`the cross-reference entry for object ${ref.num} points at object ${object.num} ${object.gen}`);
        result = { value: entry.gen === ref.gen ? object.value : null, offset: entry.offset };
      } else {
        if (ref.gen !== 0) result = { value: null, offset: null };
        else result = { value: this.file.objectInStream(this, entry.stream, entry.index, ref.num), offset: null };
      }
    } catch (error) {
      this.cache.delete(key);
      throw error;
    }
    this.cache.set(key, result);
    return result;
  }

  /** A value with references followed. */
  resolve(value: PdfValue | undefined, chain = 0): PdfValue {
    let current: PdfValue = value ?? null;
    for (let i = 0; isRef(current); i += 1) {
      if (i > MAX_RESOLVE_CHAIN) throw malformed('references nested too deeply');
      current = this.object(current, chain).value;
    }
    return current;
  }

  get(dict: PdfDict | PdfStream | null, key: string): PdfValue {
    if (!dict) return null;
    const d = dict.kind === 'stream' ? dict.dict : dict;
    return this.resolve(d.entries.get(key));
  }

  dict(value: PdfValue | undefined): PdfDict | null {
    const v = this.resolve(value);
    return isDict(v) ? v : isStream(v) ? v.dict : null;
  }

  catalog(): PdfDict {
    const root = this.dict(this.trailer.entries.get('Root'));
    if (!root) throw malformed('the trailer has no /Root catalog');
    return root;
  }
}

/** A PDF text string (UTF-16BE with a BOM, else PDFDocEncoding, read here as Latin-1). */
export function pdfText(value: PdfValue): string | null {
  if (!isString(value)) return null;
  const b = value.bytes;
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    const swapped = Buffer.from(b.subarray(2, 2 + ((b.length - 2) & ~1)));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
  return b.toString('latin1');
}

/** A PDF date `D:YYYYMMDDHHmmSSOHH'mm'` (ISO 32000-1 §7.9.4) as an ISO instant; null if unreadable. */
export function parsePdfDate(text: string | null): string | null {
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?(?:\d{2}'?)?)?\s*$/.exec(text ?? '');
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', zone] = m;
  let offset = 'Z';
  if (zone && zone !== 'Z') {
    const digits = zone.replace(/'/g, '');
    offset = `${digits.slice(0, 3)}:${digits.slice(3, 5) || '00'}`;
  }
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export interface PdfSignatureEntry {
  /** the field's full name (/T of it and its parents, dot-separated) */
  fieldName: string | null;
  /** the signature dictionary's object, when /V refers to one (as it should) */
  signatureRef: PdfRef | null;
  /** the file offset of the object holding the signature dictionary; null inside an object stream */
  objectOffset: number | null;
  dictionary: PdfDict;
  /** /ByteRange's numbers, null when absent or not all integers */
  byteRange: number[] | null;
  contents: PdfString | null;
  type: string | null;
  filter: string | null;
  subFilter: string | null;
  /** /M as written */
  signingTime: string | null;
  /** /P of a /Reference with /TransformMethod /DocMDP (2 when absent, as the spec says) */
  docMdpP: number | null;
  /** which revision (index into PdfFile.revisions, 0 the latest) the field was found in */
  foundInRevision: number;
}

export interface DocumentSecurityStore {
  certs: Buffer[];
  crls: Buffer[];
  ocsps: Buffer[];
}

export interface PdfSignatureStructure {
  file: PdfFile;
  /** every signature field's signature dictionary (document time-stamps, /Type /DocTimeStamp, included), deduplicated */
  signatures: PdfSignatureEntry[];
  /**
   * what /Perms /DocMDP names in any revision's catalog: a certification made when signing
   * stays one even if a later update drops it from the catalog
   */
  docMdpSignatures: PdfRef[];
  /** the latest catalog's /DSS (PAdES), its streams decoded */
  dss: DocumentSecurityStore | null;
}

function signatureEntry(view: PdfView, fieldName: string | null, v: PdfValue | undefined, revision: number): PdfSignatureEntry | null {
  let signatureRef: PdfRef | null = null;
  let objectOffset: number | null = null;
  let value: PdfValue = v ?? null;
  if (isRef(value)) {
    signatureRef = value;
    const object = view.object(value);
    objectOffset = object.offset;
    value = object.value;
  }
  if (!isDict(value)) return null;
  const entries = value.entries;
  const range = view.resolve(entries.get('ByteRange'));
  const contents = view.resolve(entries.get('Contents'));
  const nameOf = (key: string) => {
    const n = view.resolve(entries.get(key));
    return isName(n) ? n.name : null;
  };
  let docMdpP: number | null = null;
  const references = view.resolve(entries.get('Reference'));
  if (isArray(references)) {
    for (const item of references.items.slice(0, 16)) {
      const reference = view.dict(item);
      if (reference && isName(view.get(reference, 'TransformMethod'), 'DocMDP')) {
        const p = view.get(view.dict(reference.entries.get('TransformParams')), 'P');
        docMdpP = isInteger(p) ? p : 2;
      }
    }
  }
  return {
    fieldName,
    signatureRef,
    objectOffset,
    dictionary: value,
    byteRange: isArray(range) && range.items.every((x) => isInteger(x)) ? (range.items as number[]) : null,
    contents: isString(contents) ? contents : null,
    type: nameOf('Type'),
    filter: nameOf('Filter'),
    subFilter: nameOf('SubFilter'),
    signingTime: pdfText(view.resolve(entries.get('M'))),
    docMdpP,
    foundInRevision: revision,
  };
}

/** The signature fields one revision's AcroForm lists, with their kids (FT and V are inheritable). */
function signaturesInView(view: PdfView, revision: number): PdfSignatureEntry[] {
  const acroForm = view.dict(view.catalog().entries.get('AcroForm'));
  const fields = acroForm ? view.resolve(acroForm.entries.get('Fields')) : null;
  if (!isArray(fields)) return [];
  const found: PdfSignatureEntry[] = [];
  const visited = new Set<number>();
  let budget = MAX_FIELDS;
  const walk = (item: PdfValue, parentName: string | null, inheritedFt: string | null, inheritedV: PdfValue | undefined, depth: number) => {
    if (depth > 32 || budget <= 0) throw malformed('the form field tree is too deep or too large');
    budget -= 1;
    if (isRef(item)) {
      if (visited.has(item.num)) return;
      visited.add(item.num);
    }
    const field = view.dict(item);
    if (!field) return;
    const t = pdfText(view.resolve(field.entries.get('T')));
    const name = t === null ? parentName : parentName ? `${parentName}.${t}` : t;
    const ftValue = view.resolve(field.entries.get('FT'));
    const ft = isName(ftValue) ? ftValue.name : inheritedFt;
    const v = field.entries.has('V') ? field.entries.get('V') : inheritedV;
    const kids = view.resolve(field.entries.get('Kids'));
    if (isArray(kids) && kids.items.length > 0) {
      for (const kid of kids.items) walk(kid, name, ft, v, depth + 1);
      return;
    }
    if (ft === 'Sig' && v !== undefined) {
      const entry = signatureEntry(view, name, v, revision);
      if (entry) found.push(entry);
    }
  };
  for (const item of fields.items) walk(item, null, null, undefined, 0);
  return found;
}

function dssOf(view: PdfView): DocumentSecurityStore | null {
  const dss = view.dict(view.catalog().entries.get('DSS'));
  if (!dss) return null;
  const streams = (key: string): Buffer[] => {
    const list = view.resolve(dss.entries.get(key));
    if (!isArray(list)) return [];
    const out: Buffer[] = [];
    for (const item of list.items.slice(0, MAX_DSS_ITEMS)) {
      const stream = view.resolve(item);
      if (isStream(stream)) out.push(view.file.streamData(stream));
    }
    return out;
  };
  return { certs: streams('Certs'), crls: streams('CRLs'), ocsps: streams('OCSPs') };
}

/**
 * Reads a PDF's signatures through its structure. Signature fields are collected from every
 * revision's own catalog, so a signature that a later update removed from the form is still
 * found (and that update reported). Throws PdfStructureError.
 */
export function readPdfSignatureStructure(bytes: Buffer): PdfSignatureStructure {
  const file = PdfFile.open(bytes);
  const latest = file.view(0);
  const signatures: PdfSignatureEntry[] = [];
  const docMdpSignatures: PdfRef[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < file.revisions.length; i += 1) {
    let entries: PdfSignatureEntry[];
    try {
      const view = i === 0 ? latest : file.view(i);
      entries = signaturesInView(view, i);
      const docMdp = view.dict(view.catalog().entries.get('Perms'))?.entries.get('DocMDP');
      if (isRef(docMdp) && !docMdpSignatures.some((r) => r.num === docMdp.num && r.gen === docMdp.gen)) docMdpSignatures.push(docMdp);
    } catch (error) {
      // the latest revision must be readable; an older one only adds what a later one hid
      if (i === 0) throw error;
      continue;
    }
    for (const entry of entries) {
      const key = entry.objectOffset !== null ? `at:${entry.objectOffset}` : entry.signatureRef ? `ref:${entry.signatureRef.num}:${entry.signatureRef.gen}` : `direct:${i}:${signatures.length}`;
      if (seen.has(key)) continue;
      seen.add(key);
      signatures.push(entry);
    }
  }
  return { file, signatures, docMdpSignatures, dss: dssOf(latest) };
}
