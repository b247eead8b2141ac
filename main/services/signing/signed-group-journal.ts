import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFile as writeFileCallback, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface SignedFile {
  path: string;
  data: Uint8Array;
  sha256: string;
  /** `data` being written under a temporary name (stageFile), to be renamed to `path` */
  staged?: Promise<string> | null;
}

/**
 * Starts writing a signed file under a temporary name beside its final one, unflushed; resolves
 * to that name; write() renames it into place. (A batch's signing workers write the files they
 * finish themselves; this is for the ones finished on the main thread, with a time-stamp.)
 */
export function stageFile(path: string, data: Uint8Array): Promise<string> {
  const temp = temporaryName(path);
  // the callback form: a few hundred of these per batch, without a FileHandle and its promises each
  const staged = new Promise<string>((resolve, reject) => writeFileCallback(temp, data, { mode: 0o600 }, (error) => (error ? reject(error) : resolve(temp))));
  // awaited by write(), or dropped when its group never records; never an unhandled rejection meanwhile
  staged.catch(() => undefined);
  return staged;
}

/**
 * Makes a group of signed permits durable with one disk flush instead of one per file.
 *
 * A flush costs about the same for one file as for one large write, and some half a
 * millisecond per file when each file is flushed, so the group's signed PDFs are written
 * together into one journal file (beside the signed folder), flushed once with its directory,
 * BEFORE the group's transaction; each PDF is also written under its final name (to a
 * temporary name, then renamed), unflushed. Why that is as safe as flushing every file first:
 * - a crash of the desk (the process killed) loses nothing written: every final file is in
 *   place before the commit that names it;
 * - a power cut after the commit may lose unflushed final files, but never the journal file,
 *   flushed before the commit: at the next start `recover()` rewrites from it every file
 *   missing or not whole (it knows each one's SHA-256) and flushes it;
 * - a power cut before the commit leaves at most a torn journal file (its group never
 *   committed: recover() drops it) or a whole one whose files no command names, as a crash
 *   before the commit always left them (the next batch overwrites them).
 * Once the batch has ended, `settle()` flushes the final files and their folder, off the
 * user's wait, and only then deletes the journal files.
 *
 * Format: 4 bytes big-endian header length, the header (JSON: path, sha256 and length of
 * each file), then the files' bytes in that order.
 */
export class SignedGroupJournal {
  constructor(
    private readonly dir: string,
    private readonly signedDir: string,
  ) {
    mkdirSync(dir, { recursive: true });
    mkdirSync(signedDir, { recursive: true });
  }

  /** the final files each journal file written by this desk run names, for settle() */
  private readonly named = new Map<string, string[]>();

  /** Writes the group's journal file and every final file; resolves once the journal file is durable. Returns its path. */
  async write(files: SignedFile[]): Promise<string> {
    const journal = join(this.dir, `${String(Date.now()).padStart(15, '0')}-${randomBytes(6).toString('hex')}.group`);
    const header = Buffer.from(JSON.stringify(files.map((f) => ({ path: f.path, sha256: f.sha256, length: f.data.byteLength }))));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(header.length);
    const durable = (async () => {
      const handle = await open(journal, 'w', 0o600);
      try {
        await handle.writev([length, header, ...files.map((f) => f.data)]);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await syncDirectory(this.dir);
    })();
    const placed = Promise.all(
      files.map(async ({ path, data, staged }) => {
        const temp = await (staged ?? stageFile(path, data));
        await rename(temp, path);
      }),
    );
    const [journalWritten, filesPlaced] = await Promise.allSettled([durable, placed]);
    const failed = journalWritten.status === 'rejected' ? journalWritten : filesPlaced.status === 'rejected' ? filesPlaced : null;
    if (failed) {
      // the group will not commit: nothing for recover() to bring back
      await unlink(journal).catch(() => undefined);
      throw failed.reason;
    }
    this.named.set(journal, files.map((f) => f.path));
    return journal;
  }

  /** Flushes the final files the journal files name and the signed folder, then deletes the journal files. */
  async settle(journals: string[]): Promise<void> {
    for (const journal of journals) {
      for (const path of this.named.get(journal) ?? []) {
        const handle = await open(path, 'r').catch(() => null);
        if (!handle) continue;
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      }
    }
    await syncDirectory(this.signedDir);
    for (const journal of journals) {
      await unlink(journal);
      this.named.delete(journal);
    }
    await syncDirectory(this.dir);
  }

  /**
   * At start, before anything reads the signed folder: every file a whole journal file names is
   * made whole and durable under its final name; torn journal files are dropped. Returns how
   * many files were rewritten.
   */
  recover(): number {
    let rewritten = 0;
    // oldest first (names begin with the time written): a file two journals name ends as the later one wrote it
    const journals = readdirSync(this.dir)
      .filter((name) => name.endsWith('.group'))
      .sort();
    for (const name of journals) {
      const journal = join(this.dir, name);
      try {
        const entries = readJournal(readFileSync(journal))?.entries ?? [];
        for (const entry of entries) if (restore(entry)) rewritten += 1;
        for (const dir of new Set(entries.map((e) => dirname(e.path)))) syncDirectorySync(dir);
        unlinkSync(journal);
      } catch (error) {
        // kept: the next start tries again
        console.error(`signed group journal ${journal}: could not recover`, error);
      }
    }
    if (journals.length > 0) syncDirectorySync(this.dir);
    return rewritten;
  }
}

/** Makes one journaled file whole and durable under its final name; true when it had to be rewritten. */
function restore(entry: JournalEntry): boolean {
  let current: Buffer | null;
  try {
    current = readFileSync(entry.path);
  } catch {
    current = null;
  }
  const whole = current !== null && sha256(current) === entry.sha256;
  const temp = temporaryName(entry.path);
  const fd = whole ? openSync(entry.path, 'r') : openSync(temp, 'w', 0o600);
  try {
    if (!whole) writeSync(fd, entry.data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (!whole) renameSync(temp, entry.path);
  return !whole;
}

interface JournalEntry {
  path: string;
  sha256: string;
  data: Buffer;
}

/** The entries of a whole journal file; null when it is torn (shorter than it says, or a file not hashing to its SHA-256). */
function readJournal(bytes: Buffer): { entries: JournalEntry[] } | null {
  try {
    if (bytes.length < 4) return null;
    const headerEnd = 4 + bytes.readUInt32BE(0);
    if (headerEnd > bytes.length) return null;
    const header = JSON.parse(bytes.toString('utf8', 4, headerEnd)) as Array<{ path: string; sha256: string; length: number }>;
    const entries: JournalEntry[] = [];
    let at = headerEnd;
    for (const { path, sha256: expected, length } of header) {
      const data = bytes.subarray(at, at + length);
      if (data.length !== length || sha256(data) !== expected) return null;
      entries.push({ path, sha256: expected, data });
      at += length;
    }
    return { entries };
  } catch {
    return null;
  }
}

// unique per process (random) and per file (counted): no CSPRNG call per file
const TEMPORARY_PREFIX = randomBytes(6).toString('hex');
let temporaries = 0;

/** A name beside `path` for its bytes before they are complete. */
export function temporaryName(path: string): string {
  temporaries += 1;
  return `${path}.${TEMPORARY_PREFIX}-${temporaries}.tmp`;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function syncDirectorySync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
