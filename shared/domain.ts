import { z } from 'zod';
import { ROLES } from './roles';

export const requirementSchema = z.object({
  id: z.string().min(1),
  label: z.string().min(1),
  /** the document kind that evidences it, if the applicant uploads one */
  documentKind: z.string().nullable(),
});

export const permitTemplateSchema = z.object({
  title: z.string().min(1),
  /** the number's code segment, e.g. `503/<code>/<sequence>/DPMPTSP/<year>` */
  numberCode: z.string().min(1),
  validityYears: z.number().int().positive(),
  decisionText: z.string().min(1),
  /**
   * The government, office and place the permit is issued in the name of, when they are not the
   * desk office's own (a permit type kept for another city's chain): the letterhead, "Ditetapkan
   * di" and the signer's title come from here, so a Pekanbaru permit reads as Pekanbaru's.
   */
  issuer: z
    .object({ government: z.string().min(1), officeName: z.string().min(1), city: z.string().min(1), signerTitle: z.string().min(1) })
    .nullable()
    .default(null),
});

export const permitTypeSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  workflowId: z.string().min(1),
  slaWorkingDays: z.number().int().positive(),
  requirements: z.array(requirementSchema),
  legalBasis: z.array(z.string().min(1)),
  template: permitTemplateSchema,
});

export const applicantSchema = z.object({
  fullName: z.string().min(1),
  nik: z.string().regex(/^\d{16}$/),
  birthPlace: z.string(),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  gender: z.enum(['L', 'P']),
  address: z.string(),
  phone: z.string(),
  profession: z.string(),
  strNumber: z.string(),
  strValidUntil: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  facilityName: z.string(),
  facilityAddress: z.string(),
});

/** A professional record held by a national source for one NIK. */
export const referenceRecordSchema = z.object({
  source: z.enum(['satu_sehat', 'sisdmk']),
  nik: z.string(),
  fields: z.record(z.string(), z.string()),
  retrievedAt: z.string(),
});

export const documentMetaSchema = z.object({
  id: z.string().min(1),
  applicationId: z.string().min(1),
  kind: z.string().min(1),
  fileName: z.string().min(1),
  mimeType: z.string().min(1),
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** One line of the kartu kendali: who moved the file, when, from where to where. */
export const applicationEventSchema = z.object({
  id: z.string().min(1),
  applicationId: z.string().min(1),
  commandId: z.string().nullable(),
  actorName: z.string(),
  actorRole: z.enum(ROLES).nullable(),
  action: z.string(),
  fromStage: z.string().nullable(),
  toStage: z.string(),
  reason: z.string().nullable(),
  at: z.string(),
  /** what the official saw when deciding: the national records compared with the file */
  evidence: z
    .object({
      references: z.array(referenceRecordSchema).default([]),
      /** a paraf: the SHA-256 of the prepared permit the official initialled */
      preparedPermitSha256: z.string().optional(),
    })
    .nullable()
    .default(null),
});

export const applicationSchema = z.object({
  id: z.string().min(1),
  registrationNumber: z.string().min(1),
  permitTypeId: z.string().min(1),
  workflowId: z.string().min(1),
  stage: z.string().min(1),
  applicant: applicantSchema,
  /** requirement id → ticked by the penata */
  checklist: z.record(z.string(), z.boolean()),
  submittedAt: z.string(),
  /** when the file was received correct and complete: the deadline counts from here */
  completeAt: z.string().nullable(),
  stageEnteredAt: z.string(),
  permitNumber: z.string().nullable(),
  verificationId: z.string().nullable(),
  version: z.number().int().nonnegative(),
  /** the signed permit the server verified and registered, once there is one */
  signedPermit: z
    .object({ sha256: z.string(), issuedAt: z.string(), signerName: z.string(), padesLevel: z.string().nullable() })
    .nullable()
    .default(null),
  /**
   * The final permit the server prepared at the numbering step (everything but the CMS): its
   * SHA-256 and the certificate it was prepared for. The desk fetches the bytes and refuses any
   * that do not hash to this.
   */
  preparedPermit: z
    .object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), certificateSha256: z.string().nullable(), preparedAt: z.string() })
    .nullish(),
  /** the number was voided (the file ended without a permit): batal, never reused */
  permitNumberVoided: z.boolean().default(false),
  /** an official of the acting role who took the file, so colleagues leave it to them */
  claimedBy: z.object({ userId: z.string(), name: z.string(), at: z.string() }).nullable().default(null),
});

export type Requirement = z.infer<typeof requirementSchema>;
export type PermitTemplate = z.infer<typeof permitTemplateSchema>;
export type PermitType = z.infer<typeof permitTypeSchema>;
export type Applicant = z.infer<typeof applicantSchema>;
export type ReferenceRecord = z.infer<typeof referenceRecordSchema>;
export type DocumentMeta = z.infer<typeof documentMetaSchema>;

/** A document's metadata from its stored row: the desk's cache and the server keep the same columns. */
export function documentMetaFromRow(row: { id: string; application_id: string; kind: string; file_name: string; mime_type: string; size_bytes: number; sha256: string }): DocumentMeta {
  return { id: row.id, applicationId: row.application_id, kind: row.kind, fileName: row.file_name, mimeType: row.mime_type, sizeBytes: row.size_bytes, sha256: row.sha256 };
}
export type ApplicationEvent = z.infer<typeof applicationEventSchema>;
export type Application = z.infer<typeof applicationSchema>;
