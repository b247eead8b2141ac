import type { SignerBinding } from './office';

/** What identifies a signing certificate for the binding: its fingerprint and its subject's serialNumber. */
export interface CertificateIdentity {
  certificateSha256: string | null;
  signerSerialNumber: string | null;
}

/**
 * Whether the office registered this certificate to this official (by fingerprint, or by the
 * subject serialNumber that survives a renewal). The desk refuses a batch before signing
 * anything, and the server refuses to issue, with the same rule.
 */
export function isCertificateBoundTo(bindings: SignerBinding[], username: string, certificate: CertificateIdentity): boolean {
  return bindings.some(
    (b) =>
      b.username === username &&
      ((certificate.certificateSha256 !== null && b.certificateSha256.includes(certificate.certificateSha256.toLowerCase())) ||
        (b.subjectSerialNumber !== null && certificate.signerSerialNumber === b.subjectSerialNumber)),
  );
}
