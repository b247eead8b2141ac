import { createHash, generateKeyPairSync, randomBytes, sign as rsaSign, type KeyObject, createPrivateKey } from 'node:crypto';
import type { Kysely } from 'kysely';
import forge from 'node-forge';
import { CMS_OID, der, fromDer, int, octets, oid, seq, set, type Asn1 } from '../../shared/node/cms-asn1';
import type { ServerDatabase } from '../db/server-database';
import { invalidRequest } from './domain-refusal';

const { asn1 } = forge;
const C = asn1.Class;
const T = asn1.Type;

const OID = {
  ...CMS_OID,
  // the reference server's own time-stamp policy
  policy: '1.3.6.1.4.1.99999.1.1',
};

export interface TsaIdentity {
  key: KeyObject;
  certificateDer: Buffer;
  rootPem: string;
}

/**
 * The reference server's RFC 3161 time-stamping authority, for PAdES B-T in tests and demos.
 * Its own root and TSA certificate (extendedKeyUsage timeStamping, critical) are made once and
 * kept in the server's settings; a real office points the desk at its own TSA instead.
 */
export async function loadTsaIdentity(db: Kysely<ServerDatabase>): Promise<TsaIdentity> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', 'tsa_identity').executeTakeFirst();
  if (row) {
    const stored = JSON.parse(row.value) as { keyPem: string; certPem: string; rootPem: string };
    return { key: createPrivateKey(stored.keyPem), certificateDer: Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(stored.certPem))).getBytes(), 'binary'), rootPem: stored.rootPem };
  }
  const made = makeTsaCertificates();
  await db
    .insertInto('settings')
    .values({ key: 'tsa_identity', value: JSON.stringify(made) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return loadTsaIdentity(db);
}

function forgeKeys() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(pem);
  return { pem, key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) };
}

function makeTsaCertificates() {
  const root = forgeKeys();
  const rootCert = forge.pki.createCertificate();
  const rootName = [{ shortName: 'C', value: 'ID' }, { shortName: 'O', value: 'Meja Izin Reference Server' }, { shortName: 'CN', value: 'Meja Izin TSA Root' }];
  rootCert.publicKey = root.publicKey;
  rootCert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  rootCert.validity.notBefore = new Date(Date.now() - 86_400_000);
  rootCert.validity.notAfter = new Date(Date.now() + 10 * 365 * 86_400_000);
  rootCert.setSubject(rootName);
  rootCert.setIssuer(rootName);
  rootCert.setExtensions([{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }]);
  rootCert.sign(root.key, forge.md.sha256.create());
  const tsa = forgeKeys();
  const tsaCert = forge.pki.createCertificate();
  tsaCert.publicKey = tsa.publicKey;
  tsaCert.serialNumber = `02${randomBytes(8).toString('hex')}`;
  tsaCert.validity.notBefore = rootCert.validity.notBefore;
  tsaCert.validity.notAfter = new Date(Date.now() + 5 * 365 * 86_400_000);
  tsaCert.setSubject([{ shortName: 'C', value: 'ID' }, { shortName: 'O', value: 'Meja Izin Reference Server' }, { shortName: 'CN', value: 'Meja Izin TSA' }]);
  tsaCert.setIssuer(rootName);
  tsaCert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', timeStamping: true, critical: true },
  ]);
  tsaCert.sign(root.key, forge.md.sha256.create());
  return { keyPem: tsa.pem, certPem: forge.pki.certificateToPem(tsaCert), rootPem: forge.pki.certificateToPem(rootCert) };
}

function generalizedTime(date: Date): Asn1 {
  const s = date.toISOString().replace(/[-:T]/g, '').replace(/\.(\d{3})Z$/, '.$1Z');
  return asn1.create(C.UNIVERSAL, T.GENERALIZEDTIME, false, s.replace(/\.?0+Z$/, 'Z'));
}

/** Answers one DER TimeStampReq with a DER TimeStampResp granting a token; a malformed request is refused (invalid_request). */
export function answerTimeStampRequest(identity: TsaIdentity, requestDer: Buffer, now = new Date()): Buffer {
  let fields: Asn1[];
  try {
    fields = fromDer(requestDer).value as Asn1[];
  } catch {
    throw invalidRequest('not a DER TimeStampReq');
  }
  const messageImprint = fields[1];
  if (!messageImprint || messageImprint.type !== T.SEQUENCE) throw invalidRequest('TimeStampReq has no messageImprint');
  const nonce = fields.find((f) => f.type === T.INTEGER && f !== fields[0]);
  const certReq = fields.find((f) => f.type === T.BOOLEAN)?.value === '\xff';

  const tstInfo = seq([
    int(1),
    oid(OID.policy),
    messageImprint,
    asn1.create(C.UNIVERSAL, T.INTEGER, false, `\x01${randomBytes(15).toString('binary')}`),
    generalizedTime(now),
    ...(nonce ? [nonce] : []),
  ]);
  const tstInfoDer = der(tstInfo);
  const cert = fromDer(identity.certificateDer);
  const tbs = (cert.value as Asn1[])[0]!.value as Asn1[];
  const offset = tbs[0]!.tagClass === C.CONTEXT_SPECIFIC ? 1 : 0;
  const serial = tbs[offset]!;
  const issuer = tbs[offset + 2]!;
  const attrs = [
    seq([oid(OID.contentType), set([oid(OID.tstInfo)])]),
    seq([oid(OID.messageDigest), set([octets(createHash('sha256').update(tstInfoDer).digest())])]),
    seq([
      oid(OID.signingCertificateV2),
      set([seq([seq([seq([octets(createHash('sha256').update(identity.certificateDer).digest()), seq([seq([asn1.create(C.CONTEXT_SPECIFIC, 4, true, [issuer])]), serial])])])])]),
    ]),
  ]
    .map((a) => ({ a, bytes: der(a) }))
    .sort((x, y) => Buffer.compare(x.bytes, y.bytes))
    .map((x) => x.a);
  const signature = rsaSign('sha256', der(set(attrs)), identity.key);
  const signedData = seq([
    int(3),
    set([seq([oid(OID.sha256)])]),
    seq([oid(OID.tstInfo), asn1.create(C.CONTEXT_SPECIFIC, 0, true, [octets(tstInfoDer)])]),
    ...(certReq ? [asn1.create(C.CONTEXT_SPECIFIC, 0, true, [cert])] : []),
    set([
      seq([
        int(1),
        seq([issuer, serial]),
        seq([oid(OID.sha256)]),
        asn1.create(C.CONTEXT_SPECIFIC, 0, true, attrs),
        seq([oid(OID.rsaEncryption), asn1.create(C.UNIVERSAL, T.NULL, false, '')]),
        octets(signature),
      ]),
    ]),
  ]);
  const token = seq([oid(OID.signedData), asn1.create(C.CONTEXT_SPECIFIC, 0, true, [signedData])]);
  return der(seq([seq([int(0)]), token]));
}
