import type { Kysely } from 'kysely';
import type { VerificationResponse } from '../../shared/sync-protocol';
import type { ServerDatabase } from '../db/server-database';
import { loadOffice } from './server-records';

/**
 * What the public registry says of a permit, by the id its QR code carries or by its file's
 * SHA-256, across every office on the server, naming the office that issued it. Personal data
 * (the holder) only for an issued permit; a reserved or voided number tells only that it
 * exists, of which office and type; an unknown id names no office.
 */
export async function lookUpVerification(db: Kysely<ServerDatabase>, by: 'verification_id' | 'sha256', value: string): Promise<VerificationResponse> {
  const officeView = async (officeId: string) => {
    const office = await loadOffice(db, officeId);
    return { name: office.name, city: office.city, timeZone: office.timeZone };
  };
  const empty: VerificationResponse = {
    status: 'unknown',
    verificationId: by === 'verification_id' ? value : '',
    permitNumber: null,
    permitTitle: null,
    holderName: null,
    issuedAt: null,
    timeSource: null,
    sha256: null,
    signerName: null,
    certificateIssuer: null,
    padesLevel: null,
    office: null,
    revokedAt: null,
    voidedAt: null,
  };
  const issued = await db
    .selectFrom('issued_permits')
    .innerJoin('applications', 'applications.id', 'issued_permits.application_id')
    .selectAll('issued_permits')
    .select(['applications.applicant', 'applications.permit_type_id', 'applications.office_id'])
    .where(`issued_permits.${by}`, '=', value)
    .executeTakeFirst();
  const permitTitle = async (permitTypeId: string) => {
    const typeRow = await db.selectFrom('permit_types').select('definition').where('id', '=', permitTypeId).executeTakeFirst();
    return typeRow ? (JSON.parse(typeRow.definition) as { name: string }).name : null;
  };
  if (issued) {
    return {
      ...empty,
      status: issued.revoked_at ? 'revoked' : 'valid',
      office: await officeView(issued.office_id),
      verificationId: issued.verification_id,
      permitNumber: issued.permit_number,
      permitTitle: await permitTitle(issued.permit_type_id),
      holderName: (JSON.parse(issued.applicant) as { fullName: string }).fullName,
      issuedAt: issued.issued_at,
      timeSource: issued.time_source,
      sha256: issued.sha256,
      signerName: issued.signer_name,
      certificateIssuer: issued.certificate_issuer,
      padesLevel: issued.pades_level as VerificationResponse['padesLevel'],
      revokedAt: issued.revoked_at,
    };
  }
  if (by !== 'verification_id') return empty;
  const reserved = await db
    .selectFrom('permit_numbers')
    .innerJoin('applications', 'applications.id', 'permit_numbers.application_id')
    .select(['permit_numbers.permit_number', 'permit_numbers.voided_at', 'permit_numbers.office_id', 'applications.permit_type_id'])
    .where('permit_numbers.verification_id', '=', value)
    .executeTakeFirst();
  if (!reserved) return empty;
  return {
    ...empty,
    status: reserved.voided_at ? 'void' : 'not_issued',
    office: await officeView(reserved.office_id),
    permitNumber: reserved.permit_number,
    permitTitle: await permitTitle(reserved.permit_type_id),
    voidedAt: reserved.voided_at,
  };
}
