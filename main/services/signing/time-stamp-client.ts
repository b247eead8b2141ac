import { createHash, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { AppFailure } from '../../../shared/result';
import { CMS_OID, der, int, octets, oid, seq } from '../../../shared/node/cms-asn1';
import { readTimeStampResponse, readTstInfo, tstInfoOfToken } from '../../../shared/node/time-stamp-token';

const { asn1 } = forge;

/**
 * Asks an RFC 3161 TSA for a time-stamp token over a signature value (PAdES B-T puts it in the
 * signer's unsigned attributes). Returns the token (a CMS ContentInfo) as DER.
 */
export async function requestTimeStamp(url: string, signatureValue: Buffer, fetchImpl: typeof fetch = fetch): Promise<Buffer> {
  const imprint = createHash('sha256').update(signatureValue).digest();
  const nonce = Buffer.concat([Buffer.from([0x01]), randomBytes(11)]);
  const request = seq([
    int(1),
    seq([seq([oid(CMS_OID.sha256)]), octets(imprint)]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, nonce.toString('binary')),
    // certReq: the TSA's certificate in the token, for the verifier
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, '\xff'),
  ]);
  let reply: Buffer;
  try {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: new Uint8Array(der(request)),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    reply = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw new AppFailure('TSA_UNAVAILABLE', `time-stamp request to ${url} failed: ${(error as Error).message}`);
  }
  try {
    const { status, token } = readTimeStampResponse(reply);
    if ((status !== 0 && status !== 1) || !token) throw new Error(`status ${status}`);
    const tstInfo = readTstInfo(tstInfoOfToken(token.node));
    if (tstInfo.imprintAlgorithm !== CMS_OID.sha256 || !tstInfo.imprint.equals(imprint) || !tstInfo.nonce?.equals(nonce)) {
      throw new Error('token does not match the request');
    }
    return token.der;
  } catch (error) {
    if (error instanceof AppFailure) throw error;
    throw new AppFailure('TSA_UNAVAILABLE', `unusable time-stamp reply: ${(error as Error).message}`);
  }
}
