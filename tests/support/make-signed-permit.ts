import { readFileSync } from 'node:fs';
import { applicationSchema, type Application } from '../../shared/domain';
import { renderPermitPdf } from '../../shared/node/permit-pdf/permit-layout';
import { buildCadesSignature } from '../../main/services/signing/cades-signature';
import type { ValidationData } from '../../shared/node/permit-pdf/document-security-store';
import { signPreparedPdf } from '../../main/services/signing/pdf-signer';
import { loadSigningIdentity, type SigningIdentity } from '../../main/services/signing/pkcs12-identity';
import { DEMO_PERMIT_TYPES, demoOffice } from '../../server/seed/demo-configuration';
import { makeApplicant, seededRandom } from '../../server/seed/demo-people';
import { TEST_PASSPHRASE } from './test-certificates';

export interface SignedPermitOptions {
  /** sign a prepared permit's /M slot unfilled, as a desk from before the slot did */
  leaveSigningTimeSlot?: boolean;
  /** the .p12 to sign with (one of makeTestCertificates' files); opened with TEST_PASSPHRASE */
  p12: string;
  /** the /M the signer claims; default now */
  signedAt?: Date;
  /** an RFC 3161 token over the signature value, for PAdES B-T */
  timeStamp?: (signatureValue: Buffer) => Promise<Buffer>;
  serial?: number;
  /** PAdES B-LT: the chain and revocation data to store in the signed revision's /DSS */
  validationData?: ValidationData;
  /** sign this very file (as pulled from a server) instead of a made-up one */
  application?: Application;
  /** the .p12's passphrase, when not TEST_PASSPHRASE */
  passphrase?: string;
  /** sign these bytes (a permit the server prepared, GET …/prepared-permit) instead of rendering one */
  prepared?: Buffer;
}

export interface SignedPermit {
  pdf: Buffer;
  identity: SigningIdentity;
  application: Application;
}

/**
 * A genuine signed permit made by the app's own code path: the SK page from
 * renderPermitPdf (or the server's prepared permit, `prepared`) with an empty signature, filled by signPreparedPdf with the CMS that
 * buildCadesSignature makes. No certificate checks: that is the batch's job, and tests of
 * the verifier need files signed by certificates the batch would refuse (expired, …).
 */
export async function makeSignedPermit(options: SignedPermitOptions): Promise<SignedPermit> {
  const identity = loadSigningIdentity(readFileSync(options.p12), options.passphrase ?? TEST_PASSPHRASE);
  const serial = options.serial ?? 1;
  const permitType = (options.application && DEMO_PERMIT_TYPES.find((t) => t.id === options.application!.permitTypeId)) || DEMO_PERMIT_TYPES[serial % DEMO_PERMIT_TYPES.length]!;
  const office = demoOffice('http://127.0.0.1:8787');
  const now = new Date().toISOString();
  const application = options.application ?? applicationSchema.parse({
    id: `tamper-${serial}`,
    registrationNumber: `MPPD-2026-${String(serial).padStart(6, '0')}`,
    permitTypeId: permitType.id,
    workflowId: permitType.workflowId,
    stage: 'penandatanganan',
    applicant: makeApplicant(seededRandom(serial), 'optisien', serial),
    checklist: {},
    submittedAt: now,
    completeAt: null,
    stageEnteredAt: now,
    permitNumber: `503/${permitType.template.numberCode}/${String(serial).padStart(4, '0')}/DPMPTSP/2026`,
    verificationId: `tamper${serial}`,
    version: 1,
  });
  const prepared = options.prepared ?? await renderPermitPdf({
    office,
    permitType,
    application,
    permitNumber: application.permitNumber,
    verificationUrl: `${office.verificationBaseUrl}/verifikasi/${application.verificationId}`,
    draft: false,
    signing: { signedAt: options.signedAt ?? new Date(), signerName: office.headName, validationData: options.validationData },
  });
  const pdf = await signPreparedPdf(prepared, (digest) => buildCadesSignature({ documentDigest: digest, identity, timeStamp: options.timeStamp }), options.leaveSigningTimeSlot ? null : new Date());
  return { pdf, identity, application };
}
