import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TEST_PASSPHRASE = 'Rahasia-Kadis-2026';

export interface TestCertificates {
  dir: string;
  caPem: string;
  /** path of each .p12, all with TEST_PASSPHRASE */
  p12: Record<'valid' | 'legacy3des' | 'expired' | 'notYetValid' | 'noDigitalSignature' | 'untrusted' | 'ecKey' | 'corrupt', string>;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function caConfig(dir: string): string {
  mkdirSync(join(dir, 'newcerts'), { recursive: true });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  const file = join(dir, 'ca.cnf');
  writeFileSync(
    file,
    `[ca]\ndefault_ca = office\n[office]\ndir = ${dir}\ndatabase = $dir/index.txt\nnew_certs_dir = $dir/newcerts\nserial = $dir/serial\ndefault_md = sha256\npolicy = any\nunique_subject = no\ncopy_extensions = none\n[any]\ncommonName = supplied\norganizationName = optional\ncountryName = optional\n`,
  );
  return file;
}

function makeCa(dir: string, name: string): { pem: string; key: string; cnf: string } {
  const caDir = join(dir, name);
  mkdirSync(caDir, { recursive: true });
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', `/C=ID/O=${name}/CN=${name} Root CA`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    caDir,
  );
  return { pem: join(caDir, 'ca.pem'), key: join(caDir, 'ca.key'), cnf: caConfig(caDir) };
}

interface Leaf {
  name: string;
  ca: { pem: string; key: string; cnf: string };
  keyUsage: string;
  start: string;
  end: string;
  keyType?: 'rsa' | 'ec';
  legacy?: boolean;
}

function makeLeaf(dir: string, leaf: Leaf): string {
  const key = `${leaf.name}.key`;
  if (leaf.keyType === 'ec') openssl(['ecparam', '-genkey', '-name', 'prime256v1', '-noout', '-out', key], dir);
  else openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key], dir);
  openssl(['req', '-new', '-key', key, '-out', `${leaf.name}.csr`, '-subj', `/C=ID/O=DPMPTSP Kota Metro/CN=Drs. Hendra Saputra ${leaf.name}`], dir);
  writeFileSync(join(dir, `${leaf.name}.ext`), `keyUsage=critical,${leaf.keyUsage}\nbasicConstraints=CA:FALSE\n`);
  openssl(['ca', '-batch', '-notext', '-config', leaf.ca.cnf, '-cert', leaf.ca.pem, '-keyfile', leaf.ca.key, '-in', `${leaf.name}.csr`, '-out', `${leaf.name}.pem`,
    '-startdate', leaf.start, '-enddate', leaf.end, '-extfile', `${leaf.name}.ext`], dir);
  const p12 = `${leaf.name}.p12`;
  openssl(['pkcs12', '-export', ...(leaf.legacy ? ['-legacy'] : []), '-inkey', key, '-in', `${leaf.name}.pem`, '-certfile', leaf.ca.pem, '-name', 'Kepala Dinas',
    '-out', p12, '-passout', `pass:${TEST_PASSPHRASE}`], dir);
  return join(dir, p12);
}

/** Real certificates and PKCS#12 files made by openssl, one for each case the desk must handle. */
export function makeTestCertificates(dir: string): TestCertificates {
  mkdirSync(dir, { recursive: true });
  const office = makeCa(dir, 'BSrE Uji');
  const stranger = makeCa(dir, 'CA Asing');
  const sign = 'digitalSignature,nonRepudiation';
  const now = new Date();
  const stamp = (d: Date) => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
  const days = (n: number) => new Date(now.getTime() + n * 86_400_000);
  const valid = { start: stamp(days(-30)), end: stamp(days(365)) };
  const p12 = {
    valid: makeLeaf(dir, { name: 'valid', ca: office, keyUsage: sign, ...valid }),
    legacy3des: makeLeaf(dir, { name: 'legacy', ca: office, keyUsage: sign, ...valid, legacy: true }),
    expired: makeLeaf(dir, { name: 'expired', ca: office, keyUsage: sign, start: stamp(days(-400)), end: stamp(days(-35)) }),
    notYetValid: makeLeaf(dir, { name: 'future', ca: office, keyUsage: sign, start: stamp(days(30)), end: stamp(days(400)) }),
    noDigitalSignature: makeLeaf(dir, { name: 'encipher', ca: office, keyUsage: 'keyEncipherment', ...valid }),
    untrusted: makeLeaf(dir, { name: 'stranger', ca: stranger, keyUsage: sign, ...valid }),
    ecKey: makeLeaf(dir, { name: 'ec', ca: office, keyUsage: sign, ...valid, keyType: 'ec' }),
    corrupt: join(dir, 'corrupt.p12'),
  };
  const good = readFileSync(p12.valid);
  writeFileSync(p12.corrupt, Buffer.concat([good.subarray(0, 200), Buffer.alloc(300, 0x41)]));
  return { dir, caPem: readFileSync(office.pem, 'utf8'), p12 };
}
