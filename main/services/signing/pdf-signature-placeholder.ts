import { PDFArray, PDFHexString, PDFName, PDFNumber, PDFString, type PDFDocument, type PDFPage } from 'pdf-lib';

/** Bytes reserved for the CMS in /Contents: the chain, and a time-stamp token, fit with room. */
export const SIGNATURE_CONTENTS_BYTES = 24 * 1024;
export const BYTE_RANGE_PLACEHOLDER = '**********';

export interface SignaturePlaceholderInfo {
  signerName: string;
  signedAt: Date;
  reason: string;
  location: string;
}

/**
 * An empty PAdES signature: a /Sig dictionary with placeholder /ByteRange and /Contents, its
 * invisible widget on the page, and the AcroForm that lists it. The signer fills both in place
 * once the file's bytes are final.
 */
export function addSignaturePlaceholder(pdf: PDFDocument, page: PDFPage, info: SignaturePlaceholderInfo): void {
  const context = pdf.context;
  const byteRange = PDFArray.withContext(context);
  byteRange.push(PDFNumber.of(0));
  for (let i = 0; i < 3; i += 1) byteRange.push(PDFName.of(BYTE_RANGE_PLACEHOLDER));
  const signatureRef = context.register(
    context.obj({
      Type: 'Sig',
      Filter: 'Adobe.PPKLite',
      SubFilter: 'ETSI.CAdES.detached',
      ByteRange: byteRange,
      Contents: PDFHexString.of('0'.repeat(SIGNATURE_CONTENTS_BYTES * 2)),
      Name: PDFString.of(info.signerName),
      Reason: PDFString.of(info.reason),
      Location: PDFString.of(info.location),
      M: PDFString.fromDate(info.signedAt),
    }),
  );
  const widgetRef = context.register(
    context.obj({
      Type: 'Annot',
      Subtype: 'Widget',
      FT: 'Sig',
      Rect: [0, 0, 0, 0],
      V: signatureRef,
      T: PDFString.of('TTE Kepala Dinas'),
      F: 132,
      P: page.ref,
    }),
  );
  page.node.set(PDFName.of('Annots'), context.obj([widgetRef]));
  pdf.catalog.set(PDFName.of('AcroForm'), context.obj({ SigFlags: 3, Fields: [widgetRef] }));
}
