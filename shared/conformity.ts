import type { Applicant, ReferenceRecord } from './domain';

/** The application's fields that are compared with the Satu Sehat and SISDMK records. */
export const COMPARED_FIELDS = ['fullName', 'birthDate', 'profession', 'strNumber', 'strValidUntil', 'facilityName'] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

export type ConformityFinding =
  | { kind: 'differs'; field: ComparedField; source: ReferenceRecord['source']; applicationValue: string; recordValue: string }
  /** the STR (in the application or in a national record) ended before the application was handled */
  | { kind: 'str_expired'; validUntil: string; source: 'application' | ReferenceRecord['source'] }
  /** the STR ends before the permit would start (the permit would be issued on a dead registration) */
  | { kind: 'str_expires_before_start'; validUntil: string; source: 'application' | ReferenceRecord['source'] };

/**
 * What does not conform in a file: every compared field that differs from a national record,
 * and an STR that has expired, or will have expired by the day the permit starts. `today` and
 * `permitStart` are calendar dates (YYYY-MM-DD) in the office's zone; when the permit's start is
 * not known yet it is taken as today.
 */
export function conformityFindings(applicant: Applicant, references: ReferenceRecord[], today: string, permitStart: string = today): ConformityFinding[] {
  const findings: ConformityFinding[] = [];
  for (const field of COMPARED_FIELDS) {
    for (const record of references) {
      const recordValue = record.fields[field];
      if (recordValue !== undefined && recordValue !== applicant[field]) {
        findings.push({ kind: 'differs', field, source: record.source, applicationValue: applicant[field], recordValue });
      }
    }
  }
  const validUntilDates: Array<{ validUntil: string; source: 'application' | ReferenceRecord['source'] }> = [
    { validUntil: applicant.strValidUntil, source: 'application' },
    ...references.filter((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.fields.strValidUntil ?? '')).map((r) => ({ validUntil: r.fields.strValidUntil!, source: r.source })),
  ];
  for (const { validUntil, source } of validUntilDates) {
    // dates compare as strings in YYYY-MM-DD form; an STR is valid through its last day
    if (validUntil < today) findings.push({ kind: 'str_expired', validUntil, source });
    else if (validUntil < permitStart) findings.push({ kind: 'str_expires_before_start', validUntil, source });
  }
  return findings;
}
