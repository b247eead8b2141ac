import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fdatasync, fdatasyncSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import type { SqliteHandle } from './sqlite-cipher';
import { restrictMode } from './sqlite-cipher';

/** An outbox row as it was inserted, every column by name. */
export type JournaledRow = Record<string, string | number | null>;

export interface JournalEntry {
  /** when the row was journaled (ISO) */
  at: string;
  row: JournaledRow;
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const APPEND_FUNCTION = 'meja_izin_journal_outbox';
const TRIGGER = 'meja_izin_outbox_journal';

/**
 * An append-only copy of every command that joins the outbox, in a file next to the cache: if
 * the cache is damaged and restored from a backup older than a decision, the decision is
 * replayed from here into the restored outbox (by its id, so twice is once). One line per
 * command, AES-256-GCM with a key derived from the cache key (never the cache key itself), so
 * the journal says nothing without the key and a torn or altered line is detected and skipped.
 *
 * The desk's connection journals every insert into `outbox` itself (`attach`: a connection-only
 * TEMP trigger calling a function of this module), so the outbox module needs no change to be
 * covered. The line is written before the transaction commits: a line whose transaction rolled
 * back is dropped by `compact` at the next open, where the live outbox says what really happened.
 *
 * Lines are flushed to disk once per turn of the event loop, not once per row: a transaction
 * that queues 25 signed permits costs one fdatasync, taken off the main thread. Why that keeps
 * the promise: a written line is in the kernel from `append` on, so a crash of the desk loses
 * nothing; only a power cut can lose the last unflushed lines, and a power cut equally loses
 * the cache's own last commits, which WAL with synchronous=NORMAL (open-cache-db.ts) syncs only
 * at checkpoints. The journal is the second copy for a cache restored from a backup, and what a
 * power cut can take from it the cache had not made durable either.
 */
export class OutboxJournal {
  private readonly key: Buffer;
  private fd: number | null = null;
  /** lines written since the last flush was issued */
  private dirty = false;
  private flushScheduled = false;
  /** flushes issued to the thread pool and not yet answered */
  private flushing = 0;
  /** counts descriptors opened, so a late flush answer is matched to its own */
  private opened = 0;

  constructor(
    readonly file: string,
    cacheKey: Buffer,
    private readonly now: () => Date = () => new Date(),
    private readonly onError: (error: unknown) => void = (error) => console.error('outbox journal: could not append', error),
  ) {
    this.key = Buffer.from(hkdfSync('sha256', cacheKey, Buffer.alloc(0), 'meja-izin outbox journal v1', 32));
  }

  /** Appends one row: written at once, flushed to disk with the rest of this turn's lines (see the class comment). */
  append(row: JournaledRow): void {
    const line = `${this.seal({ at: this.now().toISOString(), row })}\n`;
    if (this.fd === null) {
      this.fd = openSync(this.file, 'a', 0o600);
      this.opened += 1;
      restrictMode(this.file);
    }
    writeSync(this.fd, line);
    this.dirty = true;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Issues one fdatasync for every line written since the last one. */
  private flush(): void {
    this.flushScheduled = false;
    if (!this.dirty || this.fd === null) return;
    this.dirty = false;
    this.flushing += 1;
    const opened = this.opened;
    fdatasync(this.fd, (error) => {
      this.flushing -= 1;
      // a descriptor closed meanwhile was flushed synchronously by closeFile: its error is no loss
      if (error && opened === this.opened) this.onError(error);
    });
  }

  /** Every readable entry in order; lines that fail to decrypt (torn at a crash, altered) are counted, not trusted. */
  read(): { entries: JournalEntry[]; unreadable: number } {
    if (!existsSync(this.file)) return { entries: [], unreadable: 0 };
    const entries: JournalEntry[] = [];
    let unreadable = 0;
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line) continue;
      const entry = this.open(line);
      if (entry) entries.push(entry);
      else unreadable += 1;
    }
    return { entries, unreadable };
  }

  /**
   * Puts every journaled command that the outbox does not hold back into it, as pending (the
   * server answers a command id it already applied with its first answer). Returns how many.
   */
  replay(sqlite: SqliteHandle): number {
    const columns = new Set((sqlite.pragma('table_info(outbox)') as Array<{ name: string }>).map((c) => c.name));
    const exists = sqlite.prepare('SELECT 1 FROM outbox WHERE id = ?');
    const reset: JournaledRow = { status: 'pending', attempts: 0, next_attempt_at: this.now().toISOString(), result_code: null, result_message: null };
    let replayed = 0;
    sqlite.transaction(() => {
      for (const { row } of this.read().entries) {
        if (typeof row.id !== 'string' || exists.get(row.id)) continue;
        const values = Object.entries({ ...row, ...reset }).filter(([name]) => columns.has(name));
        sqlite
          .prepare(`INSERT INTO outbox (${values.map(([name]) => `"${name}"`).join(', ')}) VALUES (${values.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`)
          .run(...values.map(([, value]) => value));
        replayed += 1;
      }
    })();
    return replayed;
  }

  /** Rewrites the journal with only the entries `keep` accepts (temp file + rename). */
  compact(keep: (entry: JournalEntry) => boolean): void {
    const { entries, unreadable } = this.read();
    const kept = entries.filter(keep);
    if (kept.length === entries.length && unreadable === 0) return;
    this.closeFile();
    const temp = `${this.file}.compacting`;
    writeFileSync(temp, kept.map((entry) => `${this.seal(entry)}\n`).join(''), { mode: 0o600 });
    restrictMode(temp);
    renameSync(temp, this.file);
  }

  /** Journals every row inserted into `outbox` on this connection, from now on. */
  attach(sqlite: SqliteHandle): void {
    const columns = (sqlite.pragma('table_info(outbox)') as Array<{ name: string }>).map((c) => c.name);
    sqlite.function(APPEND_FUNCTION, { varargs: false }, (json: unknown) => {
      try {
        this.append(JSON.parse(String(json)) as JournaledRow);
      } catch (error) {
        // The decision itself is safe in the cache; losing its second copy must not refuse it.
        this.onError(error);
      }
      return null;
    });
    const fields = columns.map((name) => `'${name}', new."${name}"`).join(', ');
    sqlite.exec(`DROP TRIGGER IF EXISTS temp.${TRIGGER}`);
    sqlite.exec(`CREATE TEMP TRIGGER ${TRIGGER} AFTER INSERT ON main.outbox BEGIN SELECT ${APPEND_FUNCTION}(json_object(${fields})); END`);
  }

  close(): void {
    this.closeFile();
  }

  private closeFile() {
    if (this.fd === null) return;
    // lines still unflushed, or a flush not yet answered, are made durable before the descriptor goes
    if (this.dirty || this.flushing > 0) fdatasyncSync(this.fd);
    this.dirty = false;
    closeSync(this.fd);
    this.fd = null;
  }

  /** random nonces drawn 256 at a time: one CSPRNG call per 256 lines, not one per line (a signing group seals tens at once) */
  private nonces = Buffer.alloc(0);
  private nonceAt = 0;

  private nextNonce(): Buffer {
    if (this.nonceAt + NONCE_BYTES > this.nonces.length) {
      this.nonces = randomBytes(NONCE_BYTES * 256);
      this.nonceAt = 0;
    }
    const nonce = this.nonces.subarray(this.nonceAt, this.nonceAt + NONCE_BYTES);
    this.nonceAt += NONCE_BYTES;
    return nonce;
  }

  private seal(entry: JournalEntry): string {
    const nonce = this.nextNonce();
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(JSON.stringify(entry), 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
  }

  private open(line: string): JournalEntry | null {
    const raw = Buffer.from(line, 'base64');
    if (raw.length < NONCE_BYTES + TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, NONCE_BYTES));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const text = Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      const entry = JSON.parse(text) as JournalEntry;
      return typeof entry?.at === 'string' && entry.row && typeof entry.row === 'object' ? entry : null;
    } catch {
      return null;
    }
  }
}
