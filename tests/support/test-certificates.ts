import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_HEAD_CERTIFICATE_SERIAL } from '../../server/seed/demo-configuration';

export const TEST_PASSPHRASE = 'Rahasia-Kadis-2026';
/** the passphrase of `p12.nonAsciiPassphrase`, in OpenSSL 3's default AES-256/PBKDF2 form */
export const NON_ASCII_PASSPHRASE = 'Kepala-Dinas-Ñusantara-ü-二〇二六';
/**
 * The subject serialNumber (the head's NIP) of every leaf certificate: the demo office's, so
 * the demo `kadis` account is bound to these certificates as to the demo one.
 */
export const TEST_SIGNER_SERIAL = DEMO_HEAD_CERTIFICATE_SERIAL;

export type TestCertificateCase =
  | 'valid'
  | 'legacy3des'
  | 'expired'
  | 'notYetValid'
  | 'noDigitalSignature'
  | 'untrusted'
  | 'ecKey'
  | 'corrupt'
  | 'issuerNotCa'
  | 'pathLenExceeded'
  | 'expiredIntermediate'
  | 'ekuServerAuthOnly'
  | 'rsa1024'
  | 'sha1Leaf'
  | 'revoked'
  | 'nonAsciiPassphrase'
  | 'validViaIntermediate'
  | 'unknownCriticalExtension'
  | 'underSha1Root';

export interface TestCertificates {
  dir: string;
  /** the office's root (the one tests trust) */
  caPem: string;
  /** path of each .p12, all with TEST_PASSPHRASE except `nonAsciiPassphrase` (NON_ASCII_PASSPHRASE) */
  p12: Record<TestCertificateCase, string>;
  /** path of each leaf certificate's PEM (`corrupt`: the valid one's) */
  leafPem: Record<TestCertificateCase, string>;
  /** the CRLs (DER) every CA published, `<ca>.crl`; what `crlBaseUrl` must serve. Also `office-stale.crl`: the office CRL of before `revoked` was revoked, past its nextUpdate for 30 days */
  crlDir: string;
  /** a root whose own self-signature is SHA-1, the issuer of `p12.underSha1Root` */
  sha1RootPem: string;
}

export interface TestCertificateOptions {
  /**
   * When given, every certificate names the CRL of its issuer, `<crlBaseUrl>/<ca>.crl`, and
   * `p12.revoked` is listed as revoked in the office CRL. Serve `testCrlDir(dir)` there.
   */
  crlBaseUrl?: string;
}

/** where makeTestCertificates(dir) writes the CRLs, known before the certificates exist */
export function testCrlDir(dir: string): string {
  return join(dir, 'crl');
}

/** SHA-256 fingerprint of a leaf certificate, lower-case hex without separators */
export function leafSha256(certs: TestCertificates, which: TestCertificateCase): string {
  return new X509Certificate(readFileSync(certs.leafPem[which])).fingerprint256.replace(/:/g, '').toLowerCase();
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

interface Ca {
  /** file name of its CRL and folder name */
  slug: string;
  dir: string;
  pem: string;
  key: string;
  cnf: string;
  /** the certificates above it, for the .p12 chain: itself first, the root last */
  chain: string[];
}

function caConfig(dir: string): string {
  mkdirSync(join(dir, 'newcerts'), { recursive: true });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  const file = join(dir, 'ca.cnf');
  writeFileSync(
    file,
    `[ca]\ndefault_ca = office\n[office]\ndir = ${dir}\ndatabase = $dir/index.txt\nnew_certs_dir = $dir/newcerts\nserial = $dir/serial\ndefault_md = sha256\ndefault_crl_days = 30\npolicy = any\nunique_subject = no\ncopy_extensions = none\n[any]\ncommonName = supplied\norganizationName = optional\ncountryName = optional\nserialNumber = optional\n`,
  );
  return file;
}

function cdpLine(issuer: Ca | null, crlBaseUrl: string | undefined): string {
  return issuer && crlBaseUrl ? `crlDistributionPoints=URI:${crlBaseUrl}/${issuer.slug}.crl\n` : '';
}

interface CaSpec {
  slug: string;
  name: string;
  /** absent: a self-signed root */
  issuer?: Ca;
  start: string;
  end: string;
  basicConstraints?: string;
  key: string;
  md?: string;
}

function makeCa(dir: string, spec: CaSpec, crlBaseUrl: string | undefined): Ca {
  const caDir = join(dir, spec.slug);
  mkdirSync(caDir, { recursive: true });
  const cnf = caConfig(caDir);
  const pem = join(caDir, 'ca.pem');
  openssl(['req', '-new', '-key', spec.key, '-out', 'ca.csr', '-subj', `/C=ID/O=${spec.name}/CN=${spec.name}${spec.issuer ? '' : ' Root CA'}`], caDir);
  writeFileSync(
    join(caDir, 'ca.ext'),
    `basicConstraints=${spec.basicConstraints ?? 'critical,CA:TRUE'}\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n${cdpLine(spec.issuer ?? null, crlBaseUrl)}`,
  );
  const signer = spec.issuer
    ? ['-config', spec.issuer.cnf, '-cert', spec.issuer.pem, '-keyfile', spec.issuer.key]
    : ['-config', cnf, '-selfsign', '-keyfile', spec.key];
  openssl(['ca', '-batch', '-notext', '-preserveDN', ...signer, '-in', 'ca.csr', '-out', pem, '-startdate', spec.start, '-enddate', spec.end, '-extfile', 'ca.ext', ...(spec.md ? ['-md', spec.md] : [])], caDir);
  return { slug: spec.slug, dir: caDir, pem, key: spec.key, cnf, chain: [pem, ...(spec.issuer?.chain ?? [])] };
}

interface Leaf {
  name: string;
  ca: Ca;
  keyUsage: string;
  start: string;
  end: string;
  /** an existing key file; absent: a new key of `keyType` */
  key?: string;
  keyType?: 'rsa' | 'ec' | 'rsa1024';
  legacy?: boolean;
  md?: string;
  extendedKeyUsage?: string;
  /** more extension lines */
  extra?: string;
  passphrase?: string;
}

function newKey(dir: string, file: string, type: 'rsa' | 'ec' | 'rsa1024'): string {
  if (type === 'ec') openssl(['ecparam', '-genkey', '-name', 'prime256v1', '-noout', '-out', file], dir);
  else openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${type === 'rsa1024' ? 1024 : 2048}`, '-out', file], dir);
  return join(dir, file);
}

function makeLeaf(dir: string, leaf: Leaf, crlBaseUrl: string | undefined): { p12: string; pem: string } {
  const key = leaf.key ?? newKey(dir, `${leaf.name}.key`, leaf.keyType ?? 'rsa');
  openssl(
    ['req', '-new', '-key', key, '-out', `${leaf.name}.csr`, '-subj', `/C=ID/O=DPMPTSP Kota Metro/CN=Drs. Hendra Saputra ${leaf.name}/serialNumber=${TEST_SIGNER_SERIAL}`],
    dir,
  );
  writeFileSync(
    join(dir, `${leaf.name}.ext`),
    `keyUsage=critical,${leaf.keyUsage}\nbasicConstraints=CA:FALSE\n${leaf.extendedKeyUsage ? `extendedKeyUsage=${leaf.extendedKeyUsage}\n` : ''}${leaf.extra ?? ''}${cdpLine(leaf.ca, crlBaseUrl)}`,
  );
  openssl(
    ['ca', '-batch', '-notext', '-preserveDN', '-config', leaf.ca.cnf, '-cert', leaf.ca.pem, '-keyfile', leaf.ca.key, '-in', `${leaf.name}.csr`, '-out', `${leaf.name}.pem`,
      '-startdate', leaf.start, '-enddate', leaf.end, '-extfile', `${leaf.name}.ext`, ...(leaf.md ? ['-md', leaf.md] : [])],
    dir,
  );
  const chainFile = join(dir, `${leaf.name}-chain.pem`);
  writeFileSync(chainFile, leaf.ca.chain.map((f) => readFileSync(f, 'utf8')).join(''));
  const p12 = exportP12(dir, leaf.name, key, leaf.passphrase ?? TEST_PASSPHRASE, leaf.legacy ?? false);
  return { p12, pem: join(dir, `${leaf.name}.pem`) };
}

function exportP12(dir: string, name: string, key: string, passphrase: string, legacy: boolean, file = `${name}.p12`): string {
  openssl(['pkcs12', '-export', ...(legacy ? ['-legacy'] : []), '-inkey', key, '-in', `${name}.pem`, '-certfile', `${name}-chain.pem`, '-name', 'Kepala Dinas',
    '-out', file, '-passout', `pass:${passphrase}`], dir);
  return join(dir, file);
}

function publishCrl(ca: Ca, crlDir: string): void {
  openssl(['ca', '-gencrl', '-config', ca.cnf, '-cert', ca.pem, '-keyfile', ca.key, '-crldays', '30', '-out', 'crl.pem'], ca.dir);
  openssl(['crl', '-in', 'crl.pem', '-outform', 'DER', '-out', join(crlDir, `${ca.slug}.crl`)], ca.dir);
}

/**
 * Real certificates and PKCS#12 files made by openssl, one for each case the desk must handle.
 * Unless a case needs otherwise, everything is issued by the office root (`caPem`).
 */
export function makeTestCertificates(dir: string, options: TestCertificateOptions = {}): TestCertificates {
  const { crlBaseUrl } = options;
  mkdirSync(dir, { recursive: true });
  const crlDir = testCrlDir(dir);
  mkdirSync(crlDir, { recursive: true });
  const now = new Date();
  const stamp = (d: Date) => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
  const days = (n: number) => stamp(new Date(now.getTime() + n * 86_400_000));
  const valid = { start: days(-30), end: days(365) };
  const caValidity = { start: days(-1000), end: days(3650) };

  // keys are reused where no rule depends on them: one for the roots' and intermediates' each, one for the leaves
  const rootKey = newKey(dir, 'root.key', 'rsa');
  const caKey = newKey(dir, 'intermediate.key', 'rsa');
  const leafKey = newKey(dir, 'leaf.key', 'rsa');
  const office = makeCa(dir, { slug: 'office', name: 'BSrE Uji', key: rootKey, ...caValidity }, crlBaseUrl);
  const stranger = makeCa(dir, { slug: 'stranger', name: 'CA Asing', key: newKey(dir, 'stranger.key', 'rsa'), ...caValidity }, crlBaseUrl);
  const subCa = makeCa(dir, { slug: 'sub-ca', name: 'BSrE Uji Sub CA', issuer: office, key: caKey, ...caValidity }, crlBaseUrl);
  const notCa = makeCa(dir, { slug: 'not-ca', name: 'Bukan CA', issuer: office, key: caKey, basicConstraints: 'critical,CA:FALSE', ...caValidity }, crlBaseUrl);
  const pathLenZero = makeCa(dir, { slug: 'pathlen-zero', name: 'CA Pathlen Nol', issuer: office, key: caKey, basicConstraints: 'critical,CA:TRUE,pathlen:0', ...caValidity }, crlBaseUrl);
  const grandchild = makeCa(dir, { slug: 'grandchild', name: 'CA Cucu', issuer: pathLenZero, key: caKey, ...caValidity }, crlBaseUrl);
  const expiredCa = makeCa(dir, { slug: 'expired-ca', name: 'CA Kedaluwarsa', issuer: office, key: caKey, start: days(-400), end: days(-35) }, crlBaseUrl);
  const sha1Root = makeCa(dir, { slug: 'sha1-root', name: 'CA Lama SHA1', key: caKey, md: 'sha1', ...caValidity }, crlBaseUrl);

  const sign = 'digitalSignature,nonRepudiation';
  const leaf = (spec: Omit<Leaf, 'key'> & { key?: string }) => makeLeaf(dir, { key: spec.keyType ? undefined : leafKey, ...spec }, crlBaseUrl);
  const made = {
    valid: leaf({ name: 'valid', ca: office, keyUsage: sign, ...valid }),
    legacy3des: leaf({ name: 'legacy', ca: office, keyUsage: sign, ...valid, legacy: true }),
    expired: leaf({ name: 'expired', ca: office, keyUsage: sign, start: days(-400), end: days(-35) }),
    notYetValid: leaf({ name: 'future', ca: office, keyUsage: sign, start: days(30), end: days(400) }),
    noDigitalSignature: leaf({ name: 'encipher', ca: office, keyUsage: 'keyEncipherment', ...valid }),
    untrusted: leaf({ name: 'stranger', ca: stranger, keyUsage: sign, ...valid }),
    ecKey: leaf({ name: 'ec', ca: office, keyUsage: sign, ...valid, keyType: 'ec' }),
    issuerNotCa: leaf({ name: 'issuer-not-ca', ca: notCa, keyUsage: sign, ...valid }),
    pathLenExceeded: leaf({ name: 'path-too-long', ca: grandchild, keyUsage: sign, ...valid }),
    expiredIntermediate: leaf({ name: 'expired-intermediate', ca: expiredCa, keyUsage: sign, ...valid }),
    ekuServerAuthOnly: leaf({ name: 'server-auth', ca: office, keyUsage: sign, extendedKeyUsage: 'serverAuth', ...valid }),
    rsa1024: leaf({ name: 'rsa1024', ca: office, keyUsage: sign, keyType: 'rsa1024', ...valid }),
    sha1Leaf: leaf({ name: 'sha1', ca: office, keyUsage: sign, md: 'sha1', ...valid }),
    revoked: leaf({ name: 'revoked', ca: office, keyUsage: sign, ...valid }),
    validViaIntermediate: leaf({ name: 'via-intermediate', ca: subCa, keyUsage: sign, extendedKeyUsage: 'emailProtection,1.3.6.1.5.5.7.3.36', ...valid }),
    unknownCriticalExtension: leaf({ name: 'unknown-critical', ca: office, keyUsage: sign, extra: '1.3.6.1.4.1.99999.1=critical,ASN1:NULL\n', ...valid }),
    underSha1Root: leaf({ name: 'under-sha1-root', ca: sha1Root, keyUsage: sign, ...valid }),
  };
  const nonAscii = exportP12(dir, 'valid', leafKey, NON_ASCII_PASSPHRASE, false, 'non-ascii.p12');

  // the office CRL as it was before `revoked` was revoked, current from 60 to 30 days ago: genuine, and stale
  openssl(['ca', '-gencrl', '-config', office.cnf, '-cert', office.pem, '-keyfile', office.key, '-crl_lastupdate', days(-60), '-crl_nextupdate', days(-30), '-out', 'stale-crl.pem'], office.dir);
  openssl(['crl', '-in', 'stale-crl.pem', '-outform', 'DER', '-out', join(crlDir, 'office-stale.crl')], office.dir);
  openssl(['ca', '-config', office.cnf, '-cert', office.pem, '-keyfile', office.key, '-revoke', made.revoked.pem, '-crl_reason', 'keyCompromise'], office.dir);
  for (const ca of [office, stranger, subCa, notCa, pathLenZero, grandchild, expiredCa, sha1Root]) publishCrl(ca, crlDir);

  const corrupt = join(dir, 'corrupt.p12');
  writeFileSync(corrupt, Buffer.concat([readFileSync(made.valid.p12).subarray(0, 200), Buffer.alloc(300, 0x41)]));
  const p12 = { corrupt, nonAsciiPassphrase: nonAscii } as Record<TestCertificateCase, string>;
  const leafPem = { corrupt: made.valid.pem, nonAsciiPassphrase: made.valid.pem } as Record<TestCertificateCase, string>;
  for (const [name, files] of Object.entries(made) as [TestCertificateCase, { p12: string; pem: string }][]) {
    p12[name] = files.p12;
    leafPem[name] = files.pem;
  }
  return { dir, caPem: readFileSync(office.pem, 'utf8'), p12, leafPem, crlDir, sha1RootPem: readFileSync(sha1Root.pem, 'utf8') };
}
