import { decodeOid } from './x509-extensions';

/**
 * DER (and the BER that CMS writers use for outer layers: indefinite lengths, constructed
 * OCTET STRINGs), read by hand for signatures and time-stamps: exact byte spans are kept
 * (signed attributes are verified as the bytes that were signed), and hostile input only ever
 * makes a DerError, within a depth and node budget.
 */
export class DerError extends Error {}

export interface Der {
  buf: Buffer;
  start: number;
  contentStart: number;
  contentEnd: number;
  end: number;
  cls: number;
  constructed: boolean;
  tag: number;
  children: Der[];
}

export const UNIVERSAL = 0;
export const CONTEXT = 2;
export const TAG = { BOOLEAN: 1, INTEGER: 2, BIT_STRING: 3, OCTET_STRING: 4, OID: 6, ENUMERATED: 10, UTF8: 12, SEQUENCE: 16, SET: 17, PRINTABLE: 19, T61: 20, IA5: 22, UTC_TIME: 23, GENERALIZED_TIME: 24, UNIVERSAL_STRING: 28, BMP: 30 };

export function parseDer(buf: Buffer, start: number, limit: number, depth = 0, budget = { nodes: 200_000 }): Der {
  if (depth > 40) throw new DerError('ASN.1 nested too deeply');
  budget.nodes -= 1;
  if (budget.nodes < 0) throw new DerError('ASN.1 too large');
  let p = start;
  if (p >= limit) throw new DerError('ASN.1 truncated');
  const b0 = buf[p++]!;
  const cls = b0 >> 6;
  const constructed = (b0 & 0x20) !== 0;
  let tag = b0 & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    for (let i = 0; ; i += 1) {
      if (p >= limit || i > 3) throw new DerError('bad ASN.1 tag');
      const b = buf[p++]!;
      tag = tag * 128 + (b & 0x7f);
      if (!(b & 0x80)) break;
    }
  }
  if (cls === UNIVERSAL && tag === 0) throw new DerError('tag 0 (end-of-contents) outside an indefinite length');
  if (p >= limit) throw new DerError('ASN.1 truncated');
  const lengthByte = buf[p++]!;
  let length: number | null;
  if (lengthByte < 0x80) length = lengthByte;
  else if (lengthByte === 0x80) {
    if (!constructed) throw new DerError('indefinite length on a primitive');
    length = null;
  } else {
    const n = lengthByte & 0x7f;
    if (n > 4 || p + n > limit) throw new DerError('bad ASN.1 length');
    length = 0;
    for (let i = 0; i < n; i += 1) length = length * 256 + buf[p++]!;
  }
  const contentStart = p;
  const children: Der[] = [];
  if (length === null) {
    // BER indefinite length (some CMS writers use it for the outer layers)
    while (true) {
      if (p + 2 > limit) throw new DerError('ASN.1 truncated');
      if (buf[p] === 0 && buf[p + 1] === 0) return { buf, start, contentStart, contentEnd: p, end: p + 2, cls, constructed, tag, children };
      const child = parseDer(buf, p, limit, depth + 1, budget);
      children.push(child);
      p = child.end;
    }
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError('ASN.1 value runs past its container');
  if (constructed) {
    for (let q = contentStart; q < end; ) {
      const child = parseDer(buf, q, end, depth + 1, budget);
      children.push(child);
      q = child.end;
    }
  }
  return { buf, start, contentStart, contentEnd: end, end, cls, constructed, tag, children };
}

export const content = (d: Der): Buffer => d.buf.subarray(d.contentStart, d.contentEnd);
export const raw = (d: Der): Buffer => d.buf.subarray(d.start, d.end);
// plain booleans, not type guards: a failed test of one tag must not narrow the node away for the next
export const isU = (d: Der | undefined, tag: number): boolean => d !== undefined && d.cls === UNIVERSAL && d.tag === tag;
export const isCtx = (d: Der | undefined, tag: number): boolean => d !== undefined && d.cls === CONTEXT && d.tag === tag;
/** the node when it has this universal (u) or context-specific (ctx) tag, else null */
export const u = (d: Der | undefined, tag: number): Der | null => (d !== undefined && isU(d, tag) ? d : null);
export const ctx = (d: Der | undefined, tag: number): Der | null => (d !== undefined && isCtx(d, tag) ? d : null);

export function need<T>(value: T | undefined | null | false, what: string): T {
  if (value === undefined || value === null || value === false) throw new DerError(`missing ${what}`);
  return value;
}

export function oidOf(node: Der | undefined): string {
  const d = u(node, TAG.OID);
  if (!d) throw new DerError('expected an OID');
  const bytes = content(d);
  if (bytes.length === 0 || bytes.length > 64) throw new DerError('bad OID');
  return decodeOid(bytes);
}

/** OCTET STRING contents, BER constructed form included. */
export function octets(node: Der | undefined): Buffer {
  const d = u(node, TAG.OCTET_STRING);
  if (!d) throw new DerError('expected an OCTET STRING');
  return d.constructed ? Buffer.concat(d.children.map((c) => octets(c))) : content(d);
}

export function bitStringBytes(node: Der | undefined): Buffer {
  const d = u(node, TAG.BIT_STRING);
  if (!d || d.constructed) throw new DerError('expected a BIT STRING');
  return content(d).subarray(1);
}

export function asn1Time(d: Der | undefined): Date {
  if (!d || d.cls !== UNIVERSAL || (d.tag !== TAG.UTC_TIME && d.tag !== TAG.GENERALIZED_TIME)) throw new DerError('expected a time');
  const text = content(d).toString('latin1');
  const m = d.tag === TAG.UTC_TIME ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d{1,9})?Z$/.exec(text);
  if (!m) throw new DerError(`bad time ${text.slice(0, 20)}`);
  const year = d.tag === TAG.UTC_TIME ? (Number(m[1]) < 50 ? 2000 : 1900) + Number(m[1]) : Number(m[1]);
  const date = new Date(`${String(year).padStart(4, '0')}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${d.tag === TAG.GENERALIZED_TIME ? (m[7] ?? '').slice(0, 4) : ''}Z`);
  if (Number.isNaN(date.getTime())) throw new DerError(`bad time ${text}`);
  return date;
}

export function directoryString(d: Der): string {
  const bytes = content(d);
  if (d.tag === TAG.BMP) {
    const swapped = Buffer.from(bytes.subarray(0, bytes.length & ~1));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (d.tag === TAG.UNIVERSAL_STRING) {
    let out = '';
    for (let i = 0; i + 3 < bytes.length; i += 4) out += String.fromCodePoint(Math.min(bytes.readUInt32BE(i), 0x10ffff));
    return out;
  }
  if (d.tag === TAG.T61) return bytes.toString('latin1');
  return bytes.toString('utf8');
}
