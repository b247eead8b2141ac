import { X509Certificate, createHash, verify as rsaVerify } from 'node:crypto';
import forge from 'node-forge';
import { AppFailure } from '../../../shared/result';
import { chainsToTrustedRoot } from './certificate-checks';
import { subjectCommonName } from './pkcs12-identity';

type Asn1 = forge.asn1.Asn1;
const { asn1 } = forge;
const MESSAGE_DIGEST_OID = '1.2.840.113549.1.9.4';

export interface SignatureFacts {
  sha256: string;
  signed: boolean;
  intact: boolean;
  signerName: string | null;
  signedAt: string | null;
  certificateValidFrom: string | null;
  certificateValidTo: string | null;
  certificateTrusted: boolean | null;
  /** genTime of an RFC 3161 token over this signature (PAdES B-T), when it carries one that matches */
  timeStampedAt: string | null;
}

const TIME_STAMP_TOKEN_OID = '1.2.840.113549.1.9.16.2.14';

function timeStampOf(signerInfo: Asn1[], signature: Buffer): string | null {
  const unsigned = signerInfo.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 1);
  const attr = (unsigned?.value as Asn1[] | undefined)?.find((a) => asn1.derToOid((a.value as Asn1[])[0]!.value as string) === TIME_STAMP_TOKEN_OID);
  if (!attr) return null;
  try {
    const token = ((attr.value as Asn1[])[1]!.value as Asn1[])[0]!;
    const encap = (((token.value as Asn1[])[1]!.value as Asn1[])[0]!.value as Asn1[])[2]!;
    const tstInfoDer = ((encap.value as Asn1[])[1]!.value as Asn1[])[0]!.value as string;
    const tstInfo = asn1.fromDer(forge.util.createBuffer(tstInfoDer)).value as Asn1[];
    const imprint = Buffer.from((tstInfo[2]!.value as Asn1[])[1]!.value as string, 'binary');
    if (!imprint.equals(createHash('sha256').update(signature).digest())) return null;
    const time = tstInfo[4]!.value as string;
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(time);
    return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}Z`).toISOString() : null;
  } catch {
    return null;
  }
}

function parseDate(pdfDate: string | undefined): string | null {
  const m = /^D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(Z|[+-]\d{2}'?\d{2}'?)?/.exec(pdfDate ?? '');
  if (!m) return null;
  const zone = !m[7] || m[7] === 'Z' ? 'Z' : `${m[7].slice(0, 3)}:${m[7].replace(/'/g, '').slice(3, 5)}`;
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`).toISOString();
}

/**
 * Checks a signed PDF as a validator would: the last signature's byte ranges must cover the
 * whole file but its /Contents, their SHA-256 must equal the signed message-digest, and the
 * signature over the signed attributes must verify with the signer's certificate.
 */
export function verifyPdfSignature(pdf: Buffer, trustedRootsPem: string[], now: Date): SignatureFacts {
  if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') throw new AppFailure('PDF_UNREADABLE', 'not a PDF file');
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  const text = pdf.toString('latin1');
  const ranges = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  const unsigned: SignatureFacts = { sha256, signed: false, intact: false, signerName: null, signedAt: null, certificateValidFrom: null, certificateValidTo: null, certificateTrusted: null, timeStampedAt: null };
  if (ranges.length === 0) return unsigned;
  const last = ranges[ranges.length - 1]!;
  const [a, b, c, d] = last.slice(1, 5).map(Number) as [number, number, number, number];
  const wellFormed = a === 0 && b < c && c + d <= pdf.length && pdf[b] === 0x3c && pdf[c - 1] === 0x3e;
  if (!wellFormed) return { ...unsigned, signed: true };
  const coversWholeFile = c + d === pdf.length;
  const dictionary = text.slice(Math.max(0, last.index! - 4000), last.index! + 40000);
  const signedAt = parseDate(/\/M\s*\((D:[^)]+)\)/.exec(dictionary)?.[1]);

  let signedData: Asn1[];
  try {
    const cms = Buffer.from(text.slice(b + 1, c - 1), 'hex');
    // /Contents is zero-padded after the DER; parse the one value and ignore the padding.
    const fromDer = asn1.fromDer as unknown as (bytes: forge.util.ByteStringBuffer, options: { parseAllBytes: boolean }) => Asn1;
    const contentInfo = fromDer(forge.util.createBuffer(cms.toString('binary')), { parseAllBytes: false });
    signedData = (((contentInfo.value as Asn1[])[1]!.value as Asn1[])[0]!.value as Asn1[]);
  } catch {
    return { ...unsigned, signed: true, signedAt };
  }
  const certificates = (signedData.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 0)?.value as Asn1[] | undefined) ?? [];
  const signerInfo = ((signedData[signedData.length - 1]!.value as Asn1[])[0]!.value as Asn1[]);
  const signedAttrsNode = signerInfo.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 0);
  const signatureNode = signerInfo.find((n, i) => i > 3 && n.type === asn1.Type.OCTETSTRING && n.tagClass === asn1.Class.UNIVERSAL);
  if (!signedAttrsNode || !signatureNode) return { ...unsigned, signed: true, signedAt };

  const attributes = signedAttrsNode.value as Asn1[];
  const digestAttr = attributes.find((attr) => asn1.derToOid((attr.value as Asn1[])[0]!.value as string) === MESSAGE_DIGEST_OID);
  const signedDigest = digestAttr ? Buffer.from(((digestAttr.value as Asn1[])[1]!.value as Asn1[])[0]!.value as string, 'binary') : Buffer.alloc(0);
  const actualDigest = createHash('sha256').update(pdf.subarray(0, b)).update(pdf.subarray(c, c + d)).digest();
  const attrsDer = Buffer.from(asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, attributes)).getBytes(), 'binary');
  const signature = Buffer.from(signatureNode.value as string, 'binary');

  const certs = certificates.map((node) => new X509Certificate(Buffer.from(asn1.toDer(node).getBytes(), 'binary')));
  const signer = certs.find((cert) => {
    try {
      return rsaVerify('sha256', attrsDer, cert.publicKey, signature);
    } catch {
      return false;
    }
  });
  const intact = coversWholeFile && signedDigest.equals(actualDigest) && signer !== undefined;
  return {
    sha256,
    signed: true,
    intact,
    signerName: signer ? (subjectCommonName(signer) ?? signer.subject) : null,
    signedAt,
    certificateValidFrom: signer ? new Date(signer.validFrom).toISOString() : null,
    certificateValidTo: signer ? new Date(signer.validTo).toISOString() : null,
    timeStampedAt: timeStampOf(signerInfo, signature),
    certificateTrusted: signer
      ? chainsToTrustedRoot(signer, certs.filter((x) => x !== signer), trustedRootsPem.map((pem) => new X509Certificate(pem)), signedAt ? new Date(signedAt) : now)
      : null,
  };
}
