import { X509Certificate, createHash } from 'node:crypto';
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import { permitTypeSchema, type PermitType } from '../../shared/domain';
import type { Office, SignerBinding } from '../../shared/office';
import type { Workflow } from '../../shared/workflow';
import { validateSigningCertificatePath, type RevocationSource } from '../../shared/node/certificate-path';
import { issuerDisplayName, subjectCommonName, subjectSerialNumber } from '../../shared/node/certificate-names';
import { sharedRevocationSource } from '../../shared/node/revocation';
import type { ValidationData } from '../../shared/node/permit-pdf/document-security-store';
import { renderPermitAwaitingNumber, renderPermitPdf, type PermitPdfInput } from '../../shared/node/permit-pdf/permit-layout';
import type { ApplicationTable, PreparedPermitTable, ServerDatabase } from '../db/server-database';
import type { OfficeDefinitions } from './definitions-cache';
import { existingPermitNumber, permitNumberText, PLACEHOLDER_SEQUENCE, planPermitNumber, takePlannedPermitNumber, type PermitNumberRow } from './reserve-permit-number';
import { applicationFromRow, loadOffice, loadWorkflow } from './server-records';

type Db = Kysely<ServerDatabase> | Transaction<ServerDatabase>;

/** The signer a permit is prepared for: as the visible signature names them, and the DSS's data. */
export interface PreparedSigner {
  certificateSha256: string | null;
  signerName: string;
  signerSerialNumber: string | null;
  certificateIssuerName: string | null;
  validationData: ValidationData | undefined;
}

interface CachedSigner {
  signer: PreparedSigner;
  until: number;
}

/** How long a signer's path and revocation data are reused at most (a CRL's nextUpdate may cut it shorter). */
const SIGNER_CACHE_MS = 60 * 60_000;
const signers = new Map<string, CachedSigner>();

/**
 * The binding whose certificate the office's permits are prepared for: the official of the
 * chain's signing role with a registered certificate, else any binding with one.
 */
async function registeredSigner(db: Db, office: Office, workflow: Workflow): Promise<SignerBinding | undefined> {
  const withCertificate = office.signers.filter((b) => b.certificatePem);
  if (withCertificate.length <= 1) return withCertificate[0];
  const signingRole = workflow.stages.find((s) => s.actions.some((a) => a.kind === 'sign'))?.role ?? null;
  const users = await db.selectFrom('users').select(['username', 'role']).where('office_id', '=', office.id).where('active', '=', 1).execute();
  return withCertificate.find((b) => users.some((u) => u.username === b.username && u.role === signingRole)) ?? withCertificate[0];
}

function certificatesOf(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

/**
 * The signer's name, number and CA from the registered certificate, and its path to the office's
 * root with the revocation data (PAdES B-LT), kept for an hour (or until the CRL's nextUpdate).
 * When revocation cannot be fetched (the CA's distribution point offline), the permit is
 * prepared without CRLs rather than not at all: the number has been given and the file must move
 * on; the signature is then B-T (or B-B) instead of B-LT, and the verifier records revocation as
 * unknown, as it does for any offline check.
 */
async function preparedSignerFor(binding: SignerBinding | undefined, office: Office, now: Date, revocation: RevocationSource | null): Promise<PreparedSigner> {
  if (!binding?.certificatePem) {
    // No certificate registered: the office's configured head, and a permit no certificate will sign until one is.
    return { certificateSha256: null, signerName: office.headName, signerSerialNumber: office.headNip, certificateIssuerName: null, validationData: undefined };
  }
  const key = `${office.id}|${createHash('sha256').update(binding.certificatePem).update(office.trustedRootsPem.join('')).digest('hex')}`;
  const cached = signers.get(key);
  if (cached && cached.until > now.getTime()) return cached.signer;
  const [leaf, ...intermediates] = certificatesOf(binding.certificatePem);
  if (!leaf) throw new Error(`the certificate registered to ${binding.username} is not a PEM certificate`);
  const validation = await validateSigningCertificatePath({ leaf, intermediates, trustedRootsPem: office.trustedRootsPem, at: now, ...(revocation ? { revocation } : {}) });
  const crls = validation.revocation.flatMap((r) => r.crls);
  const signer: PreparedSigner = {
    certificateSha256: createHash('sha256').update(leaf.raw).digest('hex'),
    signerName: subjectCommonName(leaf) ?? office.headName,
    signerSerialNumber: subjectSerialNumber(leaf),
    certificateIssuerName: issuerDisplayName(leaf),
    // a path that does not validate (yet) is still carried as registered: the batch checks the certificate it opens
    validationData: {
      certificates: (validation.path.length > 0 ? validation.path : [leaf, ...intermediates]).map((c) => c.raw),
      crls,
      ocspResponses: validation.revocation.flatMap((r) => r.ocspResponses),
    },
  };
  signers.set(key, { signer, until: now.getTime() + SIGNER_CACHE_MS });
  return signer;
}

/**
 * Makes the signer of an office's permits ready before a transaction needs it, so revocation is
 * fetched outside any write lock; within the transaction preparePermit finds it cached.
 */
export async function warmPermitPreparation(
  db: Kysely<ServerDatabase>,
  { office, workflows }: Pick<OfficeDefinitions, 'office' | 'workflows'>,
  now = new Date(),
  revocation: RevocationSource | null = sharedRevocationSource(),
): Promise<void> {
  if (!office.signers.some((b) => b.certificatePem)) return;
  for (const workflow of workflows) await preparedSignerFor(await registeredSigner(db, office, workflow), office, now, revocation);
}

/** What preparing a file's permit needs besides its number: read before the number is taken (reserve-permit-number.ts). */
export interface PermitPreparation {
  office: Office;
  permitType: PermitType;
  signer: PreparedSigner;
}

/** The office, permit type and signer a file's permit is prepared with; from `definitions` when the caller read them already. */
export async function permitPreparation(
  trx: Db,
  app: Pick<Selectable<ApplicationTable>, 'office_id' | 'workflow_id' | 'permit_type_id'>,
  now: Date,
  definitions?: OfficeDefinitions,
  revocation: RevocationSource | null = sharedRevocationSource(),
): Promise<PermitPreparation> {
  const office = definitions?.office ?? (await loadOffice(trx, app.office_id));
  const workflow = definitions?.workflow(app.workflow_id) ?? (await loadWorkflow(trx, app.workflow_id));
  const permitType =
    definitions?.permitType(app.permit_type_id) ??
    permitTypeSchema.parse(JSON.parse((await trx.selectFrom('permit_types').select('definition').where('id', '=', app.permit_type_id).executeTakeFirstOrThrow()).definition));
  const signer = await preparedSignerFor(await registeredSigner(trx, office, workflow), office, now, revocation);
  return { office, permitType, signer };
}

/**
 * Prepares the final permit of a numbered file, in the caller's transaction: number, QR,
 * legal text, the signature field with its visible appearance naming the signer from the
 * office's registered certificate, and the DSS with its path and revocation data: everything
 * but the CMS. Stored with its SHA-256 (replacing an earlier preparation of the same file);
 * the desks fetch exactly these bytes. The printed date is the preparation date; the signature
 * claims no signing time (/M): that is the time-stamp's, or the server's clock when it issues.
 */
export async function preparePermit(
  trx: Db,
  applicationId: string,
  now: Date,
  revocation: RevocationSource | null = sharedRevocationSource(),
): Promise<{ sha256: string; certificateSha256: string | null }> {
  const row = await trx.selectFrom('applications').selectAll().where('id', '=', applicationId).executeTakeFirstOrThrow();
  const values = await renderPreparedPermit(row, await permitPreparation(trx, row, now, undefined, revocation), now);
  await writePreparedPermit(trx, values);
  return { sha256: values.sha256, certificateSha256: values.certificate_sha256 };
}

/** Stores a rendered permit, replacing an earlier preparation of the same file. */
export async function writePreparedPermit(trx: Db, values: PreparedPermitRow): Promise<void> {
  await trx
    .insertInto('prepared_permits')
    .values(values)
    .onConflict((oc) => oc.column('application_id').doUpdateSet({ sha256: values.sha256, pdf: values.pdf, certificate_sha256: values.certificate_sha256, prepared_at: values.prepared_at }))
    .execute();
}

type PreparedPermitRow = Insertable<PreparedPermitTable> & { sha256: string; pdf: Buffer; certificate_sha256: string | null; prepared_at: string };

function permitPdfInput(row: Selectable<ApplicationTable>, { office, permitType, signer }: PermitPreparation, now: Date, permitNumber: string, verificationId: string): PermitPdfInput & { permitNumber: string } {
  return {
    office,
    permitType,
    application: applicationFromRow(row),
    permitNumber,
    verificationUrl: `${office.verificationBaseUrl}/verifikasi/${verificationId}`,
    draft: false,
    signing: {
      signedAt: now,
      claimSigningTime: false,
      signerName: signer.signerName,
      signerSerialNumber: signer.signerSerialNumber,
      certificateIssuerName: signer.certificateIssuerName,
      validationData: signer.validationData,
    },
  };
}

function preparedPermitRow(applicationId: string, pdfBytes: Uint8Array, signer: PreparedSigner, now: Date): PreparedPermitRow {
  const pdf = Buffer.from(pdfBytes.buffer, pdfBytes.byteOffset, pdfBytes.byteLength);
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  return { application_id: applicationId, sha256, pdf, certificate_sha256: signer.certificateSha256, prepared_at: now.toISOString() };
}

/** The prepared permit's row, rendered but not yet stored (writePreparedPermit stores it; on PostgreSQL the step's closing statement does). */
export async function renderPreparedPermit(row: Selectable<ApplicationTable>, preparation: PermitPreparation, now: Date): Promise<PreparedPermitRow> {
  if (!row.permit_number || !row.verification_id) throw new Error(`application ${row.id} has no permit number to prepare`);
  const pdf = await renderPermitPdf(permitPdfInput(row, preparation, now, row.permit_number, row.verification_id));
  return preparedPermitRow(row.id, pdf, preparation.signer, now);
}

/**
 * The numbering step: the file's number and its final permit, neither yet written. A file
 * numbered before keeps its number. A new number is planned, the permit rendered with a
 * placeholder in its place, and only then the counter taken and the number written into the
 * rendered bytes (renderPermitAwaitingNumber): the office's next numbering of this code waits
 * from the counter to the commit, and the render, the longest part of the step, is no longer
 * inside that wait. A number the placeholder cannot stand for (a fifth digit) is rendered anew.
 */
export async function numberAndRenderPermit(
  trx: Transaction<ServerDatabase>,
  row: Selectable<ApplicationTable>,
  preparation: PermitPreparation,
  now: Date,
): Promise<{ number: PermitNumberRow; fresh: boolean; prepared: PreparedPermitRow }> {
  // a file's number enters the register in the same statement or transaction that writes it on the
  // file (recordPermitNumber, the closing statement on PostgreSQL), voided or not it stays there:
  // a file without one on its row, read under its lock, has none in the register either
  const existing = row.permit_number === null ? undefined : await existingPermitNumber(trx, row.id);
  if (existing) {
    const prepared = await renderPreparedPermit({ ...row, permit_number: existing.permit_number, verification_id: existing.verification_id }, preparation, now);
    return { number: existing, fresh: false, prepared };
  }
  const plan = planPermitNumber({ officeId: row.office_id, office: preparation.office, permitType: preparation.permitType }, now);
  const awaiting = await renderPermitAwaitingNumber(permitPdfInput(row, preparation, now, permitNumberText(plan, PLACEHOLDER_SEQUENCE), plan.verificationId));
  const number = await takePlannedPermitNumber(trx, row.id, plan);
  const numbered = awaiting.withNumber(number.permit_number) ?? (await renderPermitPdf(permitPdfInput(row, preparation, now, number.permit_number, number.verification_id)));
  return { number, fresh: true, prepared: preparedPermitRow(row.id, numbered, preparation.signer, now) };
}

/** The prepared permit of a file, if the server prepared one. */
export async function readPreparedPermit(db: Db, applicationId: string) {
  return db.selectFrom('prepared_permits').selectAll().where('application_id', '=', applicationId).executeTakeFirst();
}
