import { readFileSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../shared/domain';
import { API_PREFIX, pullResponseSchema, type IssueRequest } from '../../shared/sync-protocol';
import { renderPermitPdf } from '../../shared/node/permit-pdf/permit-layout';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD, DEMO_PERMIT_TYPES, demoOffice } from '../../server/seed/demo-configuration';
import { makeSignedPermit } from '../support/make-signed-permit';
import { readServerDb } from '../support/office-server';
import { serverIssuedPermit, serverStage } from '../support/server-inspection';
import { makeTempDir } from '../support/temp-dir';
import { leafSha256, makeTestCertificates, type TestCertificates } from '../support/test-certificates';

const temp = makeTempDir('issue-verification');
const dbFile = join(temp.dir, 'server.sqlite');
let certs: TestCertificates;
let server: RunningCentralServer;
let token: string;
let files: Application[];

beforeAll(async () => {
  certs = makeTestCertificates(join(temp.dir, 'certs'));
  server = await startCentralServer({
    dbFile,
    seedDemoIfEmpty: {
      applications: 4,
      allAtStage: 'penandatanganan',
      trustedRootsPem: [certs.caPem],
      timeStampUrl: null,
      // kadis may sign with exactly one certificate: the `valid` leaf, by its fingerprint
      signers: [{ username: 'kadis', certificateSha256: [leafSha256(certs, 'valid')], subjectSerialNumber: null, certificatePem: readFileSync(certs.leafPem.valid, 'utf8') }],
    },
  });
  const login = await fetch(`${server.url}${API_PREFIX}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'kadis', password: DEMO_PASSWORD }),
  });
  token = ((await login.json()) as { token: string }).token;
  files = (await pull()).map((a) => a.application);
});
afterAll(async () => {
  await server.close();
  temp.remove();
});

async function pull() {
  const response = await fetch(`${server.url}${API_PREFIX}/sync/pull?since=0&limit=100`, { headers: { authorization: `Bearer ${token}` } });
  return pullResponseSchema.parse(await response.json()).applications;
}

async function deliver(application: Application, pdf: Buffer, overrides: Partial<IssueRequest> = {}, as = token) {
  const request: IssueRequest = {
    commandId: randomUUID(),
    applicationId: application.id,
    expectedStage: 'penandatanganan',
    sha256: createHash('sha256').update(pdf).digest('hex'),
    pdfBase64: pdf.toString('base64'),
    ...overrides,
  };
  const response = await fetch(`${server.url}${API_PREFIX}/permits/issue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${as}` },
    body: JSON.stringify(request),
  });
  return (await response.json()) as { status: string; code?: string; message?: string };
}

describe('the server issues a permit only behind a signature it has verified', () => {
  it('refuses an unsigned PDF', async () => {
    const target = files[0]!;
    const permitType = DEMO_PERMIT_TYPES.find((t) => t.id === target.permitTypeId)!;
    const unsigned = Buffer.from(
      await renderPermitPdf({ office: demoOffice(server.url), permitType, application: target, permitNumber: target.permitNumber, verificationUrl: null, draft: false }),
    );
    expect(await deliver(target, unsigned)).toMatchObject({ status: 'rejected', code: 'SIGNATURE_INVALID' });
  });

  it('refuses a PDF signed by a certificate from an untrusted CA, and one of an expired certificate', async () => {
    const target = files[0]!;
    const untrusted = await makeSignedPermit({ p12: certs.p12.untrusted, application: target });
    expect(await deliver(target, untrusted.pdf)).toMatchObject({ status: 'rejected', code: 'CERT_UNTRUSTED' });
    const expired = await makeSignedPermit({ p12: certs.p12.expired, application: target });
    expect(await deliver(target, expired.pdf)).toMatchObject({ status: 'rejected', code: 'CERT_EXPIRED' });
  });

  it("refuses a trusted certificate that is not registered to the official who delivers it", async () => {
    const target = files[0]!;
    const someoneElse = await makeSignedPermit({ p12: certs.p12.validViaIntermediate, application: target });
    expect(await deliver(target, someoneElse.pdf)).toMatchObject({ status: 'rejected', code: 'CERT_NOT_BOUND' });
  });

  it('refuses a back-dated signing time, claimed in the request or in the signature dictionary', async () => {
    const target = files[0]!;
    const genuine = await makeSignedPermit({ p12: certs.p12.valid, application: target });
    expect(await deliver(target, genuine.pdf, { signedAt: '1990-01-01T00:00:00.000Z' })).toMatchObject({ status: 'rejected', code: 'SIGNATURE_INVALID' });
    const backDated = await makeSignedPermit({ p12: certs.p12.valid, application: target, signedAt: new Date('2019-06-03T09:15:00+07:00') });
    expect(await deliver(target, backDated.pdf)).toMatchObject({ status: 'rejected', code: 'SIGNATURE_INVALID' });
  });

  it('refuses a signed permit altered after signing, even with a matching SHA-256 in the request', async () => {
    const target = files[0]!;
    const genuine = await makeSignedPermit({ p12: certs.p12.valid, application: target });
    const flipped = Buffer.from(genuine.pdf);
    flipped[200] = flipped[200]! ^ 0x01;
    expect(await deliver(target, flipped)).toMatchObject({ status: 'rejected', code: 'SIGNATURE_INVALID' });
    expect(serverStage(dbFile, target.id)).toBe('penandatanganan');
  });

  it('issues a genuine permit, recording the signer from the certificate and the time from its own clock', async () => {
    const target = files[0]!;
    const before = Date.now();
    // the server prepared this permit when it was numbered: the genuine permit is those bytes, signed
    const preparedPdf = readServerDb(dbFile, (db) => (db.prepare('SELECT pdf FROM prepared_permits WHERE application_id = ?').get(target.id) as { pdf: Buffer }).pdf);
    const genuine = await makeSignedPermit({ p12: certs.p12.valid, application: target, prepared: preparedPdf });
    expect(await deliver(target, genuine.pdf, { signedAt: '1990-01-01T00:00:00.000Z' })).toMatchObject({ status: 'rejected' });
    expect(await deliver(target, genuine.pdf)).toMatchObject({ status: 'accepted' });
    expect(serverStage(dbFile, target.id)).toBe('terbit');
    const issued = serverIssuedPermit(dbFile, target.id)!;
    expect(issued).toMatchObject({ signer_name: 'Drs. Hendra Saputra valid', certificate_issuer: 'BSrE Uji Root CA', pades_level: 'B-B', time_source: 'server_clock' });
    expect(Date.parse(issued.issued_at)).toBeGreaterThanOrEqual(before);
    const pulled = (await pull()).find((a) => a.application.id === target.id)!.application;
    expect(pulled.signedPermit).toMatchObject({ signerName: 'Drs. Hendra Saputra valid', sha256: issued.sha256 });
    const verify = await (await fetch(`${server.url}${API_PREFIX}/verify/${target.verificationId}`)).json();
    expect(verify).toMatchObject({ status: 'valid', signerName: 'Drs. Hendra Saputra valid', permitNumber: target.permitNumber, timeSource: 'server_clock', padesLevel: 'B-B' });
  });

  it('a delivery damaged on the way uses up nothing: the same command sent again intact is issued', async () => {
    const target = files[1]!;
    const preparedPdf = readServerDb(dbFile, (db) => (db.prepare('SELECT pdf FROM prepared_permits WHERE application_id = ?').get(target.id) as { pdf: Buffer }).pdf);
    const genuine = await makeSignedPermit({ p12: certs.p12.valid, application: target, prepared: preparedPdf });
    const commandId = randomUUID();
    const sha256 = createHash('sha256').update(genuine.pdf).digest('hex');
    const damaged = Buffer.from(genuine.pdf);
    damaged[damaged.length - 10] = damaged[damaged.length - 10]! ^ 0x20;
    expect(await deliver(target, damaged, { commandId, sha256 })).toMatchObject({ status: 'rejected', code: 'SIGNATURE_INVALID', message: expect.stringContaining('damaged') });
    expect(readServerDb(dbFile, (db) => db.prepare('SELECT count(*) AS n FROM commands WHERE id = ?').get(commandId))).toEqual({ n: 0 });
    expect(await deliver(target, genuine.pdf, { commandId })).toMatchObject({ status: 'accepted' });
    // and once applied, a damaged copy of the same command answers what it got
    expect(await deliver(target, damaged, { commandId, sha256 })).toMatchObject({ status: 'accepted' });
  });

  it('judges who delivers before reading the PDF: a penata\'s upload is refused for the role, however hostile the file', async () => {
    const login = await fetch(`${server.url}${API_PREFIX}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'penata', password: DEMO_PASSWORD }) });
    const penata = ((await login.json()) as { token: string }).token;
    const target = files[2]!;
    const notAPdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /XRef /W [1 0 0] /Size 10000000 >> stream\nendstream endobj\nstartxref\n9\n%%EOF\n');
    expect(await deliver(target, notAPdf, {}, penata)).toMatchObject({ status: 'rejected', code: 'FORBIDDEN_ROLE' });
    expect(await deliver({ ...target, id: 'no-such-file' }, notAPdf, {}, penata)).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
    expect(serverStage(dbFile, target.id)).toBe('penandatanganan');
  });
});
