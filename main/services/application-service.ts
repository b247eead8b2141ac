import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ApplicationDetail, FileContent } from '../../shared/contract';
import { AppFailure } from '../../shared/result';
import { findStage } from '../../shared/workflow';
import type { CacheDatabase } from '../../db/cache-database';
import { holidaySet, readApplication, readEvents, readOffice, readPermitTypes, readReferences, readWorkflows } from './cache-reads';
import { hasPendingCommand } from './outbox';
import { deadlineView, stageMinutesLeft } from './deadline';
import { calendarDateIn } from '../../shared/working-days';
import type { ServerClient } from './server-client';
import type { SessionService } from './session-service';
import type { SyncService } from './sync-service';
import { documentMetaFromRow } from '../../shared/domain';

/** One file as the desk shows it, and its uploaded documents, cached for offline work. */
export class ApplicationService {
  constructor(
    private readonly db: Kysely<CacheDatabase>,
    private readonly session: SessionService,
    private readonly client: ServerClient,
    private readonly sync: SyncService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(applicationId: string): Promise<ApplicationDetail> {
    const user = this.session.requireUser();
    const { row, application } = await readApplication(this.db, applicationId);
    const workflow = (await readWorkflows(this.db)).get(application.workflowId);
    const permitType = (await readPermitTypes(this.db)).get(application.permitTypeId);
    const stage = workflow && findStage(workflow, application.stage);
    if (!workflow || !permitType || !stage) throw new AppFailure('INTERNAL', 'workflow, stage or permit type missing from cache');
    const pending = await hasPendingCommand(this.db, application.id);
    const office = await readOffice(this.db);
    const holidays = holidaySet(office);
    const now = this.now();
    const documents = await this.db
      .selectFrom('documents')
      .select(['id', 'application_id', 'kind', 'file_name', 'mime_type', 'size_bytes', 'sha256'])
      .where('application_id', '=', application.id)
      .orderBy('id')
      .execute();
    return {
      application,
      permitType,
      stage,
      // a file a colleague has taken is theirs until they release it
      actions: stage.role === user.role && !pending && (!application.claimedBy || application.claimedBy.userId === user.id) ? stage.actions : [],
      documents: documents.map(documentMetaFromRow),
      events: await readEvents(this.db, application.id),
      references: await readReferences(this.db, application.applicant.nik),
      // a file out of the office's hands (returned, rejected, issued) has no deadline running
      ...deadlineView(stage.role ? row.deadline_date : null, calendarDateIn(now, office?.timeZone ?? 'Asia/Jakarta'), holidays),
      pending,
      officeCity: office?.city ?? '',
      today: calendarDateIn(now, office?.timeZone ?? 'Asia/Jakarta'),
      stageOutcomes: Object.fromEntries(workflow.stages.map((st) => [st.id, st.outcome])),
      numberingStage: workflow.stages.find((st) => st.actions.some((a) => a.reservesPermitNumber))?.id ?? null,
      stageStandardMinutes: stage.standardMinutes,
      stageMinutesLeft: stageMinutesLeft(stage.standardMinutes, application.stageEnteredAt, office, holidays, now),
    };
  }

  async claim(applicationId: string, take: boolean) {
    this.session.requireUser();
    const { claimedBy } = await this.client.claim(applicationId, take);
    await this.sync.pullAll();
    return { claimedBy };
  }

  async document(documentId: string): Promise<FileContent> {
    this.session.requireUser();
    const row = await this.db.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirst();
    if (!row) throw new AppFailure('NOT_FOUND', `document ${documentId} is not in the local cache`);
    let cached = row.content;
    if (cached && sha256Hex(cached) !== row.sha256) {
      // The cached bytes are not the document the server listed: never show them. Drop them and
      // fetch the document again; offline, the official is told it is not on this computer.
      console.warn(`cached document ${documentId} no longer matches its SHA-256; dropped and fetched again`);
      await this.db.updateTable('documents').set({ content: null }).where('id', '=', documentId).execute();
      cached = null;
    }
    const content = cached ?? (await this.fetchAndCache(row.id));
    return { fileName: row.file_name, mimeType: row.mime_type, base64: content.toString('base64') };
  }

  /** Fetches documents not yet cached for the given files, so they can be read offline later. */
  async prefetch(applicationIds: string[], limit = 200): Promise<number> {
    if (applicationIds.length === 0) return 0;
    const missing = await this.db
      .selectFrom('documents')
      .select('id')
      .where('content', 'is', null)
      .where('application_id', 'in', applicationIds)
      .limit(limit)
      .execute();
    for (const { id } of missing) await this.fetchAndCache(id);
    return missing.length;
  }

  private async fetchAndCache(documentId: string): Promise<Buffer> {
    let content: Buffer;
    try {
      content = await this.client.document(documentId);
    } catch (error) {
      if (error instanceof AppFailure && error.code === 'SERVER_UNREACHABLE') {
        throw new AppFailure('DOCUMENT_NOT_CACHED', 'the document was not downloaded before the connection was lost');
      }
      throw error;
    }
    const expected = await this.db.selectFrom('documents').select('sha256').where('id', '=', documentId).executeTakeFirstOrThrow();
    if (sha256Hex(content) !== expected.sha256) {
      throw new AppFailure('SERVER_ERROR', `document ${documentId} arrived with a different SHA-256 than the server listed`);
    }
    await this.db.updateTable('documents').set({ content }).where('id', '=', documentId).execute();
    return content;
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
