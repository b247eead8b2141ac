import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignedGroupJournal, stageFile } from '../../main/services/signing/signed-group-journal';
import { makeTempDir } from '../support/temp-dir';

let temp: ReturnType<typeof makeTempDir>;
let signedDir: string;
let journalDir: string;

beforeEach(() => {
  temp = makeTempDir('signed-group-journal');
  signedDir = join(temp.dir, 'signed');
  journalDir = join(temp.dir, 'signed-journal');
});
afterEach(() => temp.remove());

function signedFile(name: string, fill: number, size = 50_000) {
  const data = Buffer.alloc(size, fill);
  return { path: join(signedDir, `${name}.pdf`), data, sha256: createHash('sha256').update(data).digest('hex') };
}

const journalFiles = () => readdirSync(journalDir).filter((name) => name.endsWith('.group'));

describe('a group of signed permits made durable with one journal file', () => {
  it('puts every file under its final name, from bytes given or already staged under a temporary name', async () => {
    const journal = new SignedGroupJournal(journalDir, signedDir);
    const written = signedFile('written', 3);
    const staged = stageFile(written.path, written.data);
    expect(existsSync(await staged)).toBe(true);
    const given = signedFile('given', 4);
    await journal.write([given, { ...written, staged }]);
    expect(readFileSync(given.path).equals(given.data)).toBe(true);
    expect(readFileSync(written.path).equals(written.data)).toBe(true);
    expect(readdirSync(signedDir).sort()).toEqual(['given.pdf', 'written.pdf']);
    expect(journalFiles()).toHaveLength(1);
  });

  it('brings back, at the next start, every file a power cut took after the journal was written', async () => {
    const files = [signedFile('a', 1), signedFile('b', 2), signedFile('c', 3)];
    await new SignedGroupJournal(journalDir, signedDir).write(files);
    // what a power cut can do to files written but never flushed
    rmSync(files[0]!.path);
    truncateSync(files[1]!.path, 1000);

    const restarted = new SignedGroupJournal(journalDir, signedDir);
    expect(restarted.recover()).toBe(2);
    for (const file of files) expect(readFileSync(file.path).equals(file.data)).toBe(true);
    expect(journalFiles()).toHaveLength(0);
    expect(readdirSync(signedDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('drops a torn journal file (its group never committed) and touches no file', async () => {
    const files = [signedFile('a', 1), signedFile('b', 2)];
    await new SignedGroupJournal(journalDir, signedDir).write(files);
    const [name] = journalFiles();
    truncateSync(join(journalDir, name!), 60_000);
    rmSync(files[1]!.path);

    expect(new SignedGroupJournal(journalDir, signedDir).recover()).toBe(0);
    expect(journalFiles()).toHaveLength(0);
    expect(existsSync(files[1]!.path)).toBe(false);
    expect(readFileSync(files[0]!.path).equals(files[0]!.data)).toBe(true);
  });

  it('settles: once the files are flushed the journal files go, and nothing is left to recover', async () => {
    const journal = new SignedGroupJournal(journalDir, signedDir);
    const first = [signedFile('a', 1), signedFile('b', 2)];
    const second = [signedFile('c', 3)];
    const journals = [await journal.write(first), await journal.write(second)];
    expect(journalFiles()).toHaveLength(2);
    await journal.settle(journals);
    expect(journalFiles()).toHaveLength(0);
    expect(new SignedGroupJournal(journalDir, signedDir).recover()).toBe(0);
    for (const file of [...first, ...second]) expect(readFileSync(file.path).equals(file.data)).toBe(true);
  });
});
