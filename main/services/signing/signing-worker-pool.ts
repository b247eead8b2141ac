import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import type { CadesTemplate } from './cades-signature';
import type { OpenSignature } from './pdf-signer';

/**
 * The worker's whole program, kept as plain JavaScript in a string so it runs the same under
 * Electron's bundle, tsx and vitest (no file to resolve, no TypeScript loader to inherit). It
 * knows nothing of PDFs beyond the two byte ranges: it hashes them, signs the signed attributes
 * with the batch's key, and, when the CMS needs no time-stamp, fills the CMS template, puts it
 * into /Contents and hashes the finished file itself, so the main thread only moves buffers.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash, sign } = require('node:crypto');
let key = null;
let t = null;
parentPort.on('message', (message) => {
  if (message.type === 'init') {
    key = message.key;
    t = message.template;
    return;
  }
  const { id, pdf, start, end, fill } = message;
  try {
    const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
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
    parentPort.postMessage({ id, pdf, digest, signature, sha256 }, [pdf.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

export interface WorkerSignature {
  /** the PDF, with /Contents filled when `fill` was asked */
  pdf: Buffer;
  digest: Buffer;
  signatureValue: Buffer;
  /** SHA-256 (hex) of the finished file, when the worker filled /Contents */
  sha256: string | null;
}

interface Pending {
  resolve: (value: WorkerSignature) => void;
  reject: (error: Error) => void;
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
      worker.on('message', (message: { id: number; pdf?: Uint8Array; digest?: Uint8Array; signature?: Uint8Array; sha256?: string | null; error?: string }) => {
        slot.inFlight -= 1;
        const job = this.pending.get(message.id);
        if (!job) return;
        this.pending.delete(message.id);
        if (message.error !== undefined || !message.pdf || !message.digest || !message.signature) job.reject(new Error(message.error ?? 'signing worker answered nothing'));
        else job.resolve({ pdf: toBuffer(message.pdf), digest: toBuffer(message.digest), signatureValue: toBuffer(message.signature), sha256: message.sha256 ?? null });
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

  /** Hashes and signs one opened permit; the PDF's memory moves to the worker and back. */
  sign(open: OpenSignature, fill: boolean): Promise<WorkerSignature> {
    if (this.closed || !this.loaded) return Promise.reject(new Error(this.closed ? 'signing worker pool closed' : 'signing worker pool has no key'));
    const slot = this.workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    const id = (this.nextId += 1);
    // a Buffer may share a pooled ArrayBuffer: only a PDF that owns its memory is transferred
    const owned = open.pdf.byteOffset === 0 && open.pdf.byteLength === open.pdf.buffer.byteLength ? open.pdf : Buffer.from(open.pdf);
    const pdf = new Uint8Array(owned.buffer, 0, owned.byteLength);
    return new Promise<WorkerSignature>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.inFlight += 1;
      slot.worker.postMessage({ type: 'sign', id, pdf, start: open.start, end: open.end, fill }, [pdf.buffer as ArrayBuffer]);
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
