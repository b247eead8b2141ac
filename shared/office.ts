import { z } from 'zod';

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
});

export type Office = z.infer<typeof officeSchema>;
