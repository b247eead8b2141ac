import { scrypt } from 'node:crypto';

/** scrypt's cost parameters (RFC 7914): N, the CPU/memory cost; r, the block size; p, parallelism. */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/**
 * A key derived from a password by scrypt (Node's crypto: memory-hard, no dependency needed),
 * for the server's password hashes and the desk's offline credentials alike. The password is
 * NFKC-normalised first, so the same password typed on another keyboard or system derives the
 * same key. `maxmem` caps what a stored cost may ask for: a cost above it is refused, not run.
 */
export function scryptKey(password: string, salt: Buffer, cost: ScryptCost, options: { keyLength: number; maxmem: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, options.keyLength, { N: cost.N, r: cost.r, p: cost.p, maxmem: options.maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}
