/**
 * Why a certificate may not sign (or a signature cannot be trusted), in the order a path is
 * judged: the same codes on the desk, the server and the `verify` command.
 */
export const CERTIFICATE_REFUSAL_CODES = [
  'CERT_NOT_RSA',
  'CERT_WEAK_KEY',
  'CERT_WEAK_HASH',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_KEY_USAGE',
  'CERT_EKU',
  'CERT_UNTRUSTED',
  'CERT_ISSUER_NOT_CA',
  'CERT_PATH_TOO_LONG',
  'CERT_CHAIN_EXPIRED',
  'CERT_REVOKED',
] as const;

export type CertificateRefusalCode = (typeof CERTIFICATE_REFUSAL_CODES)[number];

/** Error codes that cross the renderer↔main contract; the renderer translates each one. */
export const ERROR_CODES = [
  ...CERTIFICATE_REFUSAL_CODES,
  'CERT_NOT_BOUND',
  'SIGNATURE_INVALID',
  'NOTE_REQUIRED',
  'INVALID_INPUT',
  'UNKNOWN_METHOD',
  'NOT_SIGNED_IN',
  'BAD_CREDENTIALS',
  'SERVER_UNREACHABLE',
  'SERVER_ERROR',
  'SESSION_EXPIRED',
  'NOT_FOUND',
  'FORBIDDEN_ROLE',
  'TRANSITION_NOT_ALLOWED',
  'STAGE_CHANGED',
  'CHECKLIST_INCOMPLETE',
  'REASON_REQUIRED',
  'DOCUMENT_NOT_CACHED',
  'P12_WRONG_PASSPHRASE',
  'P12_CORRUPT',
  'CERT_NOT_CONFIGURED',
  'CERT_FILE_MISSING',
  'PDF_NOT_PREPARED',
  /** the prepared permit fetched or stored does not hash to the SHA-256 pulled from the server */
  'PREPARED_PERMIT_CHANGED',
  /** the permit was prepared for another certificate than the one the passphrase opened */
  'PREPARED_FOR_OTHER_CERTIFICATE',
  'PARAF_HASH_MISMATCH',
  'SIGNED_NOT_PREPARED',
  'PERMIT_NUMBER_MISSING',
  'SIGNING_IN_PROGRESS',
  'SIGN_OUT_WHILE_SIGNING',
  'PDF_UNREADABLE',
  'TSA_UNAVAILABLE',
  'CLAIMED_BY_OTHER',
  'COMMAND_ID_REUSED',
  'AUTHOR_UNVERIFIED',
  'SIGN_IN_THROTTLED',
  'OFFLINE_SIGN_IN_LOCKED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppError {
  code: ErrorCode;
  /** English detail for logs and developers; the UI shows its own translation of `code`. */
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

/** Thrown inside services; the dispatcher turns it into a failed Result. */
export class AppFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppFailure';
  }
}
