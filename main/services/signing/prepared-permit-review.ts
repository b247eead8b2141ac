import type { Kysely } from 'kysely';
import type { PreparedPermitContent } from '../../../shared/contract';
import { AppFailure } from '../../../shared/result';
import { signingAction } from '../../../shared/workflow-rules';
import type { CacheDatabase } from '../../../db/cache-database';
import { readApplication, readWorkflows } from '../cache-reads';
import type { SessionService } from '../session-service';
import type { SigningBatchService } from './signing-batch-service';

/**
 * The final permit of a file for the Kepala Dinas's review: the very bytes the batch will sign
 * (prepared once and stored with their SHA-256), never a fresh rendering. Only for a file at a
 * stage where the signed-in official's role signs.
 */
export async function preparedPermitForReview(
  db: Kysely<CacheDatabase>,
  session: SessionService,
  signing: Pick<SigningBatchService, 'prepare'>,
  applicationId: string,
): Promise<PreparedPermitContent> {
  const user = session.requireUser();
  const { application } = await readApplication(db, applicationId);
  const workflow = (await readWorkflows(db)).get(application.workflowId);
  const stage = workflow?.stages.find((s) => s.id === application.stage);
  if (!workflow || !stage || !signingAction(workflow, stage.id)) throw new AppFailure('TRANSITION_NOT_ALLOWED', `no permit is signed at stage ${application.stage}`);
  if (stage.role !== user.role) throw new AppFailure('FORBIDDEN_ROLE', `stage ${stage.id} is signed by ${stage.role}`);
  const prepared = await signing.prepare(applicationId);
  return { base64: Buffer.from(prepared.bytes).toString('base64'), sha256: prepared.sha256, permitNumber: prepared.permitNumber };
}
