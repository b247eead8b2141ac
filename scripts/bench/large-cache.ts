import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openEncrypted } from '../../db/sqlite-cipher';
import type { Application } from '../../shared/domain';
import { calendarDateIn, deadlineAfterWorkingDays } from '../../shared/working-days';
import { DEMO_PERMIT_TYPES, demoOffice } from '../../server/seed/demo-configuration';
import { makeApplicant, seededRandom } from '../../server/seed/demo-people';

const PROFESSIONS = ['optisien', 'okupasi', 'internship'] as const;

/**
 * Adds `count` synthetic files at `stage` straight into a desk cache that has already synced
 * once (so the office, workflows and permit types are there): the queue at office scale. The
 * cache is encrypted: `key` is the desk's cache key, by default the key file beside it (the
 * web host's and a desk without a key store).
 */
export function seedLargeCache(
  cacheFile: string,
  count: number,
  stage = 'pemeriksaan',
  now = new Date(),
  key: Buffer = readFileSync(join(dirname(cacheFile), 'cache.key')),
): void {
  const db = openEncrypted(cacheFile, key, { fileMustExist: true });
  const random = seededRandom(99);
  const office = demoOffice('http://127.0.0.1');
  const holidays = new Set(office.holidays.map((h) => h.date));
  const insert = db.prepare(
    `INSERT INTO applications (id, registration_number, permit_type_id, workflow_id, stage, server_stage, applicant_name, nik, submitted_at, complete_at, deadline_date, data, change_seq)
     VALUES (@id, @registration_number, @permit_type_id, @workflow_id, @stage, @stage, @applicant_name, @nik, @submitted_at, @submitted_at, @deadline_date, @data, 0)`,
  );
  db.transaction(() => {
    for (let i = 0; i < count; i += 1) {
      const permitType = DEMO_PERMIT_TYPES[i % DEMO_PERMIT_TYPES.length]!;
      const applicant = makeApplicant(random, PROFESSIONS[i % 3]!, 200_000 + i);
      const submitted = new Date(now.getTime() - Math.floor(random() * 12 * 24) * 3600_000);
      const id = `bulk-${String(i).padStart(6, '0')}`;
      const application: Application = {
        id,
        registrationNumber: `MPPD-2026-${String(500_000 + i).padStart(6, '0')}`,
        permitTypeId: permitType.id,
        workflowId: permitType.workflowId,
        stage,
        applicant,
        checklist: {},
        submittedAt: submitted.toISOString(),
        completeAt: submitted.toISOString(),
        stageEnteredAt: submitted.toISOString(),
        permitNumber: null,
        verificationId: null,
        version: 1,
        claimedBy: null,
        signedPermit: null,
        permitNumberVoided: false,
      };
      insert.run({
        id,
        registration_number: application.registrationNumber,
        permit_type_id: permitType.id,
        workflow_id: permitType.workflowId,
        stage,
        applicant_name: applicant.fullName,
        nik: applicant.nik,
        submitted_at: application.submittedAt,
        deadline_date: deadlineAfterWorkingDays(calendarDateIn(submitted, office.timeZone), permitType.slaWorkingDays, holidays),
        data: JSON.stringify(application),
      });
    }
  })();
  db.exec('ANALYZE');
  db.close();
}
