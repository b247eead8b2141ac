import { z } from 'zod';

export const signerBindingSchema = z.object({
  /** the official's account on the central server */
  username: z.string().min(1),
  /** SHA-256 fingerprints (hex, lower case) of certificates registered to the official */
  certificateSha256: z.array(z.string().regex(/^[0-9a-f]{64}$/)).default([]),
  /** or the certificate subject's serialNumber (NIK/NIP as the CA writes it), which survives renewal */
  subjectSerialNumber: z.string().min(1).nullable().default(null),
  /**
   * The official's public signing certificate (PEM: the certificate first, then any
   * intermediates): the server prepares the final permit for it at the numbering step, naming
   * the signer from it and storing its path and revocation data (DSS), so the permit reviewed is
   * the permit signed. The batch refuses a permit prepared for another certificate.
   */
  certificatePem: z.string().min(1).max(64 * 1024).optional(),
});

export const officeSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  city: z.string().min(1),
  /** IANA zone of the office: Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT) */
  timeZone: z.enum(['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura']),
  headName: z.string().min(1),
  headNip: z.string().min(1),
  headTitle: z.string().min(1),
  /** national holidays and cuti bersama, as YYYY-MM-DD in the office's zone */
  holidays: z.array(z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), name: z.string() })),
  /** base of the URL the permit's QR code points to */
  verificationBaseUrl: z.string().url(),
  /** PEM roots (in practice BSrE's) a signing certificate must chain to */
  trustedRootsPem: z.array(z.string()).default([]),
  /** an RFC 3161 time-stamping authority: when set, permits are signed PAdES B-T */
  timeStampUrl: z.string().url().nullable().default(null),
  /**
   * Roots a time-stamp token must chain to before its time is believed; a token from any other
   * TSA is ignored (else a signer could mint a token back-dated into an expired certificate's life).
   */
  timeStampRootsPem: z.array(z.string()).default([]),
  /**
   * Who may sign the office's permits, and with which certificate: a batch with anyone else's
   * certificate is refused before anything is signed, and the server refuses to issue it.
   */
  signers: z.array(signerBindingSchema).default([]),
  /** the issuing unit in the office's permit numbers: 503/<permit code>/<sequence>/<unit>/<year> */
  permitNumberUnit: z.string().min(1).default('DPMPTSP'),
});

export type SignerBinding = z.infer<typeof signerBindingSchema>;

export type Office = z.infer<typeof officeSchema>;
