import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import { AppFailure } from '../../../shared/result';
import type { CadesTemplate } from './cades-signature';
import { BYTE_RANGE_PLACEHOLDERS, CONTENTS_HEX_LENGTH, CONTENTS_KEY, SIGNING_TIME_KEY } from './pdf-signer';

/**
 * The worker's whole program, kept as plain JavaScript in a string so it runs the same under
 * Electron's bundle, tsx and vitest (no file to resolve, no TypeScript loader to inherit). Per
 * permit it reads the prepared file itself (or takes the bytes it is given), refuses it unless
 * it hashes to the SHA-256 the Kepala Dinas reviewed, writes the real /ByteRange and the signing
 * time into the /M slot (the same checks as openPreparedSignature in pdf-signer.ts: one
 * /ByteRange placeholder, one empty /Contents), hashes the signed ranges and signs the signed attributes with the batch's key;
 * when the CMS needs no time-stamp it also fills the CMS template into /Contents and hashes
 * the finished file, and writes it to the temporary name it is given (unflushed: the batch
 * makes it durable, see SignedGroupJournal). The main thread only checks the workflow, records,
 * and moves buffers.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { readFileSync, writeFileSync } = require('node:fs');
const { createHash, sign } = require('node:crypto');
const BYTE_RANGE_KEY = Buffer.from('/ByteRange');
const CONTENTS_KEY = Buffer.from(${JSON.stringify(CONTENTS_KEY.toString('latin1'))}, 'latin1');
const SIGNING_TIME_KEY = Buffer.from(${JSON.stringify(SIGNING_TIME_KEY.toString('latin1'))}, 'latin1');
const CONTENTS_HEX_LENGTH = ${CONTENTS_HEX_LENGTH};
const EMPTY_CONTENTS = Buffer.alloc(CONTENTS_HEX_LENGTH, '0');
const PLACEHOLDERS = new RegExp(${JSON.stringify(BYTE_RANGE_PLACEHOLDERS.source)});
let key = null;
let t = null;
function indexOfOnly(pdf, needle) {
  const first = pdf.indexOf(needle);
  return first >= 0 && pdf.indexOf(needle, first + 1) < 0 ? first : -1;
}
function openSignature(pdf) {
  const rangeAt = indexOfOnly(pdf, BYTE_RANGE_KEY);
  const contentsAt = indexOfOnly(pdf, CONTENTS_KEY);
  const match = rangeAt >= 0 ? PLACEHOLDERS.exec(pdf.toString('latin1', rangeAt, rangeAt + 80)) : null;
  const start = contentsAt + '/Contents '.length;
  const end = start + CONTENTS_HEX_LENGTH + 2;
  const empty = contentsAt >= 0 && pdf[end - 1] === 0x3e && EMPTY_CONTENTS.compare(pdf, start + 1, end - 1) === 0;
  if (!match || !empty) return null;
  const byteRange = '/ByteRange [0 ' + start + ' ' + end + ' ' + (pdf.length - end) + ']';
  if (byteRange.length > match[0].length) return null;
  pdf.write(byteRange.padEnd(match[0].length, ' '), rangeAt, 'latin1');
  // the signing time into the /M slot, as signingTimeText writes it (D:YYYYMMDDHHmmSSZ)
  const slotAt = indexOfOnly(pdf, SIGNING_TIME_KEY);
  if (slotAt >= 0) pdf.write('D:' + new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z', slotAt + 4, 'latin1');
  return { start, end };
}
parentPort.on('message', (message) => {
  if (message.type === 'init') {
    key = message.key;
    t = message.template;
    return;
  }
  const { id, path, pdf, expectedSha256, fill, writeTo } = message;
  try {
    let bytes;
    if (path) {
      try {
        bytes = readFileSync(path);
      } catch {
        parentPort.postMessage({ id, unreadable: true });
        return;
      }
    } else {
      bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
    }
    if (createHash('sha256').update(bytes).digest('hex') !== expectedSha256) {
      parentPort.postMessage({ id, unreadable: true });
      return;
    }
    const open = openSignature(bytes);
    if (!open) {
      parentPort.postMessage({ id, code: 'PDF_NOT_PREPARED', error: 'the permit PDF has no single empty signature to fill' });
      return;
    }
    const { start, end } = open;
    const digest = createHash('sha256').update(bytes.subarray(0, start)).update(bytes.subarray(end)).digest();
    const attributes = Buffer.from(t.signedAttributes);
    digest.copy(attributes, t.signedAttributesDigestAt);
    const signature = sign('sha256', attributes, key);
    if (signature.length !== t.signatureLength) throw new Error('unexpected signature length');
    if (fill) {
      const cms = Buffer.from(t.cms);
      digest.copy(cms, t.cmsDigestAt);
      signature.copy(cms, t.cmsSignatureAt);
      bytes.write(cms.toString('hex'), start + 1, 'latin1');
    }
    const sha256 = fill ? createHash('sha256').update(bytes).digest('hex') : null;
    // here, not on the thread pool: the pool serves its queue in order, so an answer waiting for
    // its write would wait behind the first writes of every permit queued after it
    if (fill && writeTo) writeFileSync(writeTo, bytes, { mode: 0o600 });
    // a file read here owns its memory unless it is small enough for Node's shared pool
    const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const out = owned ? bytes : Buffer.from(bytes);
    const view = new Uint8Array(out.buffer, 0, out.byteLength);
    parentPort.postMessage({ id, pdf: view, start, end, digest, signature, sha256 }, [view.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

/** A permit the worker hashed and signed. */
export interface WorkerSignature {
  /** the PDF with its real /ByteRange, and /Contents filled when `fill` was asked */
  pdf: Buffer;
  /** /Contents' '<' and just after its '>' */
  start: number;
  end: number;
  digest: Buffer;
  signatureValue: Buffer;
  /** SHA-256 (hex) of the finished file, when the worker filled /Contents */
  sha256: string | null;
}

/**
 * What to sign: the prepared file by its path, or its bytes; either way signed only when they
 * hash to `expectedSha256` (the SHA-256 the Kepala Dinas reviewed).
 */
export type WorkerJob = ({ path: string } | { pdf: Buffer }) & {
  expectedSha256: string;
  /** where to write the finished file when the worker fills /Contents: a temporary name beside its final one */
  writeTo?: string;
};

/** null: the file is missing, or its bytes are not the ones expected (nothing was signed). */
export type WorkerAnswer = WorkerSignature | null;

interface Pending {
  resolve: (value: WorkerAnswer) => void;
  reject: (error: Error) => void;
}

interface WorkerMessage {
  id: number;
  unreadable?: boolean;
  pdf?: Uint8Array;
  start?: number;
  end?: number;
  digest?: Uint8Array;
  signature?: Uint8Array;
  sha256?: string | null;
  code?: 'PDF_NOT_PREPARED';
  error?: string;
}

/**
 * Hashing and RSA on every core: a small pool of worker threads. The threads start without a
 * key (they may be started ahead, while the Kepala Dinas opens the signing panel, so a batch
 * does not wait some 30 ms for them); `load` gives each the batch's private key once (a
 * KeyObject is cloneable through postMessage; it never touches the disk), and `close()`
 * terminates them, key and all, when the batch ends. A pool signs for one batch only. Jobs go
 * to the worker with the fewest in flight.
 */
export class SigningWorkerPool {
  private readonly workers: Array<{ worker: Worker; inFlight: number }> = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private loaded = false;
  private closed = false;

  constructor(size = Math.max(1, Math.min(2, availableParallelism()))) {
    for (let i = 0; i < size; i += 1) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.unref();
      const slot = { worker, inFlight: 0 };
      worker.on('message', (message: WorkerMessage) => {
        slot.inFlight -= 1;
        const job = this.pending.get(message.id);
        if (!job) return;
        this.pending.delete(message.id);
        if (message.unreadable) job.resolve(null);
        else if (message.code) job.reject(new AppFailure(message.code, message.error ?? ''));
        else if (message.error !== undefined || !message.pdf || !message.digest || !message.signature) job.reject(new Error(message.error ?? 'signing worker answered nothing'));
        else {
          job.resolve({
            pdf: toBuffer(message.pdf),
            start: message.start!,
            end: message.end!,
            digest: toBuffer(message.digest),
            signatureValue: toBuffer(message.signature),
            sha256: message.sha256 ?? null,
          });
        }
      });
      worker.on('error', (error) => this.failAll(error));
      this.workers.push(slot);
    }
  }

  /** Gives every worker the batch's key and CMS template; once per pool. */
  load(key: KeyObject, template: CadesTemplate): void {
    if (this.loaded || this.closed) throw new Error('a signing worker pool signs for one batch only');
    this.loaded = true;
    for (const { worker } of this.workers) worker.postMessage({ type: 'init', key, template });
  }

  get size(): number {
    return this.workers.length;
  }

  /** Checks, hashes and signs one prepared permit (see WORKER_SOURCE); given bytes move to the worker. */
  sign(job: WorkerJob, fill: boolean): Promise<WorkerAnswer> {
    if (this.closed || !this.loaded) return Promise.reject(new Error(this.closed ? 'signing worker pool closed' : 'signing worker pool has no key'));
    const slot = this.workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    const id = (this.nextId += 1);
    let message: object;
    let transfer: ArrayBuffer[] = [];
    if ('path' in job) message = { type: 'sign', id, path: job.path, expectedSha256: job.expectedSha256, fill, writeTo: job.writeTo };
    else {
      // a Buffer may share a pooled ArrayBuffer: only a PDF that owns its memory is transferred
      const owned = job.pdf.byteOffset === 0 && job.pdf.byteLength === job.pdf.buffer.byteLength ? job.pdf : Buffer.from(job.pdf);
      const pdf = new Uint8Array(owned.buffer, 0, owned.byteLength);
      message = { type: 'sign', id, pdf, expectedSha256: job.expectedSha256, fill, writeTo: job.writeTo };
      transfer = [pdf.buffer as ArrayBuffer];
    }
    return new Promise<WorkerAnswer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.inFlight += 1;
      slot.worker.postMessage(message, transfer);
    });
  }

  /** Ends the workers: the key copies they held go with them. */
  async close(): Promise<void> {
    this.closed = true;
    this.failAll(new Error('signing worker pool closed'));
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private failAll(error: Error): void {
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
