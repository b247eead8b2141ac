import { describe, expect, it } from 'vitest';
import { conformityFindings } from '../../shared/conformity';
import type { Applicant, ReferenceRecord } from '../../shared/domain';

const applicant: Applicant = {
  fullName: 'Rina Marlina Sari',
  nik: '1871024507900003',
  birthPlace: 'Metro',
  birthDate: '1990-07-05',
  gender: 'P',
  address: 'Jl. Jenderal Sudirman No. 12, Metro Pusat',
  phone: '081234567890',
  profession: 'Refraksionis Optisien',
  strNumber: 'RO 00001234567890',
  strValidUntil: '2028-03-02',
  facilityName: 'Optik Sehat Metro',
  facilityAddress: 'Jl. Ahmad Yani No. 5, Metro',
};

function record(source: ReferenceRecord['source'], fields: Record<string, string> = {}): ReferenceRecord {
  return {
    source,
    nik: applicant.nik,
    fields: {
      fullName: applicant.fullName,
      birthDate: applicant.birthDate,
      profession: applicant.profession,
      strNumber: applicant.strNumber,
      strValidUntil: applicant.strValidUntil,
      facilityName: applicant.facilityName,
      ...fields,
    },
    retrievedAt: '2026-11-24T01:00:00.000Z',
  };
}

const TODAY = '2026-11-24';

describe('conformityFindings', () => {
  it('finds nothing when the records agree and the STR is valid', () => {
    expect(conformityFindings(applicant, [record('satu_sehat'), record('sisdmk')], TODAY)).toEqual([]);
  });

  it('reports every field that differs from a record, once per record', () => {
    const findings = conformityFindings(
      applicant,
      [record('satu_sehat', { fullName: 'Rina Marlina' }), record('sisdmk', { fullName: 'Rina M. Sari', facilityName: 'Optik Prima' })],
      TODAY,
    );
    expect(findings).toEqual([
      { kind: 'differs', field: 'fullName', source: 'satu_sehat', applicationValue: 'Rina Marlina Sari', recordValue: 'Rina Marlina' },
      { kind: 'differs', field: 'fullName', source: 'sisdmk', applicationValue: 'Rina Marlina Sari', recordValue: 'Rina M. Sari' },
      { kind: 'differs', field: 'facilityName', source: 'sisdmk', applicationValue: 'Optik Sehat Metro', recordValue: 'Optik Prima' },
    ]);
  });

  it('ignores a field a record does not hold', () => {
    const partial: ReferenceRecord = { source: 'satu_sehat', nik: applicant.nik, fields: { fullName: applicant.fullName }, retrievedAt: '2026-11-24T01:00:00.000Z' };
    expect(conformityFindings(applicant, [partial], TODAY)).toEqual([]);
  });

  it('reports an STR that expired before today', () => {
    const expired = { ...applicant, strValidUntil: '2026-03-02' };
    expect(conformityFindings(expired, [], TODAY)).toEqual([{ kind: 'str_expired', validUntil: '2026-03-02', source: 'application' }]);
  });

  it('holds an STR valid through its last day', () => {
    const lastDay = { ...applicant, strValidUntil: TODAY };
    expect(conformityFindings(lastDay, [], TODAY)).toEqual([]);
    expect(conformityFindings(lastDay, [], '2026-11-25')).toEqual([{ kind: 'str_expired', validUntil: TODAY, source: 'application' }]);
  });

  it('reports an STR that ends before the permit would start, but not one that ends on that day', () => {
    const endsSoon = { ...applicant, strValidUntil: '2026-11-30' };
    expect(conformityFindings(endsSoon, [], TODAY, '2026-12-01')).toEqual([{ kind: 'str_expires_before_start', validUntil: '2026-11-30', source: 'application' }]);
    expect(conformityFindings(endsSoon, [], TODAY, '2026-11-30')).toEqual([]);
    // without a start date the permit is taken to start today
    expect(conformityFindings(endsSoon, [], TODAY)).toEqual([]);
  });

  it("checks each record's own strValidUntil, beside the difference from the application", () => {
    const findings = conformityFindings(applicant, [record('satu_sehat'), record('sisdmk', { strValidUntil: '2026-01-31' })], TODAY);
    expect(findings).toEqual([
      { kind: 'differs', field: 'strValidUntil', source: 'sisdmk', applicationValue: '2028-03-02', recordValue: '2026-01-31' },
      { kind: 'str_expired', validUntil: '2026-01-31', source: 'sisdmk' },
    ]);
  });

  it('reports the STR once per source when the application and the records all carry the expired date', () => {
    const expired = { ...applicant, strValidUntil: '2026-03-02' };
    const findings = conformityFindings(expired, [record('satu_sehat', { strValidUntil: '2026-03-02' }), record('sisdmk', { strValidUntil: '2026-03-02' })], TODAY);
    expect(findings.map((f) => `${f.kind}:${f.source}`)).toEqual(['str_expired:application', 'str_expired:satu_sehat', 'str_expired:sisdmk']);
  });

  it("skips a record's strValidUntil that is not a calendar date", () => {
    const findings = conformityFindings(applicant, [record('sisdmk', { strValidUntil: 'seumur hidup' })], TODAY);
    expect(findings).toEqual([{ kind: 'differs', field: 'strValidUntil', source: 'sisdmk', applicationValue: '2028-03-02', recordValue: 'seumur hidup' }]);
  });
});
