import type { Kysely, Transaction } from 'kysely';
import type { DeskEvent } from '../../shared/contract';
import { applicationEventSchema, applicationSchema, permitTypeSchema, referenceRecordSchema, type PermitType } from '../../shared/domain';
import { officeSchema, type Office } from '../../shared/office';
import { AppFailure } from '../../shared/result';
import { workflowSchema, type Workflow } from '../../shared/workflow';
import type { CacheDatabase } from '../../db/cache-database';

export type CacheDbOrTrx = Kysely<CacheDatabase> | Transaction<CacheDatabase>;

export async function readMeta(db: CacheDbOrTrx, key: string): Promise<string | null> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

export async function writeMeta(db: CacheDbOrTrx, key: string, value: string): Promise<void> {
  await db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
}

// Configuration changes only when a sync brings a new version; parse each stored text once.
const parsedOnce = new Map<string, unknown>();
function parseOnce<T>(raw: string, parse: (value: unknown) => T): T {
  if (!parsedOnce.has(raw)) {
    if (parsedOnce.size > 64) parsedOnce.clear();
    parsedOnce.set(raw, parse(JSON.parse(raw)));
  }
  return parsedOnce.get(raw) as T;
}

export async function readOffice(db: CacheDbOrTrx): Promise<Office | null> {
  const raw = await readMeta(db, 'office');
  return raw ? parseOnce(raw, (v) => officeSchema.parse(v)) : null;
}

export async function readWorkflows(db: CacheDbOrTrx): Promise<Map<string, Workflow>> {
  const rows = await db.selectFrom('workflows').selectAll().execute();
  return new Map(rows.map((r) => [r.id, parseOnce(r.definition, (v) => workflowSchema.parse(v))]));
}

export async function readPermitTypes(db: CacheDbOrTrx): Promise<Map<string, PermitType>> {
  const rows = await db.selectFrom('permit_types').selectAll().execute();
  return new Map(rows.map((r) => [r.id, parseOnce(r.definition, (v) => permitTypeSchema.parse(v))]));
}

export async function readApplication(db: CacheDbOrTrx, applicationId: string) {
  const row = await db.selectFrom('applications').selectAll().where('id', '=', applicationId).executeTakeFirst();
  if (!row) throw new AppFailure('NOT_FOUND', `application ${applicationId} is not in the local cache`);
  const application = applicationSchema.parse(JSON.parse(row.data));
  // The desk's own pending decision moves the file before the server has confirmed it.
  return { row, application: { ...application, stage: row.stage } };
}

/** A file's kartu kendali lines, each marked pending while the decision behind it waits in the outbox. */
export async function readEvents(db: CacheDbOrTrx, applicationId: string): Promise<DeskEvent[]> {
  const rows = await db.selectFrom('events').selectAll().where('application_id', '=', applicationId).orderBy('at').execute();
  return rows.map((r) => ({ ...applicationEventSchema.parse(JSON.parse(r.data)), pending: r.pending === 1 }));
}

export async function readReferences(db: CacheDbOrTrx, nik: string) {
  const rows = await db.selectFrom('reference_records').selectAll().where('nik', '=', nik).orderBy('source').execute();
  return rows.map((r) => referenceRecordSchema.parse(JSON.parse(r.data)));
}

export function holidaySet(office: Office | null): Set<string> {
  return new Set(office?.holidays.map((h) => h.date) ?? []);
}
