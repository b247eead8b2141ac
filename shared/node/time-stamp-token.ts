import { DerError, TAG, asn1Time, content, ctx, need, octets, oidOf, parseDer, raw, u, type Der } from './asn1-reader';

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
};

/** What a time-stamp token says (RFC 3161 §2.4.2 TSTInfo): which hash it stamps, when, and the request's nonce. */
export interface TstInfo {
  /** the OID of the message imprint's hash algorithm */
  imprintAlgorithm: string;
  imprint: Buffer;
  genTime: Date;
  /** the nonce's INTEGER content octets, when the token carries one */
  nonce: Buffer | null;
}

/** A TSTInfo, from its DER (the eContent of the token's SignedData). Throws DerError on anything else. */
export function readTstInfo(tstInfoDer: Buffer): TstInfo {
  const tst = need(u(parseDer(tstInfoDer, 0, tstInfoDer.length), TAG.SEQUENCE), 'TSTInfo');
  // version, policy, messageImprint, serialNumber, genTime, then accuracy, ordering, nonce, tsa, extensions as present
  const [version, , imprint, serial, genTime, ...optional] = tst.children;
  need(u(version, TAG.INTEGER), 'TSTInfo version');
  need(u(serial, TAG.INTEGER), 'TSTInfo serialNumber');
  const messageImprint = need(u(imprint, TAG.SEQUENCE), 'messageImprint');
  const nonce = optional.find((field) => u(field, TAG.INTEGER) !== null);
  return {
    imprintAlgorithm: oidOf(messageImprint.children[0]?.children[0]),
    imprint: octets(messageImprint.children[1]),
    genTime: asn1Time(genTime),
    nonce: nonce ? Buffer.from(content(nonce)) : null,
  };
}

/** The TSTInfo DER a time-stamp token (a CMS ContentInfo of SignedData) carries. Throws DerError. */
export function tstInfoOfToken(token: Der): Buffer {
  if (oidOf(token.children[0]) !== OID.signedData) throw new DerError('the token is not a CMS SignedData');
  const signedData = need(u(need(ctx(token.children[1], 0), 'SignedData').children[0], TAG.SEQUENCE), 'SignedData');
  const encapsulated = need(u(signedData.children[2], TAG.SEQUENCE), 'encapContentInfo');
  if (oidOf(encapsulated.children[0]) !== OID.tstInfo) throw new DerError('the token does not carry a TSTInfo');
  return octets(need(ctx(encapsulated.children[1], 0), 'eContent').children[0]);
}

/**
 * A TimeStampResp (RFC 3161 §2.4.2): its PKIStatus (0 granted, 1 granted with modifications)
 * and the token, as its node and its exact DER. Throws DerError when it is not one.
 */
export function readTimeStampResponse(responseDer: Buffer): { status: number; token: { node: Der; der: Buffer } | null } {
  const response = need(u(parseDer(responseDer, 0, responseDer.length), TAG.SEQUENCE), 'TimeStampResp');
  const statusInfo = need(u(response.children[0], TAG.SEQUENCE), 'PKIStatusInfo');
  const status = need(u(statusInfo.children[0], TAG.INTEGER), 'PKIStatus');
  const statusBytes = content(status);
  if (statusBytes.length !== 1) throw new DerError('bad PKIStatus');
  const token = u(response.children[1], TAG.SEQUENCE);
  return { status: statusBytes[0]!, token: token ? { node: token, der: Buffer.from(raw(token)) } : null };
}
