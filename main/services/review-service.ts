import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DecisionResult, MethodParsedInput } from '../../shared/contract';
import { AppFailure, type ErrorCode } from '../../shared/result';
import type { TransitionCommand } from '../../shared/sync-protocol';
import { conformityFindings } from '../../shared/conformity';
import { calendarDateIn } from '../../shared/working-days';
import { judgeAction } from '../../shared/workflow-rules';
import type { CacheDatabase } from '../../db/cache-database';
import { readApplication, readOffice, readPermitTypes, readReferences, readWorkflows } from './cache-reads';
import { hasPendingCommand } from './outbox';
import type { SessionService } from './session-service';
import { writeLocalDecision } from './local-decision';
import type { SyncService } from './sync-service';

/**
 * An official's decision on a file. It is checked here for a quick answer, written to the
 * outbox in the same transaction that moves the file on the desk, and sent at once; when the
 * server cannot be reached it waits in the outbox. The server's verdict is final.
 */
export class ReviewService {
  constructor(
    private readonly db: Kysely<CacheDatabase>,
    private readonly session: SessionService,
    private readonly sync: SyncService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async decide(input: MethodParsedInput<'review.decide'>): Promise<DecisionResult> {
    const user = this.session.requireUser();
    const { application } = await readApplication(this.db, input.applicationId);
    const workflow = (await readWorkflows(this.db)).get(application.workflowId);
    const permitType = (await readPermitTypes(this.db)).get(application.permitTypeId);
    if (!workflow || !permitType) throw new AppFailure('INTERNAL', 'workflow or permit type missing from cache');
    if (await hasPendingCommand(this.db, application.id)) {
      throw new AppFailure('TRANSITION_NOT_ALLOWED', 'a decision on this file is still waiting to be delivered');
    }
    const references = await readReferences(this.db, application.applicant.nik);
    const office = await readOffice(this.db);
    const verdict = judgeAction({
      workflow,
      currentStage: application.stage,
      expectedStage: application.stage,
      role: user.role,
      actionId: input.action,
      via: 'decision',
      requirementIds: permitType.requirements.map((r) => r.id),
      checklist: { ...application.checklist, ...(input.checklist ?? {}) },
      reason: input.reason,
      conformityFindings: conformityFindings(application.applicant, references, calendarDateIn(this.now(), office?.timeZone ?? 'Asia/Jakarta')).length,
      hasPermitNumber: application.permitNumber !== null,
      hasVerifiedSignature: application.signedPermit !== null,
    });
    if (!verdict.ok) throw new AppFailure(verdict.code, verdict.message);
    const { stage, action } = verdict;
    const reason = input.reason?.trim() || null;

    // a paraf initials the prepared permit the file view showed: the bytes whose hash was pulled
    // with the file and checked when they were fetched (DraftPermitService)
    const initialled = action.initialsPreparedPermit ? application.preparedPermit?.sha256 : undefined;
    if (action.initialsPreparedPermit && !initialled) throw new AppFailure('PDF_NOT_PREPARED', 'the server has not prepared this permit yet: there is nothing to initial (sync first)');

    const decidedAt = this.now().toISOString();
    const command: TransitionCommand = {
      id: randomUUID(),
      type: 'transition',
      applicationId: application.id,
      action: action.id,
      expectedStage: stage.id,
      reason,
      checklist: input.checklist,
      decidedAt,
      evidence: { references },
      ...(initialled ? { preparedPermitSha256: initialled } : {}),
    };
    await this.db.transaction().execute((trx) =>
      writeLocalDecision(trx, { command, actor: user, fromStage: stage.id, toStage: action.to, reason, at: decidedAt, evidence: command.evidence }),
    );

    let outcome;
    try {
      outcome = (await this.sync.pushOutbox(true)).get(command.id);
    } catch (error) {
      if (error instanceof AppFailure && (error.code === 'SERVER_UNREACHABLE' || error.code === 'SESSION_EXPIRED' || error.code === 'SERVER_ERROR')) {
        return { delivered: false, stage: action.to };
      }
      throw error;
    }
    if (outcome?.status === 'rejected') {
      // The server knows better: fetch where the file really is before the official looks again.
      await this.sync.syncNow({ forcePush: false });
      throw new AppFailure(outcome.code as ErrorCode, outcome.message);
    }
    if (outcome?.status === 'accepted') {
      await this.sync.syncNow({ forcePush: false });
      return { delivered: true, stage: action.to };
    }
    return { delivered: false, stage: action.to };
  }
}
