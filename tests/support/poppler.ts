import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** pdfsig's report; with `caPem`, the CA is trusted through a fresh NSS database. */
export function pdfsig(file: string, caPem?: string, workDir?: string): string {
  const args = [file];
  if (caPem && workDir) {
    const nss = join(workDir, `nss-${Date.now()}-${Math.random().toString(16).slice(2)}`);
    mkdirSync(nss, { recursive: true });
    writeFileSync(join(nss, 'ca.pem'), caPem);
    execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
    execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'office-ca', '-t', 'CT,C,C', '-i', join(nss, 'ca.pem')]);
    args.unshift('-nssdir', `sql:${nss}`);
  }
  const result = spawnSync('pdfsig', args, { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}

export function qpdfCheck(file: string): { status: number | null; output: string } {
  const result = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Renders page 1 with pdftoppm and reads its QR code with zbarimg. */
export function readQrCode(file: string, workDir: string): string {
  const prefix = join(workDir, `page-${Date.now()}`);
  execFileSync('pdftoppm', ['-r', '150', '-png', '-f', '1', '-l', '1', '-singlefile', file, prefix]);
  const result = spawnSync('zbarimg', ['-q', '--raw', `${prefix}.png`], { encoding: 'utf8' });
  return result.stdout.trim();
}
