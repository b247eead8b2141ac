import { z } from 'zod';
import { CERTIFICATE_REFUSAL_CODES } from './result';
import { PADES_LEVELS } from './sync-protocol';

/** Why a signed PDF is not intact, each reported on its own. */
export const INTEGRITY_PROBLEMS = [
  'NOT_A_PDF',
  'TRUNCATED',
  'NO_SIGNATURE',
  'SIGNATURE_DICTIONARY_UNREADABLE',
  'BYTE_RANGE_MALFORMED',
  'CONTENTS_NOT_EXACT_HOLE',
  'BYTES_OUTSIDE_SIGNED_RANGES',
  'UPDATE_AFTER_SIGNING',
  'CMS_UNREADABLE',
  'DIGEST_MISMATCH',
  'SIGNATURE_MISMATCH',
  /** a time-stamp token is attached but is damaged or does not stamp this signature */
  'TIME_STAMP_INVALID',
] as const;
export type IntegrityProblem = (typeof INTEGRITY_PROBLEMS)[number];

export const REVOCATION_STATUSES = ['good', 'revoked', 'unknown', 'not_checked'] as const;
export type RevocationStatus = (typeof REVOCATION_STATUSES)[number];

/**
 * What one verifier (shared by the desk, the server and `npm run verify`) reports of a signed
 * PDF: integrity, trust and time separately, so no one verdict hides another.
 */
export const signatureFactsSchema = z.object({
  sha256: z.string(),
  signed: z.boolean(),
  /** the signed bytes are exactly what was signed, the ranges cover the whole file but /Contents, nothing added after */
  intact: z.boolean(),
  problems: z.array(z.enum(INTEGRITY_PROBLEMS)),
  /** bytes of the file covered neither by /ByteRange nor by the /Contents hex string */
  bytesOutsideSignedRanges: z.number().int().nonnegative(),
  /** incremental updates (revisions) written after the signed one */
  updatesAfterSigning: z.number().int().nonnegative(),
  /** the certificate path is valid and ends at a root the office trusts, at `validationTime` */
  certificateTrusted: z.boolean().nullable(),
  /** the first rule the path broke, when it is not trusted */
  certificateProblem: z.enum(CERTIFICATE_REFUSAL_CODES).nullable(),
  certificateExpired: z.boolean().nullable(),
  revocation: z.enum(REVOCATION_STATUSES),
  keyUsageOk: z.boolean().nullable(),
  signerName: z.string().nullable(),
  /** the subject's serialNumber (NIK/NIP), which binds a certificate to an official */
  signerSerialNumber: z.string().nullable(),
  certificateSha256: z.string().nullable(),
  certificateIssuer: z.string().nullable(),
  certificateValidFrom: z.string().nullable(),
  certificateValidTo: z.string().nullable(),
  /** the signer's own /M: self-asserted, never used to judge trust */
  claimedSigningTime: z.string().nullable(),
  /** genTime of a valid RFC 3161 token over this signature */
  timeStampedAt: z.string().nullable(),
  /** the time trust was judged at: the time-stamp's when valid, else the moment of checking */
  validationTime: z.string(),
  padesLevel: z.enum(PADES_LEVELS).nullable(),
  /** a DocMDP certification signature; its /P (1: no changes allowed) */
  docMdpPermissions: z.number().int().min(1).max(3).nullable(),
});

export type SignatureFacts = z.infer<typeof signatureFactsSchema>;
