import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream, PDFRef, PDFStream, PDFHexString, decodePDFRawStream } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application, PermitType } from '../../shared/domain';
import type { Office } from '../../shared/office';
import { renderPermitAwaitingNumber, renderPermitPdf, type PermitPdfInput } from '../../shared/node/permit-pdf/permit-layout';
import { buildCadesSignature } from '../../main/services/signing/cades-signature';
import { signPreparedPdf } from '../../main/services/signing/pdf-signer';
import { loadSigningIdentity, type SigningIdentity } from '../../main/services/signing/pkcs12-identity';
import { subjectCommonName } from '../../shared/node/certificate-names';
import { DEMO_PERMIT_TYPES, PEKANBARU_SIKRO, demoOffice } from '../../server/seed/demo-configuration';
import { pdfsig, qpdfCheck, readQrCode } from '../support/poppler';
import { makeTempDir } from '../support/temp-dir';
import { makeTestCertificates, TEST_PASSPHRASE, type TestCertificates } from '../support/test-certificates';

const temp = makeTempDir('permit-pdf');
let certs: TestCertificates;
let identity: SigningIdentity;
let signerCn: string;
let issuerCn: string;
/** a CRL and an OCSP response (DER) from a small CA of this test, for the /DSS */
let crlDer: Buffer;
let ocspDer: Buffer;

const office: Office = { ...demoOffice('https://verifikasi.dpmptsp.example.id'), signers: [] };
const SIGNED_AT = new Date('2026-11-24T05:36:00Z'); // 12:36 WIB, 13:36 WITA, 14:36 WIT
const METRO_TYPE = DEMO_PERMIT_TYPES[0]!;

function commonName(distinguishedName: string): string {
  return distinguishedName.split('\n').find((l) => l.startsWith('CN='))!.slice(3);
}

function application(permitType: PermitType, n: number): Application {
  return {
    id: `app-${n}`,
    registrationNumber: `MPPD-2026-${String(n).padStart(6, '0')}`,
    permitTypeId: permitType.id,
    workflowId: permitType.workflowId,
    stage: 'penandatanganan',
    applicant: {
      fullName: 'Rina Anggraini, A.Md.RO.',
      nik: '1471024506950002',
      birthPlace: 'Pekanbaru',
      birthDate: '1995-06-05',
      gender: 'P',
      address: 'Jl. Tuanku Tambusai No. 12, Kec. Payung Sekaki, Pekanbaru, Riau',
      phone: '081234567890',
      profession: 'Refraksionis Optisien',
      strNumber: 'RO1471000123456',
      strValidUntil: '2030-06-05',
      facilityName: 'Optik Sehat Sudirman',
      facilityAddress: 'Jl. Jenderal Sudirman No. 200, Pekanbaru',
    },
    checklist: {},
    submittedAt: '2026-11-20T02:00:00.000Z',
    completeAt: '2026-11-20T02:00:00.000Z',
    stageEnteredAt: '2026-11-23T02:00:00.000Z',
    permitNumber: `503/${permitType.template.numberCode}/${String(n).padStart(4, '0')}/DPMPTSP/2026`,
    verificationId: `v${n}q8k2m4x7`,
    version: 1,
    claimedBy: null,
  } as Application;
}

function input(permitType: PermitType, n: number, overrides: Partial<PermitPdfInput> = {}): PermitPdfInput {
  const app = application(permitType, n);
  return {
    office,
    permitType,
    application: app,
    permitNumber: app.permitNumber,
    verificationUrl: `${office.verificationBaseUrl}/verifikasi/${app.verificationId}`,
    draft: false,
    signing: { signedAt: SIGNED_AT, signerName: signerCn, signerSerialNumber: '19720815 199803 1 004', certificateIssuerName: issuerCn },
    ...overrides,
  };
}

async function signToFile(prepared: Uint8Array, name: string): Promise<string> {
  const signed = await signPreparedPdf(prepared, (digest) => buildCadesSignature({ documentDigest: digest, identity }));
  const file = join(temp.dir, name);
  writeFileSync(file, signed);
  return file;
}

function pdfText(file: string): string {
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

/** A second small CA that revokes nothing: its CRL and an OCSP response about one leaf. */
function makeRevocationData(dir: string): { crl: Buffer; ocsp: Buffer } {
  mkdirSync(join(dir, 'newcerts'), { recursive: true });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '2000\n');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    `[ca]\ndefault_ca = r\n[r]\ndir = ${dir}\ndatabase = $dir/index.txt\nnew_certs_dir = $dir/newcerts\nserial = $dir/serial\ncrlnumber = $dir/crlnumber\ndefault_md = sha256\ndefault_crl_days = 7\npolicy = any\n[any]\ncommonName = supplied\n`,
  );
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Revocation Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
  run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=Leaf']);
  run(['ca', '-batch', '-notext', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'leaf.csr', '-out', 'leaf.pem', '-days', '30']);
  run(['ca', '-gencrl', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-out', 'crl.pem']);
  run(['crl', '-in', 'crl.pem', '-outform', 'DER', '-out', 'crl.der']);
  run(['ocsp', '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-no_nonce', '-reqout', 'req.der']);
  run(['ocsp', '-index', 'index.txt', '-rsigner', 'ca.pem', '-rkey', 'ca.key', '-CA', 'ca.pem', '-reqin', 'req.der', '-respout', 'resp.der']);
  return { crl: readFileSync(join(dir, 'crl.der')), ocsp: readFileSync(join(dir, 'resp.der')) };
}

function signatureParts(pdf: PDFDocument) {
  const catalog = pdf.catalog;
  const acroForm = catalog.lookup(PDFName.of('AcroForm'), PDFDict);
  const widget = acroForm.lookup(PDFName.of('Fields'), PDFArray).lookup(0, PDFDict);
  const signature = widget.lookup(PDFName.of('V'), PDFDict);
  return { catalog, widget, signature, signatureRef: widget.get(PDFName.of('V')) as PDFRef };
}

function streamBytes(pdf: PDFDocument, ref: unknown): Buffer {
  return Buffer.from((pdf.context.lookup(ref as PDFRef, PDFStream) as PDFRawStream).getContents());
}

beforeAll(() => {
  certs = makeTestCertificates(join(temp.dir, 'certs'));
  identity = loadSigningIdentity(readFileSync(certs.p12.valid), TEST_PASSPHRASE);
  signerCn = subjectCommonName(identity.certificate)!;
  issuerCn = commonName(identity.certificate.issuer);
  ({ crl: crlDer, ocsp: ocspDer } = makeRevocationData(join(temp.dir, 'revocation')));
});
afterAll(() => temp.remove());

describe('a signed Metro permit', () => {
  let file: string;
  beforeAll(async () => {
    file = await signToFile(await renderPermitPdf(input(METRO_TYPE, 1)), 'metro.pdf');
  });

  it('is valid, trusted and totally signed for pdfsig, and clean for qpdf', () => {
    const report = pdfsig(file, certs.caPem, temp.dir);
    expect(report).toContain('Signature is Valid.');
    expect(report).toContain('Certificate is Trusted.');
    expect(report).toContain('Total document signed');
    expect(report).toContain('Signature Field Name: TTE Kepala Dinas');
    const qpdf = qpdfCheck(file);
    expect(qpdf.status).toBe(0);
    expect(qpdf.output).toContain('No syntax or stream encoding errors');
    // one revision: nothing was appended after the signed bytes
    expect(readFileSync(file, 'latin1').match(/%%EOF/g)).toHaveLength(1);
  });

  it("names the certificate's holder and the CA that really issued it, and the office's letterhead", () => {
    const text = pdfText(file);
    expect(issuerCn).toBe('BSrE Uji Root CA');
    expect(text).toContain(signerCn);
    expect(text).toContain(`diterbitkan oleh ${issuerCn}.`);
    expect(text).not.toContain('diterbitkan oleh BSrE.');
    expect(text).toContain('NIP. 19720815 199803 1 004');
    expect(text).toContain('PEMERINTAH KOTA METRO');
    expect(text).toContain('Ditetapkan di Kota Metro');
    expect(text).toContain('Terpadu Satu Pintu Kota Metro');
    // the widget's appearance: who, when in the office's zone, which certificate
    expect(text).toContain('Ditandatangani secara elektronik oleh:');
    expect(text).toContain('pada 24 November 2026 pukul 12:36 WIB');
    expect(text).toContain(`Sertifikat: ${issuerCn}`);
  });

  it('carries a QR code, drawn as one path, that zbarimg reads from a 150 dpi render', async () => {
    expect(readQrCode(file, temp.dir)).toBe(`${office.verificationBaseUrl}/verifikasi/v1q8k2m4x7`);
    const pdf = await PDFDocument.load(readFileSync(file), { updateMetadata: false });
    const contents = pdf.getPage(0).node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray().map((r) => pdf.context.lookup(r)) : [contents];
    const operators = streams.map((s) => Buffer.from(decodePDFRawStream(s as PDFRawStream).decode()).toString('latin1')).join('\n');
    // a handful of painted paths (QR background, QR, rule), not one per module
    const paints = operators.split(/\s+/).filter((op) => /^(f\*?|F|B\*?|b\*?|S|s)$/.test(op));
    expect(paints.length).toBeGreaterThan(0);
    expect(paints.length).toBeLessThan(6);
  });

  it('names each of its fonts once in the page resources, and compresses its text but for the number line', async () => {
    const pdf = await PDFDocument.load(readFileSync(file), { updateMetadata: false });
    const page = pdf.getPage(0).node;
    const fonts = page.Resources()!.lookup(PDFName.of('Font'), PDFDict);
    const fontRefs = fonts.entries().map(([, ref]) => ref);
    // regular and bold, each under one name (set again only where the font changes, never one name a line)
    expect(new Set(fontRefs).size).toBe(2);
    expect(fontRefs.length).toBeLessThanOrEqual(12);
    const contents = page.Contents();
    const streams = (contents instanceof PDFArray ? contents.asArray() : [contents]).map((r) => pdf.context.lookup(r) as PDFRawStream);
    const plain = streams.filter((s) => s.dict.get(PDFName.of('Filter')) === undefined);
    expect(plain).toHaveLength(1);
    expect(Buffer.from(plain[0]!.getContents()).toString('latin1')).toContain(' Tj');
    for (const stream of streams.filter((s) => s !== plain[0])) {
      expect(stream.dict.get(PDFName.of('Filter'))).toBe(PDFName.of('FlateDecode'));
      expect(Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1')).toMatch(/ Tj|Do/);
    }
  });

  it('has a visible, printed signature widget with an appearance, and certifies the document (DocMDP, no changes)', async () => {
    const pdf = await PDFDocument.load(readFileSync(file), { updateMetadata: false });
    const { catalog, widget, signature, signatureRef } = signatureParts(pdf);
    const [x1, y1, x2, y2] = widget.lookup(PDFName.of('Rect'), PDFArray).asArray().map((n) => (n as PDFNumber).asNumber()) as [number, number, number, number];
    expect(x2 - x1).toBeGreaterThan(100);
    expect(y2 - y1).toBeGreaterThan(30);
    expect(widget.lookup(PDFName.of('F'), PDFNumber).asNumber()).toBe(4);
    expect(widget.get(PDFName.of('T'))?.toString()).toBe('(TTE Kepala Dinas)');
    const appearance = widget.lookup(PDFName.of('AP'), PDFDict).lookup(PDFName.of('N'), PDFStream);
    expect(appearance.dict.get(PDFName.of('Subtype'))).toBe(PDFName.of('Form'));
    const annots = pdf.getPage(0).node.Annots()!;
    expect(annots.asArray().some((r) => r === acroFieldRef(pdf))).toBe(true);

    expect(catalog.lookup(PDFName.of('Perms'), PDFDict).get(PDFName.of('DocMDP'))).toBe(signatureRef);
    const reference = signature.lookup(PDFName.of('Reference'), PDFArray).lookup(0, PDFDict);
    expect(reference.get(PDFName.of('TransformMethod'))).toBe(PDFName.of('DocMDP'));
    const params = reference.lookup(PDFName.of('TransformParams'), PDFDict);
    expect(params.lookup(PDFName.of('P'), PDFNumber).asNumber()).toBe(1);
    expect(params.get(PDFName.of('V'))).toBe(PDFName.of('1.2'));
    expect(catalog.get(PDFName.of('DSS'))).toBeUndefined();
  });
});

function acroFieldRef(pdf: PDFDocument): PDFRef {
  return pdf.catalog.lookup(PDFName.of('AcroForm'), PDFDict).lookup(PDFName.of('Fields'), PDFArray).get(0) as PDFRef;
}

describe('a signed Pekanbaru SIKRO permit with validation data (PAdES B-LT)', () => {
  let file: string;
  beforeAll(async () => {
    const validationData = {
      certificates: [identity.certificateDer, ...identity.chain.map((c) => c.raw)],
      crls: [crlDer],
      ocspResponses: [ocspDer],
    };
    const pekanbaru = input(PEKANBARU_SIKRO, 2);
    file = await signToFile(await renderPermitPdf({ ...pekanbaru, signing: { ...pekanbaru.signing!, validationData } }), 'pekanbaru.pdf');
    const screenshots = join('test-results', 'screenshots');
    mkdirSync(screenshots, { recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '80', '-singlefile', file, join(screenshots, 'permit-signed-pekanbaru')]);
  });

  it('is valid, trusted and totally signed: the /DSS is inside the one signed revision', () => {
    const report = pdfsig(file, certs.caPem, temp.dir);
    expect(report).toContain('Signature is Valid.');
    expect(report).toContain('Certificate is Trusted.');
    expect(report).toContain('Total document signed');
    expect(qpdfCheck(file).status).toBe(0);
    expect(readFileSync(file, 'latin1').match(/%%EOF/g)).toHaveLength(1);
  });

  it("reads as Pekanbaru's permit, not Metro's", () => {
    const text = pdfText(file);
    expect(text).toContain('PEMERINTAH KOTA PEKANBARU');
    expect(text).toContain('Ditetapkan di Pekanbaru');
    expect(text).toContain('Terpadu Satu Pintu Kota Pekanbaru');
    expect(text).not.toContain('METRO');
    expect(text).not.toMatch(/Kota Metro/i);
    expect(text).toContain(signerCn);
    expect(text).toContain(`diterbitkan oleh ${issuerCn}.`);
    expect(text).not.toContain('diterbitkan oleh BSrE.');
    expect(readQrCode(file, temp.dir)).toBe(`${office.verificationBaseUrl}/verifikasi/v2q8k2m4x7`);
  });

  it('stores the chain, the CRL and the OCSP response in the catalog /DSS, byte for byte', async () => {
    const pdf = await PDFDocument.load(readFileSync(file), { updateMetadata: false });
    const dss = pdf.catalog.lookup(PDFName.of('DSS'), PDFDict);
    const certsInDss = dss.lookup(PDFName.of('Certs'), PDFArray).asArray().map((r) => streamBytes(pdf, r));
    expect(certsInDss).toHaveLength(2);
    expect(certsInDss[0]!.equals(identity.certificateDer)).toBe(true);
    expect(certsInDss[1]!.equals(identity.chain[0]!.raw)).toBe(true);
    const crls = dss.lookup(PDFName.of('CRLs'), PDFArray).asArray().map((r) => streamBytes(pdf, r));
    expect(crls).toHaveLength(1);
    expect(crls[0]!.equals(crlDer)).toBe(true);
    const ocsps = dss.lookup(PDFName.of('OCSPs'), PDFArray).asArray().map((r) => streamBytes(pdf, r));
    expect(ocsps[0]!.equals(ocspDer)).toBe(true);
    const { signature } = signatureParts(pdf);
    expect(signature.lookup(PDFName.of('Reference'), PDFArray).lookup(0, PDFDict).lookup(PDFName.of('TransformParams'), PDFDict).lookup(PDFName.of('P'), PDFNumber).asNumber()).toBe(1);
  });
});

describe('what the permit says in other cases', () => {
  it('with the old call (no issuer, no serial) names no CA and prints no NIP from configuration', async () => {
    const file = await signToFile(await renderPermitPdf(input(METRO_TYPE, 3, { signing: { signedAt: SIGNED_AT, signerName: signerCn } })), 'old-call.pdf');
    const text = pdfText(file);
    expect(text).toContain('Dokumen ini ditandatangani secara elektronik menggunakan sertifikat elektronik.');
    expect(text).not.toContain('BSrE');
    expect(text).not.toContain('NIP.');
    expect(text).not.toContain(office.headName);
    expect(pdfsig(file)).toContain('Signature is Valid.');
  });

  it("prints a subject serialNumber that is not an NIP as the certificate's number, and the office's zone", async () => {
    const makassar: Office = { ...office, timeZone: 'Asia/Makassar' };
    const base = input(METRO_TYPE, 4, { office: makassar });
    const file = await signToFile(await renderPermitPdf({ ...base, signing: { ...base.signing!, signerSerialNumber: 'PNS-8812-X' } }), 'serial.pdf');
    const text = pdfText(file);
    expect(text).toContain('No. Seri Sertifikat: PNS-8812-X');
    expect(text).not.toContain('NIP.');
    expect(text).toContain('pukul 13:36 WITA');
  });

  it('prints a name or CA outside the standard fonts\' WinAnsi without failing the batch', async () => {
    const file = join(temp.dir, 'winansi.pdf');
    writeFileSync(file, await renderPermitPdf(input(METRO_TYPE, 6, { signing: { signedAt: SIGNED_AT, signerName: 'Şükrü Ğaffar 王', certificateIssuerName: 'Ωmega CA' } })));
    const text = pdfText(file);
    expect(text).toContain('Sukru Gaffar ?');
    expect(text).toContain('diterbitkan oleh ?mega CA.');
  });

  it('keeps drafts unsigned, watermarked and numbered later, under the honest letterhead', async () => {
    const base = input(PEKANBARU_SIKRO, 5, { draft: true, signing: undefined, permitNumber: null });
    const bytes = await renderPermitPdf(base);
    const file = join(temp.dir, 'draft.pdf');
    writeFileSync(file, bytes);
    const text = pdfText(file);
    expect(text).toContain('DRAF');
    expect(text).toContain('(nomor diberikan pada tahap penomoran)');
    expect(text).toContain('PEMERINTAH KOTA PEKANBARU');
    expect(text).not.toContain('METRO');
    expect(text).not.toContain('diterbitkan oleh');
    expect(Buffer.from(bytes).includes('/ByteRange')).toBe(false);
    expect(pdfsig(file)).not.toContain('Signature is Valid.');
  });
});

describe('a permit rendered before its number was taken', () => {
  const numbered = (sequence: string) => `503/${METRO_TYPE.template.numberCode}/${sequence}/DPMPTSP/2026`;

  it('takes its number in place: byte for byte the permit rendered with that number, valid once signed', async () => {
    const base = input(METRO_TYPE, 7, { permitNumber: numbered('0000') });
    const awaiting = await renderPermitAwaitingNumber({ ...base, permitNumber: numbered('0000') });
    const written = awaiting.withNumber(numbered('0427'))!;
    expect(written).not.toBeNull();
    const rendered = await renderPermitPdf({ ...base, permitNumber: numbered('0427') });
    expect(Buffer.from(written).equals(Buffer.from(rendered))).toBe(true);
    // the placeholder is left nowhere, in the text or the signature's reason
    expect(Buffer.from(written).includes(numbered('0000'))).toBe(false);
    const file = await signToFile(written, 'numbered-in-place.pdf');
    expect(pdfText(file)).toContain(`Nomor: ${numbered('0427')}`);
    const report = pdfsig(file, certs.caPem, temp.dir);
    expect(report).toContain('Signature is Valid.');
    const { signature } = signatureParts(await PDFDocument.load(readFileSync(file)));
    expect(signature.lookup(PDFName.of('Reason'), PDFHexString).decodeText()).toBe(`Penerbitan ${METRO_TYPE.template.title} Nomor ${numbered('0427')}`);
    expect(qpdfCheck(file).status).toBe(0);
  });

  it('reads in order, and writes a signature reason with an unbalanced parenthesis, a backslash and a non-Latin-1 letter in the title', async () => {
    const title = 'SURAT IZIN (PRAKTIK \\ Ş';
    const permitType = { ...METRO_TYPE, template: { ...METRO_TYPE.template, title } };
    const base = input(permitType, 9);
    const awaiting = await renderPermitAwaitingNumber({ ...base, permitNumber: numbered('0000') });
    const written = awaiting.withNumber(numbered('0031'))!;
    expect(Buffer.from(written).equals(Buffer.from(await renderPermitPdf({ ...base, permitNumber: numbered('0031') })))).toBe(true);
    const file = await signToFile(written, 'odd-title.pdf');
    expect(pdfsig(file, certs.caPem, temp.dir)).toContain('Signature is Valid.');
    expect(qpdfCheck(file).status).toBe(0);
    const { signature } = signatureParts(await PDFDocument.load(readFileSync(file)));
    expect(signature.lookup(PDFName.of('Reason'), PDFHexString).decodeText()).toBe(`Penerbitan ${title} Nomor ${numbered('0031')}`);
    // in content order the number follows the heading and comes before the applicant's data
    const raw = execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' });
    expect(raw.indexOf(`Nomor: ${numbered('0031')}`)).toBeGreaterThan(raw.indexOf('PEMERINTAH'));
    expect(raw.indexOf(`Nomor: ${numbered('0031')}`)).toBeLessThan(raw.indexOf('Dasar Hukum'));
  });

  it('refuses a number of another length or width, and a second write leaves the first untouched', async () => {
    const base = input(METRO_TYPE, 8);
    const awaiting = await renderPermitAwaitingNumber({ ...base, permitNumber: numbered('0000') });
    expect(awaiting.withNumber(numbered('10000'))).toBeNull();
    // same length, but a letter is not as wide as a digit
    expect(awaiting.withNumber(numbered('00W0'))).toBeNull();
    const placeholder = Buffer.from(awaiting.pdf);
    const first = awaiting.withNumber(numbered('0001'))!;
    const second = awaiting.withNumber(numbered('0002'))!;
    expect(Buffer.from(first).equals(Buffer.from(await renderPermitPdf({ ...base, permitNumber: numbered('0001') })))).toBe(true);
    expect(Buffer.from(second).equals(Buffer.from(await renderPermitPdf({ ...base, permitNumber: numbered('0002') })))).toBe(true);
    expect(Buffer.from(awaiting.pdf).equals(placeholder)).toBe(true);
  });
});
