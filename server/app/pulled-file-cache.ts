/**
 * Pulled files as JSON, shared by every desk's pull.
 *
 * In an office every change of a file is pulled by each desk that may see it: a file a penata
 * passes on is fetched by every penata's and koordinator's desk within one sync interval. Its
 * pulled form (the file with its claim, permit hashes, documents' metadata, events and national
 * records) is the same for each of them, so it is read and serialised once per change instead
 * of once per desk. Who may see it is still decided per official and per pull (access-scope.ts):
 * this only holds what was already read for someone allowed to see it.
 *
 * Keyed by the file and its change value: every write to anything a pulled file carries takes
 * a new change value in its transaction (change-sequence.ts), which is what desks rely on to see
 * it at all, so an entry for the value a pull reads is that file's content. The national records
 * are the one part written outside that rule (by an import, not by a decision); an entry is
 * therefore kept at most MAX_AGE_MS, which bounds how long a re-imported record can go unseen
 * by a desk that pulls the file afresh. Bounded in bytes; the least recently used go first.
 */
export class PulledFileCache {
  private readonly entries = new Map<string, { changeSeq: number; json: string; storedAt: number }>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 32 * 1024 * 1024,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The file's JSON as of this change value, if held and fresh. */
  get(applicationId: string, changeSeq: number): string | undefined {
    const entry = this.entries.get(applicationId);
    if (!entry || entry.changeSeq !== changeSeq) return undefined;
    if (this.now() - entry.storedAt > this.maxAgeMs) {
      this.remove(applicationId);
      return undefined;
    }
    // most recently used last
    this.entries.delete(applicationId);
    this.entries.set(applicationId, entry);
    return entry.json;
  }

  set(applicationId: string, changeSeq: number, json: string): void {
    const held = this.entries.get(applicationId);
    // a pull that read an older value finishes after one that read a newer: keep the newer
    if (held && held.changeSeq > changeSeq) return;
    this.remove(applicationId);
    // a string's length in UTF-16 code units: twice that is about what it holds in memory
    const size = json.length * 2;
    if (size > this.maxBytes) return;
    this.entries.set(applicationId, { changeSeq, json, storedAt: this.now() });
    this.bytes += size;
    for (const [id] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(id);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(applicationId: string): void {
    const entry = this.entries.get(applicationId);
    if (!entry) return;
    this.entries.delete(applicationId);
    this.bytes -= entry.json.length * 2;
  }
}
