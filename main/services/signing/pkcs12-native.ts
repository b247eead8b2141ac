import { createDecipheriv, createHmac, hash, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import forge from 'node-forge';

/**
 * Opens the common .p12 — OpenSSL 3's default and what node-forge writes with `aes*`: a MAC
 * over the contents, keys and certificates in PBES2/PBKDF2 + AES-CBC — with Node's own crypto
 * (OpenSSL), not node-forge's JavaScript: the key derivations are the cost of opening a
 * .p12 (about 25 ms in forge, well under 1 ms in OpenSSL, per signing batch).
 *
 * Answers null for anything it does not take on — another MAC or cipher (the legacy 3DES and
 * RC2 PBE schemes), BER's indefinite lengths, a MAC that does not verify (a wrong passphrase),
 * bags that will not decrypt or a key that is not RSA — and the caller then opens the file with
 * node-forge exactly as before, so every refusal and every legacy form keeps its one
 * implementation there.
 */
export function openPfxNatively(pfx: Buffer, passphrase: string): { privateKeyPkcs8: Buffer; certificates: Buffer[] } | null {
  try {
    return open(pfx, passphrase);
  } catch {
    return null;
  }
}

const oidHex = (id: string): string => Buffer.from(forge.asn1.oidToDer(id).getBytes(), 'binary').toString('hex');

const OID = {
  data: oidHex('1.2.840.113549.1.7.1'),
  encryptedData: oidHex('1.2.840.113549.1.7.6'),
  keyBag: oidHex('1.2.840.113549.1.12.10.1.1'),
  shroudedKeyBag: oidHex('1.2.840.113549.1.12.10.1.2'),
  certBag: oidHex('1.2.840.113549.1.12.10.1.3'),
  x509Certificate: oidHex('1.2.840.113549.1.9.22.1'),
  pbes2: oidHex('1.2.840.113549.1.5.13'),
  pbkdf2: oidHex('1.2.840.113549.1.5.12'),
};

/** HMAC PRFs of PBKDF2 (RFC 8018 B.1.2); absent means hmacWithSHA1. */
const PRF: Record<string, string> = {
  [oidHex('1.2.840.113549.2.7')]: 'sha1',
  [oidHex('1.2.840.113549.2.8')]: 'sha224',
  [oidHex('1.2.840.113549.2.9')]: 'sha256',
  [oidHex('1.2.840.113549.2.10')]: 'sha384',
  [oidHex('1.2.840.113549.2.11')]: 'sha512',
};

const CIPHERS: Record<string, { name: string; keyLength: number }> = {
  [oidHex('2.16.840.1.101.3.4.1.2')]: { name: 'aes-128-cbc', keyLength: 16 },
  [oidHex('2.16.840.1.101.3.4.1.22')]: { name: 'aes-192-cbc', keyLength: 24 },
  [oidHex('2.16.840.1.101.3.4.1.42')]: { name: 'aes-256-cbc', keyLength: 32 },
};

/** MAC digests with their output and block sizes (RFC 7292 B.2's u and v). */
const MAC_DIGESTS: Record<string, { name: string; u: number; v: number }> = {
  [oidHex('1.3.14.3.2.26')]: { name: 'sha1', u: 20, v: 64 },
  [oidHex('2.16.840.1.101.3.4.2.1')]: { name: 'sha256', u: 32, v: 64 },
  [oidHex('2.16.840.1.101.3.4.2.2')]: { name: 'sha384', u: 48, v: 128 },
  [oidHex('2.16.840.1.101.3.4.2.3')]: { name: 'sha512', u: 64, v: 128 },
};

interface Tlv {
  tag: number;
  content: Buffer;
}

/** One DER TLV at `at` and where the next begins; single-byte tags and definite lengths only. */
function tlvAt(bytes: Buffer, at: number): { tlv: Tlv; next: number } {
  const tag = bytes[at]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('high tag number');
  let cursor = at + 1;
  const first = bytes[cursor++]!;
  if (first === 0x80) throw new Error('indefinite length');
  let length = first;
  if (first & 0x80) {
    length = 0;
    for (let n = first & 0x7f; n > 0; n -= 1) length = length * 256 + bytes[cursor++]!;
  }
  const end = cursor + length;
  if (end > bytes.length) throw new Error('truncated');
  return { tlv: { tag, content: bytes.subarray(cursor, end) }, next: end };
}

function children(parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = 0; at < parent.content.length; ) {
    const { tlv, next } = tlvAt(parent.content, at);
    out.push(tlv);
    at = next;
  }
  return out;
}

function only(bytes: Buffer): Tlv {
  const { tlv, next } = tlvAt(bytes, 0);
  if (next !== bytes.length) throw new Error('trailing bytes');
  return tlv;
}

function expect(tlv: Tlv | undefined, tag: number): Tlv {
  if (!tlv || tlv.tag !== tag) throw new Error(`expected tag ${tag}`);
  return tlv;
}

const SEQUENCE = 0x30;
const OCTET_STRING = 0x04;
const OBJECT_ID = 0x06;
const INTEGER = 0x02;
const EXPLICIT_0 = 0xa0;
const IMPLICIT_0_PRIMITIVE = 0x80;

const oidOf = (tlv: Tlv | undefined): string => expect(tlv, OBJECT_ID).content.toString('hex');

function smallInteger(tlv: Tlv | undefined): number {
  const content = expect(tlv, INTEGER).content;
  if (content.length > 6 || content[0]! & 0x80) throw new Error('integer out of range');
  return content.readUIntBE(0, content.length);
}

function open(pfx: Buffer, passphrase: string): { privateKeyPkcs8: Buffer; certificates: Buffer[] } | null {
  const [version, authSafe, macData] = children(expect(only(pfx), SEQUENCE));
  if (smallInteger(version) !== 3 || !macData) return null;
  const [contentType, explicit] = children(expect(authSafe, SEQUENCE));
  if (oidOf(contentType) !== OID.data) return null;
  const authenticated = expect(children(expect(explicit, EXPLICIT_0))[0], OCTET_STRING).content;
  if (!macVerifies(macData, authenticated, passphrase)) return null;

  const utf8 = Buffer.from(passphrase, 'utf8');
  const keys: Buffer[] = [];
  const certificates: Buffer[] = [];
  for (const info of children(expect(only(authenticated), SEQUENCE))) {
    const [type, content] = children(expect(info, SEQUENCE));
    let safeContents: Buffer;
    if (oidOf(type) === OID.data) {
      safeContents = expect(children(expect(content, EXPLICIT_0))[0], OCTET_STRING).content;
    } else if (oidOf(type) === OID.encryptedData) {
      const [, encryptedContentInfo] = children(expect(children(expect(content, EXPLICIT_0))[0], SEQUENCE));
      const [, algorithm, encrypted] = children(expect(encryptedContentInfo, SEQUENCE));
      safeContents = pbes2Decrypt(algorithm!, expect(encrypted, IMPLICIT_0_PRIMITIVE).content, utf8);
    } else {
      return null;
    }
    for (const bag of children(expect(only(safeContents), SEQUENCE))) {
      const [bagId, value] = children(expect(bag, SEQUENCE));
      const bagValue = children(expect(value, EXPLICIT_0))[0]!;
      const id = oidOf(bagId);
      if (id === OID.keyBag) keys.push(der(bagValue));
      else if (id === OID.shroudedKeyBag) {
        const [algorithm, encrypted] = children(expect(bagValue, SEQUENCE));
        keys.push(pbes2Decrypt(algorithm!, expect(encrypted, OCTET_STRING).content, utf8));
      } else if (id === OID.certBag) {
        const [certId, certValue] = children(expect(bagValue, SEQUENCE));
        if (oidOf(certId) !== OID.x509Certificate) return null;
        certificates.push(Buffer.from(expect(children(expect(certValue, EXPLICIT_0))[0], OCTET_STRING).content));
      }
    }
  }
  if (keys.length !== 1) return null;
  return { privateKeyPkcs8: keys[0]!, certificates };
}

/** A TLV's whole encoding again, from its parsed parts. */
function der(tlv: Tlv): Buffer {
  const n = tlv.content.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tlv.tag, ...length]), tlv.content]);
}

/** PBES2 (RFC 8018 6.2) with PBKDF2 and AES-CBC; the passphrase as UTF-8 bytes, as OpenSSL takes it. */
function pbes2Decrypt(algorithm: Tlv, encrypted: Buffer, passphrase: Buffer): Buffer {
  const [scheme, params] = children(expect(algorithm, SEQUENCE));
  if (oidOf(scheme) !== OID.pbes2) throw new Error('not PBES2');
  const [kdf, encryption] = children(expect(params, SEQUENCE));
  const [kdfId, kdfParams] = children(expect(kdf, SEQUENCE));
  if (oidOf(kdfId) !== OID.pbkdf2) throw new Error('not PBKDF2');
  const fields = children(expect(kdfParams, SEQUENCE));
  const salt = expect(fields[0], OCTET_STRING).content;
  const iterations = smallInteger(fields[1]);
  let at = 2;
  const keyLength = fields[at]?.tag === INTEGER ? smallInteger(fields[at++]) : null;
  const prf = fields[at] ? PRF[oidOf(children(expect(fields[at], SEQUENCE))[0])] : 'sha1';
  const [cipherId, iv] = children(expect(encryption, SEQUENCE));
  const cipher = CIPHERS[oidOf(cipherId)];
  if (!prf || !cipher || (keyLength !== null && keyLength !== cipher.keyLength)) throw new Error('unsupported PBES2 parameters');
  const key = pbkdf2Sync(passphrase, salt, iterations, cipher.keyLength, prf);
  const decipher = createDecipheriv(cipher.name, key, expect(iv, OCTET_STRING).content);
  return Buffer.concat([decipher.update(encrypted), decipher.final()]);
}

/** The PFX's MacData (RFC 7292 §4) verifies over the AuthenticatedSafe with the passphrase as a BMPString. */
function macVerifies(macData: Tlv, authenticated: Buffer, passphrase: string): boolean {
  const [digestInfo, salt, iterations] = children(expect(macData, SEQUENCE));
  const [algorithm, digest] = children(expect(digestInfo, SEQUENCE));
  const md = MAC_DIGESTS[oidOf(children(expect(algorithm, SEQUENCE))[0])];
  if (!md) return false;
  const count = iterations ? smallInteger(iterations) : 1;
  if (count < 1) return false;
  const bmp = Buffer.alloc(passphrase.length * 2 + 2);
  for (let i = 0; i < passphrase.length; i += 1) bmp.writeUInt16BE(passphrase.charCodeAt(i), i * 2);
  const key = pkcs12MacKey(md, bmp, expect(salt, OCTET_STRING).content, count);
  const expected = expect(digest, OCTET_STRING).content;
  const actual = createHmac(md.name, key).update(authenticated).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** RFC 7292 B.2 with ID 3 (MAC key), for a key of one digest's length (so one block: c = 1). */
function pkcs12MacKey(md: { name: string; u: number; v: number }, password: Buffer, salt: Buffer, iterations: number): Buffer {
  const fill = (bytes: Buffer) => {
    const out = Buffer.alloc(md.v * Math.ceil(bytes.length / md.v));
    for (let i = 0; i < out.length; i += 1) out[i] = bytes[i % bytes.length]!;
    return out;
  };
  let a = Buffer.concat([Buffer.alloc(md.v, 3), fill(salt), fill(password)]);
  for (let i = 0; i < iterations; i += 1) a = hash(md.name, a, 'buffer');
  return a;
}
