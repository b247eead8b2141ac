import { createHash } from 'node:crypto';
import { PDFName, type PDFDocument, type PDFRef } from 'pdf-lib';

/** DER-encoded material a verifier needs to validate the signature later without going online. */
export interface ValidationData {
  /** the signer's chain (and, when there is one, the time-stamping authority's) */
  certificates: Buffer[];
  crls: Buffer[];
  ocspResponses: Buffer[];
}

/**
 * The Document Security Store of PAdES B-LT (ETSI EN 319 142-1 §5.4; ISO 32000-2 §12.8.4.3):
 * the catalog's /DSS with /Certs, /CRLs and /OCSPs, arrays of streams each holding one DER
 * object. It is written with the rest of the document before signing, so the file stays one
 * revision and the signature covers the store too. Identical items are stored once.
 */
export function addDocumentSecurityStore(pdf: PDFDocument, data: ValidationData): PDFRef | null {
  const context = pdf.context;
  const streams = (items: Buffer[]): PDFRef[] => {
    const seen = new Set<string>();
    const refs: PDFRef[] = [];
    for (const item of items) {
      const key = createHash('sha256').update(item).digest('hex');
      if (item.length === 0 || seen.has(key)) continue;
      seen.add(key);
      refs.push(context.register(context.stream(new Uint8Array(item.buffer, item.byteOffset, item.length))));
    }
    return refs;
  };
  const certs = streams(data.certificates);
  const crls = streams(data.crls);
  const ocsps = streams(data.ocspResponses);
  if (certs.length + crls.length + ocsps.length === 0) return null;
  const dss = context.obj({ Type: 'DSS' });
  if (certs.length) dss.set(PDFName.of('Certs'), context.obj(certs));
  if (crls.length) dss.set(PDFName.of('CRLs'), context.obj(crls));
  if (ocsps.length) dss.set(PDFName.of('OCSPs'), context.obj(ocsps));
  const ref = context.register(dss);
  pdf.catalog.set(PDFName.of('DSS'), ref);
  return ref;
}
