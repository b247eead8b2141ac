import { X509Certificate } from 'node:crypto';
import { AppFailure } from '../../../shared/result';
import type { SigningIdentity } from './pkcs12-identity';

const MAX_CHAIN = 8;

/**
 * Refuses a certificate that may not sign the office's permits: outside its validity, without
 * digitalSignature or nonRepudiation, not an RSA key, or not issued under a root the office trusts.
 */
export function checkSigningCertificate(identity: SigningIdentity, trustedRootsPem: string[], now: Date): void {
  const cert = identity.certificate;
  if (cert.publicKey.asymmetricKeyType !== 'rsa') throw new AppFailure('CERT_NOT_RSA', 'the certificate does not carry an RSA key');
  if (now < new Date(cert.validFrom)) throw new AppFailure('CERT_NOT_YET_VALID', `certificate valid only from ${cert.validFrom}`);
  if (now > new Date(cert.validTo)) throw new AppFailure('CERT_EXPIRED', `certificate expired on ${cert.validTo}`);
  const keyUsage = identity.forgeCertificate.getExtension('keyUsage') as { digitalSignature?: boolean; nonRepudiation?: boolean } | null;
  if (!keyUsage || !(keyUsage.digitalSignature || keyUsage.nonRepudiation)) {
    throw new AppFailure('CERT_KEY_USAGE', 'the certificate is not for digital signatures (key usage)');
  }
  const roots = trustedRootsPem.map((pem) => new X509Certificate(pem));
  if (!chainsToTrustedRoot(cert, identity.chain, roots, now)) {
    throw new AppFailure('CERT_UNTRUSTED', `the certificate of ${cert.subject.replace(/\n/g, ', ')} is not issued under a root this office trusts`);
  }
}

export function chainsToTrustedRoot(leaf: X509Certificate, intermediates: X509Certificate[], roots: X509Certificate[], now: Date): boolean {
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth += 1) {
    if (roots.some((r) => r.fingerprint256 === current.fingerprint256)) return true;
    const root = roots.find((r) => current.checkIssued(r) && current.verify(r.publicKey));
    if (root) return now >= new Date(root.validFrom) && now <= new Date(root.validTo);
    const issuer = intermediates.find((c) => c !== current && current.checkIssued(c) && current.verify(c.publicKey));
    if (!issuer || now < new Date(issuer.validFrom) || now > new Date(issuer.validTo)) return false;
    current = issuer;
  }
  return false;
}
