import { sql, type Kysely } from 'kysely';
import { AppFailure } from '../../shared/result';
import type { PullResponse } from '../../shared/sync-protocol';
import type { CacheDatabase } from '../../db/cache-database';
import { holidaySet, readMeta, writeMeta, type CacheDbOrTrx } from './cache-reads';
import { NO_DEADLINE, deadlineDate } from './deadline';
import { pendingApplicationIds, provisionalEventId } from './outbox';
import type { ServerClient } from './server-client';

/** the server's largest page: fewer round trips and commits for the same files */
const PULL_PAGE = 2000;
/** pages one sync pulls at most (400,000 files); what is left comes with the next sync */
const MAX_PULL_PAGES = 200;
/** rows per multi-row statement: under SQLite's 32,766 bound parameters at 13 columns */
const CHUNK = 500;
/** Whose view of the office the cache holds: the official the last full pull was for. */
const PULLED_FOR_USER = 'pulled_for_user';

/**
 * Pulls what changed on the office server since the cache's cursor and writes it, one
 * transaction per page. The next page is already on its way while a page is written; a page
 * that says "more" without moving the cursor is the server's error (asking again would loop
 * forever), and one sync takes at most MAX_PULL_PAGES pages.
 *
 * Each official is sent only their own work (need-to-know): when another official signs in on
 * this desk, their view is pulled from the start and what the previous one could see is forgotten.
 */
export async function pullAll(db: Kysely<CacheDatabase>, client: ServerClient): Promise<number> {
  try {
    return await pullPages(db, client, () => walAutocheckpoint(db, WAL_PAGES_WHILE_PULLING));
  } finally {
    // back to SQLite's default (the cache sets no other), even when a pull that overlapped this one raised it
    if ((await walAutocheckpoint(db)) !== SQLITE_WAL_AUTOCHECKPOINT) {
      await walAutocheckpoint(db, SQLITE_WAL_AUTOCHECKPOINT);
      await sql`PRAGMA wal_checkpoint(PASSIVE)`.execute(db);
    }
  }
}

/**
 * SQLite copies the WAL into the file every 1,000 pages by default: a many-page pull would copy
 * the same index pages again after every page. While one runs the copy waits for its end (the
 * WAL is encrypted like the file, and the pages are copied once).
 */
const WAL_PAGES_WHILE_PULLING = 100_000;
const SQLITE_WAL_AUTOCHECKPOINT = 1000;

async function walAutocheckpoint(db: Kysely<CacheDatabase>, pages?: number): Promise<number> {
  if (pages !== undefined) await sql.raw(`PRAGMA wal_autocheckpoint = ${Math.trunc(pages)}`).execute(db);
  const row = (await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(db)).rows[0];
  return Number(row?.wal_autocheckpoint ?? SQLITE_WAL_AUTOCHECKPOINT);
}

async function pullPages(db: Kysely<CacheDatabase>, client: ServerClient, manyPages: () => Promise<unknown>): Promise<number> {
  let applied = 0;
  const userId = client.identity?.user.id ?? null;
  const resync = userId !== null && (await readMeta(db, PULLED_FOR_USER)) !== userId;
  if (resync) await writeMeta(db, 'cursor', '0');
  const seen = new Set<string>();
  let since = Number((await readMeta(db, 'cursor')) ?? '0');
  let next: Promise<PullResponse> | null = client.pull(since, PULL_PAGE);
  for (let pages = 0; pages < MAX_PULL_PAGES && next; pages += 1) {
    const page: PullResponse = await next;
    next = null;
    if (page.hasMore && page.cursor <= since) {
      throw new AppFailure('SERVER_ERROR', `the server's pull cursor did not advance (since ${since}, answered ${page.cursor} with more to come): stopped rather than ask again forever`);
    }
    if (page.hasMore && pages + 1 < MAX_PULL_PAGES) {
      if (pages === 0) await manyPages();
      next = client.pull(page.cursor, PULL_PAGE);
      // answered when awaited; a write that fails first must not leave it unhandled
      next.catch(() => undefined);
    }
    await db.transaction().execute((trx) => applyPulledPage(trx, page));
    since = page.cursor;
    applied += page.applications.length;
    for (const item of page.applications) seen.add(item.application.id);
    if (!page.hasMore && resync) {
      await db.transaction().execute(async (trx) => {
        const cached = (await trx.selectFrom('applications').select('id').execute()).map((r) => r.id);
        await forgetApplications(
          trx,
          cached.filter((id) => !seen.has(id)),
        );
        // an official of another office signed in before: their office's chains and permit types go too
        const workflowIds = page.workflows.map((w) => w.id);
        const permitTypeIds = page.permitTypes.map((t) => t.id);
        if (workflowIds.length > 0) await trx.deleteFrom('workflows').where('id', 'not in', workflowIds).execute();
        if (permitTypeIds.length > 0) await trx.deleteFrom('permit_types').where('id', 'not in', permitTypeIds).execute();
        await writeMeta(trx, PULLED_FOR_USER, userId!);
      });
    }
  }
  return applied;
}

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * One pulled page, written in bulk inside the caller's transaction: a page of 2,000 files is a
 * few dozen statements, not thousands. A file with the official's own decision still pending
 * keeps the stage that decision took it to.
 */
export async function applyPulledPage(trx: CacheDbOrTrx, page: PullResponse): Promise<void> {
  await writeMeta(trx, 'office', JSON.stringify(page.office));
  const holidays = holidaySet(page.office);
  for (const workflow of page.workflows) {
    const definition = JSON.stringify(workflow);
    await trx.insertInto('workflows').values({ id: workflow.id, definition }).onConflict((oc) => oc.column('id').doUpdateSet({ definition })).execute();
  }
  for (const type of page.permitTypes) {
    const definition = JSON.stringify(type);
    await trx.insertInto('permit_types').values({ id: type.id, definition }).onConflict((oc) => oc.column('id').doUpdateSet({ definition })).execute();
  }
  const permitTypes = new Map(page.permitTypes.map((t) => [t.id, t]));
  // the deadline of every file completed on one day under one permit type is the same date
  const deadlines = new Map<string, string>();
  // a file that has left the office's hands (issued, returned, rejected, withdrawn) runs late no more
  const terminalStages = new Set(page.workflows.flatMap((w) => w.stages.filter((stage) => stage.role === null).map((stage) => `${w.id}\u0000${stage.id}`)));
  const deadlineOf = (completeAt: string | null, permitTypeId: string, workflowId: string, stage: string) => {
    const permitType = permitTypes.get(permitTypeId);
    if (!completeAt || !permitType || terminalStages.has(`${workflowId}\u0000${stage}`)) return NO_DEADLINE;
    const key = `${permitTypeId}\u0000${completeAt}`;
    let date = deadlines.get(key);
    if (date === undefined) {
      date = deadlineDate(completeAt, permitType.slaWorkingDays, page.office, holidays);
      deadlines.set(key, date);
    }
    return date;
  };
  for (const items of chunks(page.applications)) {
    const ids = items.map((i) => i.application.id);
    const pending = await pendingApplicationIds(trx, ids);
    const localStage = new Map(
      pending.size === 0 ? [] : (await trx.selectFrom('applications').select(['id', 'stage']).where('id', 'in', [...pending]).execute()).map((r) => [r.id, r.stage]),
    );
    const known = new Set((await trx.selectFrom('applications').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
    await trx
      .insertInto('applications')
      .values(
        items.map(({ application: app, changeSeq }) => ({
          id: app.id,
          registration_number: app.registrationNumber,
          permit_type_id: app.permitTypeId,
          workflow_id: app.workflowId,
          stage: localStage.get(app.id) ?? app.stage,
          server_stage: app.stage,
          applicant_name: app.applicant.fullName,
          nik: app.applicant.nik,
          submitted_at: app.submittedAt,
          complete_at: app.completeAt,
          deadline_date: deadlineOf(app.completeAt, app.permitTypeId, app.workflowId, localStage.get(app.id) ?? app.stage),
          data: JSON.stringify(app),
          change_seq: changeSeq,
        })),
      )
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          registration_number: eb.ref('excluded.registration_number'),
          permit_type_id: eb.ref('excluded.permit_type_id'),
          workflow_id: eb.ref('excluded.workflow_id'),
          stage: eb.ref('excluded.stage'),
          server_stage: eb.ref('excluded.server_stage'),
          applicant_name: eb.ref('excluded.applicant_name'),
          nik: eb.ref('excluded.nik'),
          submitted_at: eb.ref('excluded.submitted_at'),
          complete_at: eb.ref('excluded.complete_at'),
          deadline_date: eb.ref('excluded.deadline_date'),
          data: eb.ref('excluded.data'),
          change_seq: eb.ref('excluded.change_seq'),
        })),
      )
      .execute();

    // a file the cache did not hold has no lines or documents to replace (the initial sync's case)
    const refreshed = ids.filter((id) => known.has(id));
    if (refreshed.length > 0) await trx.deleteFrom('events').where('application_id', 'in', refreshed).where('pending', '=', 0).execute();
    const events = items.flatMap((i) => i.events);
    for (const part of chunks(events)) {
      await trx.insertInto('events').values(part.map((e) => ({ id: e.id, application_id: e.applicationId, at: e.at, data: JSON.stringify(e), pending: 0 }))).execute();
    }
    // the server's own line replaces the provisional one of a command it accepted
    const confirmed = events.filter((e) => e.commandId).map((e) => provisionalEventId(e.commandId!));
    for (const part of chunks(confirmed)) await trx.deleteFrom('events').where('id', 'in', part).execute();

    const documents = items.flatMap((i) => i.documents);
    const cached = new Map(
      documents.length
        ? (await trx.selectFrom('documents').select(['id', 'sha256']).where('id', 'in', documents.map((d) => d.id)).execute()).map((r) => [r.id, r.sha256])
        : [],
    );
    const fresh = documents.filter((d) => !cached.has(d.id));
    for (const part of chunks(fresh)) {
      await trx
        .insertInto('documents')
        .values(part.map((d) => ({ id: d.id, application_id: d.applicationId, kind: d.kind, file_name: d.fileName, mime_type: d.mimeType, size_bytes: d.sizeBytes, sha256: d.sha256, content: null })))
        .execute();
    }
    for (const doc of documents.filter((d) => cached.has(d.id) && cached.get(d.id) !== d.sha256)) {
      await trx
        .updateTable('documents')
        .set({ application_id: doc.applicationId, kind: doc.kind, file_name: doc.fileName, mime_type: doc.mimeType, size_bytes: doc.sizeBytes, sha256: doc.sha256, content: null })
        .where('id', '=', doc.id)
        .execute();
    }

    const references = items.flatMap((i) => i.references);
    for (const part of chunks(references)) {
      await trx
        .insertInto('reference_records')
        .values(part.map((ref) => ({ nik: ref.nik, source: ref.source, data: JSON.stringify(ref) })))
        .onConflict((oc) => oc.columns(['nik', 'source']).doUpdateSet((eb) => ({ data: eb.ref('excluded.data') })))
        .execute();
    }
  }
  await forgetApplications(trx, page.removed);
  await writeMeta(trx, 'cursor', String(page.cursor));
}

/**
 * Deletes from the cache files the signed-in official may no longer see (need-to-know): their
 * data, documents, kartu kendali and national records. A file with a decision still waiting in
 * the outbox keeps its row until the decision is delivered, so nothing acknowledged is lost.
 */
export async function forgetApplications(trx: CacheDbOrTrx, ids: string[]): Promise<void> {
  for (const part of chunks(ids)) {
    // most ids a page removes were never here (files of colleagues): only those held cost more
    const held = await trx.selectFrom('applications').select(['id', 'nik']).where('id', 'in', part).execute();
    if (held.length === 0) continue;
    const pending = await pendingApplicationIds(
      trx,
      held.map((r) => r.id),
    );
    const goneRows = held.filter((r) => !pending.has(r.id));
    if (goneRows.length === 0) continue;
    const gone = goneRows.map((r) => r.id);
    const niks = [...new Set(goneRows.map((r) => r.nik))];
    await trx.deleteFrom('documents').where('application_id', 'in', gone).execute();
    await trx.deleteFrom('events').where('application_id', 'in', gone).execute();
    await trx.deleteFrom('applications').where('id', 'in', gone).execute();
    // a national record stays only while a file the official may see still names its NIK
    await trx
      .deleteFrom('reference_records')
      .where('nik', 'in', niks)
      .where('nik', 'not in', trx.selectFrom('applications').select('nik').where('nik', 'in', niks))
      .execute();
  }
}
