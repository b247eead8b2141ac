import { createHash, randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Applicant, PermitType } from '../../shared/domain';
import type { Office, SignerBinding } from '../../shared/office';
import type { Workflow } from '../../shared/workflow';
import { calendarDateIn } from '../../shared/working-days';
import type { ServerDatabase } from '../db/server-database';
import { nextChangeSeq } from '../app/change-sequence';
import { hashPassword } from '../app/password-hash';
import { loadTsaIdentity } from '../app/time-stamp-authority';
import { reservePermitNumber, voidPermitNumber } from '../app/reserve-permit-number';
import { preparePermit } from '../app/prepare-permit';
import {
  DEMO_PASSWORD,
  DEMO_PERMIT_TYPES,
  DEMO_USERS,
  METRO_WORKFLOW,
  PEKANBARU_OFFICE_ID,
  PEKANBARU_SIKRO,
  PEKANBARU_WORKFLOW,
  demoOffice,
  pekanbaruOffice,
} from './demo-configuration';
import { BALIKPAPAN_PERMIT_TYPES, BALIKPAPAN_WORKFLOW, balikpapanOffice } from './demo-balikpapan';
import { makeUploadedDocument } from './demo-documents';
import { BALIKPAPAN_REGION, METRO_REGION, PEKANBARU_REGION, makeApplicant, pick, seededRandom, type DemoRegion, type Profession } from './demo-people';

export interface SeedOptions {
  applications?: number;
  verificationBaseUrl?: string;
  now?: Date;
  seed?: number;
  /** the trusted signing roots of every demo office */
  trustedRootsPem?: string[];
  /** sign PAdES B-T with this TSA; `'self'` (the default) means this server's own /api/v1/tsa */
  timeStampUrl?: string | null;
  /** who may sign the Metro office's permits with which certificate (default: `kadis`, by the demo certificate's serialNumber) */
  signers?: SignerBinding[];
  /** put every file at this stage (tests of one desk) instead of the realistic mix */
  allAtStage?: 'pemeriksaan' | 'verifikasi_draf' | 'penandatanganan';
  /** the Metro office's zone; Kota Metro is WIB */
  timeZone?: 'Asia/Jakarta' | 'Asia/Makassar' | 'Asia/Jayapura';
  /** files of the Pekanbaru office on its SOP chain (front office → … → sekretaris), to show per-step standard times */
  pekanbaruFiles?: number;
  /** files of the Balikpapan office (WITA) */
  balikpapanFiles?: number;
  /** who may sign the Pekanbaru office's permits (default: `kadispekanbaru`, by his demo certificate's serialNumber) */
  pekanbaruSigners?: SignerBinding[];
  /** false: no uploaded PDFs (large synthetic offices for benchmarks) */
  documents?: boolean;
}

const PROFESSION_OF: Record<string, Profession> = {
  'sio-refraksionis-optisien': 'optisien',
  'sito-terapis-okupasional': 'okupasi',
  'sid-dokter-internship': 'internship',
};

// Where the demo files stand, in the order a file travels; the weights give a realistic desk.
const STAGE_MIX: Array<[string, number]> = [
  ['pemeriksaan', 0.45],
  ['verifikasi_draf', 0.25],
  ['penandatanganan', 0.18],
  ['dikembalikan', 0.07],
  ['ditolak', 0.05],
];

export async function isSeeded(db: Kysely<ServerDatabase>): Promise<boolean> {
  return (await db.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined;
}

type SeededUser = { id: string; office_id: string; username: string; full_name: string; nip: string; role: string; password_hash: string; active: number };
type ByRole = (role: string) => SeededUser;

interface PlannedFile {
  index: number;
  permitType: PermitType;
  applicant: Applicant;
  submitted: Date;
  documents: Array<{ kind: string; content: Buffer }>;
  stage: string;
  mismatch: 'facilityName' | 'strNumber' | 'fullName' | null;
}

/**
 * The demo server: three offices, each with its own chain, permit types, officials and files —
 * DPMPTSP Kota Metro (WIB; `applications` files), Kota Pekanbaru (WIB; its SOP chain,
 * `pekanbaruFiles` files) and Kota Balikpapan (WITA; `balikpapanFiles` files).
 */
export async function seedDemoDatabase(db: Kysely<ServerDatabase>, options: SeedOptions = {}): Promise<{ applications: number; users: number }> {
  const count = options.applications ?? 64;
  const pekanbaruCount = options.pekanbaruFiles ?? 0;
  const balikpapanCount = options.balikpapanFiles ?? 0;
  const now = options.now ?? new Date();
  const random = seededRandom(options.seed ?? 20261123);
  const base = options.verificationBaseUrl ?? 'http://127.0.0.1:8787';
  const ownTsa = options.timeStampUrl === undefined || options.timeStampUrl === 'self';
  const timeStampUrl = ownTsa ? `${base}/api/v1/tsa` : (options.timeStampUrl ?? null);
  // the reference server's own TSA is the one whose time-stamps the demo offices believe
  const timeStampRootsPem = ownTsa ? [(await loadTsaIdentity(db)).rootPem] : [];
  const roots = options.trustedRootsPem ?? [];
  const metro = { ...demoOffice(base, roots, timeStampUrl, options.signers), ...(options.timeZone ? { timeZone: options.timeZone } : {}), timeStampRootsPem };
  const pekanbaru = { ...pekanbaruOffice(base, roots, timeStampUrl, options.pekanbaruSigners), timeStampRootsPem };
  const balikpapan = { ...balikpapanOffice(base, roots, timeStampUrl), timeStampRootsPem };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const users: SeededUser[] = DEMO_USERS.map((u) => ({
    id: randomUUID(),
    office_id: u.office,
    username: u.username,
    full_name: u.fullName,
    nip: u.nip,
    role: u.role,
    password_hash: passwordHash,
    active: 1,
  }));
  const byRoleIn = (officeId: string): ByRole => (role) => users.find((u) => u.office_id === officeId && u.role === role)!;

  // Documents are generated before the transaction: PDF generation is async work we need not hold a write lock for.
  const metroPlan = await planFiles(count, DEMO_PERMIT_TYPES, random, now, metro.timeZone, METRO_REGION, options);
  // its own generator, so adding Balikpapan's files changes nothing of Metro's or Pekanbaru's
  const balikpapanPlan = await planFiles(balikpapanCount, BALIKPAPAN_PERMIT_TYPES, seededRandom((options.seed ?? 20261123) + 2), now, balikpapan.timeZone, BALIKPAPAN_REGION, {
    documents: options.documents,
  });

  await db.transaction().execute(async (trx) => {
    const offices: Array<[Office, Workflow[], PermitType[]]> = [
      [metro, [METRO_WORKFLOW], DEMO_PERMIT_TYPES],
      [pekanbaru, [PEKANBARU_WORKFLOW], [PEKANBARU_SIKRO]],
      [balikpapan, [BALIKPAPAN_WORKFLOW], BALIKPAPAN_PERMIT_TYPES],
    ];
    for (const [office, workflows, permitTypes] of offices) {
      await trx.insertInto('offices').values({ id: office.id, definition: JSON.stringify(office) }).execute();
      for (const workflow of workflows) await trx.insertInto('workflows').values({ id: workflow.id, office_id: office.id, definition: JSON.stringify(workflow) }).execute();
      for (const type of permitTypes) await trx.insertInto('permit_types').values({ id: type.id, office_id: office.id, definition: JSON.stringify(type) }).execute();
    }
    await trx.insertInto('users').values(users).execute();

    await insertThreeStageFiles(trx, metro, metroPlan, byRoleIn(metro.id), now, 0);
    if (pekanbaruCount) await seedPekanbaruFiles(trx, pekanbaruCount, random, now, count, byRoleIn(pekanbaru.id), options.documents !== false);
    await insertThreeStageFiles(trx, balikpapan, balikpapanPlan, byRoleIn(balikpapan.id), now, count + pekanbaruCount);
  });
  return { applications: count + pekanbaruCount + balikpapanCount, users: users.length };
}

/** Files on a three-step chain (Metro's, Balikpapan's): who they are, what they uploaded, where they stand. */
async function planFiles(
  count: number,
  permitTypes: PermitType[],
  random: () => number,
  now: Date,
  timeZone: Office['timeZone'],
  region: DemoRegion,
  options: Pick<SeedOptions, 'documents' | 'allAtStage'>,
): Promise<PlannedFile[]> {
  const planned: PlannedFile[] = [];
  for (let i = 0; i < count; i += 1) {
    const permitType = permitTypes[i % permitTypes.length]!;
    const applicant = makeApplicant(random, PROFESSION_OF[permitType.id.replace(/-balikpapan$/, '')]!, 1 + i, region);
    const hoursAgo = 2 + Math.floor(random() * 24 * 7);
    const submitted = new Date(now.getTime() - hoursAgo * 3600_000);
    const submittedDay = calendarDateIn(submitted, timeZone);
    const documents = [];
    for (const requirement of permitType.requirements) {
      if (!requirement.documentKind || options.documents === false) continue;
      const content = Buffer.from(await makeUploadedDocument(requirement.documentKind, applicant, submittedDay));
      documents.push({ kind: requirement.documentKind, content });
    }
    let roll = random();
    let stage = STAGE_MIX[STAGE_MIX.length - 1]![0];
    for (const [candidate, weight] of STAGE_MIX) {
      if (roll < weight) {
        stage = candidate;
        break;
      }
      roll -= weight;
    }
    if (options.allAtStage) stage = options.allAtStage;
    planned.push({ index: i, permitType, applicant, submitted, documents, stage, mismatch: random() < 0.2 ? pick(random, ['facilityName', 'strNumber', 'fullName'] as const) : null });
  }
  return planned;
}

async function insertThreeStageFiles(trx: Transaction<ServerDatabase>, office: Office, planned: PlannedFile[], byRole: ByRole, now: Date, registrationOffset: number) {
  for (const plan of planned) {
    const id = randomUUID();
    const year = calendarDateIn(plan.submitted, office.timeZone).slice(0, 4);
    const submittedAt = plan.submitted.toISOString();
    const allMet = Object.fromEntries(plan.permitType.requirements.map((r) => [r.id, true]));
    const beyondCheck = plan.stage !== 'pemeriksaan' && plan.stage !== 'dikembalikan';
    const events: Array<{ role: string; action: string; from: string | null; to: string; reason: string | null }> = [
      { role: 'system', action: 'diajukan', from: null, to: 'pemeriksaan', reason: null },
    ];
    if (plan.stage === 'dikembalikan') {
      events.push({ role: 'penata_perizinan', action: 'kembalikan_ke_pemohon', from: 'pemeriksaan', to: 'dikembalikan', reason: 'Data SISDMK belum diverifikasi oleh Faskes.' });
    }
    if (beyondCheck) events.push({ role: 'penata_perizinan', action: 'teruskan', from: 'pemeriksaan', to: 'verifikasi_draf', reason: null });
    if (plan.stage === 'penandatanganan' || plan.stage === 'ditolak') {
      events.push({ role: 'koordinator', action: 'setujui_draf', from: 'verifikasi_draf', to: 'penandatanganan', reason: null });
    }
    if (plan.stage === 'ditolak') {
      events.push({ role: 'kepala_dinas', action: 'tolak', from: 'penandatanganan', to: 'ditolak', reason: 'STR tidak sesuai dengan data Satu Sehat.' });
    }
    const stepMs = Math.max(60_000, (now.getTime() - plan.submitted.getTime()) / (events.length + 1));
    const changeSeq = await nextChangeSeq(trx);
    await trx
      .insertInto('applications')
      .values({
        id,
        office_id: office.id,
        registration_number: `MPPD-${year}-${String(10_231 + registrationOffset + plan.index).padStart(6, '0')}`,
        permit_type_id: plan.permitType.id,
        workflow_id: plan.permitType.workflowId,
        stage: plan.stage,
        applicant: JSON.stringify(plan.applicant),
        checklist: JSON.stringify(beyondCheck ? allMet : {}),
        submitted_at: submittedAt,
        complete_at: submittedAt,
        stage_entered_at: new Date(plan.submitted.getTime() + stepMs * (events.length - 1)).toISOString(),
        permit_number: null,
        verification_id: null,
        version: events.length,
        change_seq: changeSeq,
      })
      .execute();
    for (const [n, event] of events.entries()) {
      const actor = event.role === 'system' ? null : byRole(event.role);
      await trx
        .insertInto('events')
        .values({
          id: randomUUID(),
          application_id: id,
          command_id: null,
          actor_name: actor ? actor.full_name : `${plan.applicant.fullName} (MPPD)`,
          actor_role: actor ? actor.role : null,
          action: event.action,
          from_stage: event.from,
          to_stage: event.to,
          reason: event.reason,
          at: new Date(plan.submitted.getTime() + stepMs * n).toISOString(),
          evidence: null,
        })
        .execute();
    }
    if (plan.stage === 'penandatanganan' || plan.stage === 'ditolak') await reservePermitNumber(trx, id, now);
    // past the numbering step, as the server does there: the final permit is prepared
    if (plan.stage === 'penandatanganan') await preparePermit(trx, id, now);
    if (plan.stage === 'ditolak') await voidPermitNumber(trx, id, now);
    for (const [n, doc] of plan.documents.entries()) {
      await trx
        .insertInto('documents')
        .values({
          id: `${id.slice(0, 8)}-d${n + 1}`,
          application_id: id,
          kind: doc.kind,
          file_name: `${doc.kind}-${plan.applicant.nik}.pdf`,
          mime_type: 'application/pdf',
          size_bytes: doc.content.length,
          sha256: createHash('sha256').update(doc.content).digest('hex'),
          content: doc.content,
        })
        .execute();
    }
    await insertReferenceRecords(trx, plan.applicant, plan.mismatch, now);
  }
}

const PEKANBARU_STEPS = ['penerimaan_berkas', 'cetak_blanko', 'paraf_analis_muda', 'paraf_analis_madya', 'paraf_sekretaris'];

/** Files moving along Pekanbaru's chain, each in its step since a few minutes to an hour ago. */
async function seedPekanbaruFiles(
  trx: Transaction<ServerDatabase>,
  count: number,
  random: () => number,
  now: Date,
  offset: number,
  byRole: ByRole,
  documents: boolean,
) {
  for (let i = 0; i < count; i += 1) {
    const id = randomUUID();
    const applicant = makeApplicant(random, 'optisien', 5000 + i, PEKANBARU_REGION);
    const step = PEKANBARU_STEPS[i % PEKANBARU_STEPS.length]!;
    const enteredAt = new Date(now.getTime() - (3 + Math.floor(random() * 60)) * 60_000);
    const submittedAt = new Date(enteredAt.getTime() - 20 * 60_000);
    const reached = PEKANBARU_STEPS.indexOf(step);
    // a file still at the first step entered it when it was submitted: the stage timer and the
    // kartu kendali (which counts from the submission's line) measure the same span
    const stageEnteredAt = reached === 0 ? submittedAt : enteredAt;
    const changeSeq = await nextChangeSeq(trx);
    await trx
      .insertInto('applications')
      .values({
        id,
        office_id: PEKANBARU_OFFICE_ID,
        registration_number: `MPPD-${calendarDateIn(submittedAt, 'Asia/Jakarta').slice(0, 4)}-${String(10_231 + offset + i).padStart(6, '0')}`,
        permit_type_id: PEKANBARU_SIKRO.id,
        workflow_id: PEKANBARU_WORKFLOW.id,
        stage: step,
        applicant: JSON.stringify(applicant),
        checklist: JSON.stringify(step === 'penerimaan_berkas' ? {} : Object.fromEntries(PEKANBARU_SIKRO.requirements.map((r) => [r.id, true]))),
        submitted_at: submittedAt.toISOString(),
        complete_at: submittedAt.toISOString(),
        stage_entered_at: stageEnteredAt.toISOString(),
        permit_number: null,
        verification_id: null,
        version: 1,
        change_seq: changeSeq,
      })
      .execute();
    await trx
      .insertInto('events')
      .values({ id: randomUUID(), application_id: id, command_id: null, actor_name: `${applicant.fullName} (MPPD)`, actor_role: null, action: 'diajukan', from_stage: null, to_stage: 'penerimaan_berkas', reason: null, at: submittedAt.toISOString(), evidence: null })
      .execute();
    // the kartu kendali: one line for every step the file has already passed
    for (let k = 0; k < reached; k += 1) {
      const from = PEKANBARU_WORKFLOW.stages.find((st) => st.id === PEKANBARU_STEPS[k])!;
      const actor = byRole(from.role!);
      const at = new Date(submittedAt.getTime() + ((k + 1) * (enteredAt.getTime() - submittedAt.getTime())) / reached).toISOString();
      await trx
        .insertInto('events')
        .values({ id: randomUUID(), application_id: id, command_id: null, actor_name: actor.full_name, actor_role: actor.role, action: from.actions[0]!.id, from_stage: from.id, to_stage: PEKANBARU_STEPS[k + 1]!, reason: null, at, evidence: null })
        .execute();
    }
    // the applicant's uploads, as for Metro's files: the officials read them in the viewer
    if (documents) {
      for (const [n, requirement] of PEKANBARU_SIKRO.requirements.filter((r) => r.documentKind).entries()) {
        const content = Buffer.from(await makeUploadedDocument(requirement.documentKind!, applicant, calendarDateIn(submittedAt, 'Asia/Jakarta')));
        await trx
          .insertInto('documents')
          .values({
            id: `${id.slice(0, 8)}-d${n + 1}`,
            application_id: id,
            kind: requirement.documentKind!,
            file_name: `${requirement.documentKind}-${applicant.nik}.pdf`,
            mime_type: 'application/pdf',
            size_bytes: content.length,
            sha256: createHash('sha256').update(content).digest('hex'),
            content,
          })
          .execute();
      }
    }
    // the number is given when back office prints the draft, so files past that step carry one
    if (reached > PEKANBARU_STEPS.indexOf('cetak_blanko')) {
      await reservePermitNumber(trx, id, now);
      // prepared when back office printed it; the parafs already taken initialled exactly it
      const { sha256 } = await preparePermit(trx, id, now);
      await trx.updateTable('events').set({ evidence: JSON.stringify({ references: [], preparedPermitSha256: sha256 }) }).where('application_id', '=', id).where('action', '=', 'paraf').execute();
    }
    await insertReferenceRecords(trx, applicant, null, now);
  }
}

async function insertReferenceRecords(trx: Kysely<ServerDatabase>, applicant: Applicant, mismatch: 'facilityName' | 'strNumber' | 'fullName' | null, now: Date) {
  const fields: Record<string, string> = {
    fullName: applicant.fullName,
    birthDate: applicant.birthDate,
    profession: applicant.profession,
    strNumber: applicant.strNumber,
    strValidUntil: applicant.strValidUntil,
    facilityName: applicant.facilityName,
  };
  const sisdmk = { ...fields };
  if (mismatch === 'facilityName') sisdmk.facilityName = 'Klinik Pratama Sehat Bersama Metro';
  if (mismatch === 'strNumber') sisdmk.strNumber = `${applicant.strNumber.slice(0, -3)}000`;
  const satuSehat = { ...fields };
  if (mismatch === 'fullName') satuSehat.fullName = applicant.fullName.replace(/a/, 'e');
  const retrievedAt = now.toISOString();
  await trx.insertInto('reference_records').values({ nik: applicant.nik, source: 'satu_sehat', fields: JSON.stringify(satuSehat), retrieved_at: retrievedAt }).onConflict((oc) => oc.doNothing()).execute();
  await trx.insertInto('reference_records').values({ nik: applicant.nik, source: 'sisdmk', fields: JSON.stringify(sisdmk), retrieved_at: retrievedAt }).onConflict((oc) => oc.doNothing()).execute();
}
