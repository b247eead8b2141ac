import { PDFArray, PDFHexString, PDFName, PDFNumber, PDFString, type PDFDocument, type PDFPage, type PDFRef } from 'pdf-lib';
import { SIGNING_TIME_SLOT, signingTimeText } from './signing-time-slot';

/** Bytes reserved for the CMS in /Contents: the chain, and a time-stamp token, fit with room. */
export const SIGNATURE_CONTENTS_BYTES = 24 * 1024;
export const BYTE_RANGE_PLACEHOLDER = '**********';

export const SIGNATURE_FIELD_NAME = 'TTE Kepala Dinas';

export interface SignaturePlaceholderInfo {
  signerName: string;
  /** the claimed signing time (/M); null: not known yet, a SIGNING_TIME_SLOT the signer fills */
  signedAt: Date | null;
  reason: string;
  location: string;
  /** where the widget is on the page, [x, y, width, height]; without it the widget is invisible (zero size) */
  rect?: [number, number, number, number];
  /** the widget's normal appearance, a form XObject of the rect's size */
  appearance?: PDFRef;
  /**
   * DocMDP certification (ISO 32000-1 §12.8.2.2): 1 no change at all, 2 form filling and
   * signing, 3 also annotations. Default 1: an issued permit is final.
   */
  docMdpPermissions?: 1 | 2 | 3;
  fieldName?: string;
}

const EMPTY_CONTENTS_HEX = '0'.repeat(SIGNATURE_CONTENTS_BYTES * 2);
const EMPTY_CONTENTS = Buffer.from(`<${EMPTY_CONTENTS_HEX}>`, 'latin1');

/**
 * The /Contents placeholder: SIGNATURE_CONTENTS_BYTES zero bytes as a hex string. Written as one
 * copy of bytes made once: pdf-lib writes a hex string a character at a time, and the server
 * writes this one into every permit it prepares.
 */
function emptyContents(): PDFHexString {
  return Object.assign(PDFHexString.of(EMPTY_CONTENTS_HEX), {
    copyBytesInto(buffer: Uint8Array, offset: number): number {
      buffer.set(EMPTY_CONTENTS, offset);
      return EMPTY_CONTENTS.length;
    },
  });
}

/** Annotation flag Print (ISO 32000-1 §12.5.3, bit 3): shown and printed, not hidden. */
const ANNOTATION_PRINT = 4;

/**
 * An empty PAdES signature: a /Sig dictionary with placeholder /ByteRange and /Contents that
 * certifies the document (DocMDP), its widget on the page with an appearance, the AcroForm that
 * lists it and the catalog's /Perms. The signer fills /ByteRange and /Contents in place once the
 * file's bytes are final; the file stays one revision.
 */
export function addSignaturePlaceholder(pdf: PDFDocument, page: PDFPage, info: SignaturePlaceholderInfo): PDFRef {
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
      Contents: emptyContents(),
      // A certification signature: the signature reference says what may change afterwards.
      Reference: [
        {
          Type: 'SigRef',
          TransformMethod: 'DocMDP',
          TransformParams: { Type: 'TransformParams', P: info.docMdpPermissions ?? 1, V: '1.2' },
          // required since ISO 32000-2:2020 (no default); SHA256 is one of its values
          DigestMethod: 'SHA256',
        },
      ],
      // text strings as UTF-16BE hex (ISO 32000-1 §7.9.2.2): a literal string would need its
      // parentheses and backslashes escaped and could carry no character beyond Latin-1
      Name: PDFHexString.fromText(info.signerName),
      Reason: PDFHexString.fromText(info.reason),
      Location: PDFHexString.fromText(info.location),
      // PAdES wants /M (ETSI EN 319 142-1): the time, or the slot for it when signing comes later
      M: PDFString.of(info.signedAt ? signingTimeText(info.signedAt) : SIGNING_TIME_SLOT),
    }),
  );
  const [x, y, width, height] = info.rect ?? [0, 0, 0, 0];
  const widget = context.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    Rect: [x, y, x + width, y + height],
    V: signatureRef,
    T: PDFString.of(info.fieldName ?? SIGNATURE_FIELD_NAME),
    F: ANNOTATION_PRINT,
    P: page.ref,
  });
  if (info.appearance) widget.set(PDFName.of('AP'), context.obj({ N: info.appearance }));
  const widgetRef = context.register(widget);
  const annots = page.node.Annots();
  if (annots) annots.push(widgetRef);
  else page.node.set(PDFName.of('Annots'), context.obj([widgetRef]));
  // SigFlags 3: SignaturesExist and AppendOnly.
  pdf.catalog.set(PDFName.of('AcroForm'), context.obj({ SigFlags: 3, Fields: [widgetRef] }));
  pdf.catalog.set(PDFName.of('Perms'), context.obj({ DocMDP: signatureRef }));
  return signatureRef;
}
