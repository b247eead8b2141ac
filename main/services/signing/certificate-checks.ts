import { AppFailure } from '../../../shared/result';
import { validateSigningCertificatePath, type PathValidationResult, type RevocationSource } from '../../../shared/node/certificate-path';
import { sharedRevocationSource } from '../../../shared/node/revocation';
import type { SigningIdentity } from './pkcs12-identity';

/** A certificate allowed to sign: its path to the office's root and what revocation said. */
export type SigningCertificateCheck = Extract<PathValidationResult, { ok: true }>;

/**
 * Refuses a certificate that may not sign the office's permits, with the code of the first
 * rule its path breaks at `now` (see validateSigningCertificatePath: key, hashes, validity,
 * key usage, extended key usage, trust, CA constraints, revocation). `revocation` defaults to
 * the process's shared CRL source; null skips revocation. Revocation `unknown` (offline) does
 * not refuse: the outcome is returned for the record.
 */
export async function checkSigningCertificate(
  identity: SigningIdentity,
  trustedRootsPem: string[],
  now: Date,
  revocation: RevocationSource | null = sharedRevocationSource(),
): Promise<SigningCertificateCheck> {
  const result = await validateSigningCertificatePath({
    leaf: identity.certificate,
    intermediates: identity.chain,
    trustedRootsPem,
    at: now,
    ...(revocation ? { revocation } : {}),
  });
  if (!result.ok) throw new AppFailure(result.code, result.message);
  return result;
}
