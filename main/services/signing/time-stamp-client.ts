import { createHash, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { AppFailure } from '../../../shared/result';

type Asn1 = forge.asn1.Asn1;
const { asn1 } = forge;
const C = asn1.Class;
const T = asn1.Type;
const SHA256 = '2.16.840.1.101.3.4.2.1';

/**
 * Asks an RFC 3161 TSA for a time-stamp token over a signature value (PAdES B-T puts it in the
 * signer's unsigned attributes). Returns the token (a CMS ContentInfo) as DER.
 */
export async function requestTimeStamp(url: string, signatureValue: Buffer, fetchImpl: typeof fetch = fetch): Promise<Buffer> {
  const imprint = createHash('sha256').update(signatureValue).digest();
  const nonce = Buffer.concat([Buffer.from([0x01]), randomBytes(11)]);
  const request = asn1.create(C.UNIVERSAL, T.SEQUENCE, true, [
    asn1.create(C.UNIVERSAL, T.INTEGER, false, asn1.integerToDer(1).getBytes()),
    asn1.create(C.UNIVERSAL, T.SEQUENCE, true, [
      asn1.create(C.UNIVERSAL, T.SEQUENCE, true, [asn1.create(C.UNIVERSAL, T.OID, false, asn1.oidToDer(SHA256).getBytes())]),
      asn1.create(C.UNIVERSAL, T.OCTETSTRING, false, imprint.toString('binary')),
    ]),
    asn1.create(C.UNIVERSAL, T.INTEGER, false, nonce.toString('binary')),
    asn1.create(C.UNIVERSAL, T.BOOLEAN, false, '\xff'),
  ]);
  let reply: Buffer;
  try {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: Buffer.from(asn1.toDer(request).getBytes(), 'binary'),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    reply = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw new AppFailure('TSA_UNAVAILABLE', `time-stamp request to ${url} failed: ${(error as Error).message}`);
  }
  try {
    const parsed = asn1.fromDer(forge.util.createBuffer(reply.toString('binary'))).value as Asn1[];
    const status = asn1.derToInteger(((parsed[0]!.value as Asn1[])[0]!.value as string));
    if (status !== 0 && status !== 1) throw new Error(`status ${status}`);
    const token = parsed[1]!;
    const tstInfoDer = Buffer.from(
      (((((token.value as Asn1[])[1]!.value as Asn1[])[0]!.value as Asn1[])[2]!.value as Asn1[])[1]!.value as Asn1[])[0]!.value as string,
      'binary',
    );
    const tstInfo = asn1.fromDer(forge.util.createBuffer(tstInfoDer.toString('binary'))).value as Asn1[];
    const tokenImprint = Buffer.from(((tstInfo[2]!.value as Asn1[])[1]!.value as string), 'binary');
    const tokenNonce = tstInfo.find((f, i) => i > 4 && f.type === T.INTEGER);
    if (!tokenImprint.equals(imprint) || !tokenNonce || Buffer.from(tokenNonce.value as string, 'binary').compare(nonce) !== 0) {
      throw new Error('token does not match the request');
    }
    return Buffer.from(asn1.toDer(token).getBytes(), 'binary');
  } catch (error) {
    if (error instanceof AppFailure) throw error;
    throw new AppFailure('TSA_UNAVAILABLE', `unusable time-stamp reply: ${(error as Error).message}`);
  }
}
