import { X509Certificate, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSigningIdentity } from '../../main/services/signing/pkcs12-identity';
import { openPfxNatively } from '../../main/services/signing/pkcs12-native';
import { makeDemoSigningCertificates } from '../../server/seed/demo-certificates';
import { makeTempDir } from '../support/temp-dir';
import { makeTestCertificates, TEST_PASSPHRASE, type TestCertificates } from '../support/test-certificates';

const temp = makeTempDir('signing-pkcs12');
let certs: TestCertificates;

beforeAll(() => {
  certs = makeTestCertificates(join(temp.dir, 'certs'));
});
afterAll(() => temp.remove());

describe('a .p12 opened with Node’s crypto', () => {
  it('opens OpenSSL 3’s default (PBES2, AES-256, MAC SHA-256) and node-forge’s AES form: the key and every certificate', () => {
    const demo = makeDemoSigningCertificates('Kepala Dinas Uji');
    for (const [p12, passphrase, leafPem] of [
      [readFileSync(certs.p12.valid), TEST_PASSPHRASE, readFileSync(certs.leafPem.valid, 'utf8')],
      [demo.p12, demo.passphrase, demo.certificatePem],
    ] as const) {
      const opened = openPfxNatively(p12, passphrase);
      expect(opened).not.toBeNull();
      const leaf = new X509Certificate(leafPem);
      expect(opened!.certificates.some((der) => der.equals(leaf.raw))).toBe(true);
      expect(opened!.certificates).toHaveLength(2);
      const identity = loadSigningIdentity(p12, passphrase);
      expect(identity.certificateDer.equals(leaf.raw)).toBe(true);
      expect(createPublicKey(identity.privateKey).export({ type: 'spki', format: 'der' }).equals(leaf.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    }
  });

  it('leaves to node-forge what it does not take on: the legacy 3DES form, a wrong passphrase, an EC key, a damaged file', () => {
    expect(openPfxNatively(readFileSync(certs.p12.legacy3des), TEST_PASSPHRASE)).toBeNull();
    expect(openPfxNatively(readFileSync(certs.p12.valid), 'salah-sandi')).toBeNull();
    expect(openPfxNatively(readFileSync(certs.p12.corrupt), TEST_PASSPHRASE)).toBeNull();
    // an EC key is opened natively but refused by loadSigningIdentity's forge path, as before
    expect(() => loadSigningIdentity(readFileSync(certs.p12.ecKey), TEST_PASSPHRASE)).toThrow(expect.objectContaining({ code: 'CERT_NOT_RSA' }));
    expect(() => loadSigningIdentity(readFileSync(certs.p12.valid), 'salah-sandi')).toThrow(expect.objectContaining({ code: 'P12_WRONG_PASSPHRASE' }));
    expect(loadSigningIdentity(readFileSync(certs.p12.legacy3des), TEST_PASSPHRASE).certificate.subject).toContain('Hendra Saputra legacy');
  });
});
