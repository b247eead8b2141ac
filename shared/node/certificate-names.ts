import type { X509Certificate } from 'node:crypto';

/** One attribute of a distinguished name as Node prints it (one `key=value` a line, RFC 4514 escapes). */
function nameAttribute(name: string, key: string): string | null {
  const line = name.split('\n').find((l) => l.startsWith(`${key}=`));
  return line ? line.slice(key.length + 1).replace(/\\(.)/g, '$1') : null;
}

/** The subject's CN as people read it: the signer's name. */
export function subjectCommonName(certificate: X509Certificate): string | null {
  return nameAttribute(certificate.subject, 'CN');
}

/** The subject's serialNumber (OID 2.5.4.5): the NIK/NIP a CA writes into an official's certificate. */
export function subjectSerialNumber(certificate: X509Certificate): string | null {
  return nameAttribute(certificate.subject, 'serialNumber');
}

/** The issuing CA's name as people read it: its CN, else the whole issuer name on one line. */
export function issuerDisplayName(certificate: X509Certificate): string {
  return nameAttribute(certificate.issuer, 'CN') ?? certificate.issuer.replace(/\n/g, ', ');
}
