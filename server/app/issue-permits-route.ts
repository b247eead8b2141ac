import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { API_PREFIX } from '../../shared/sync-protocol';
import { ISSUE_BATCH_LIMITS, issueBatchRequestSchema } from '../../shared/issue-batch-protocol';
import type { RevocationSource } from '../../shared/node/certificate-path';
import type { ServerDatabase } from '../db/server-database';
import { parseRequest } from './domain-refusal';
import { issuePermits } from './issue-permit';

/**
 * POST /permits/issue-batch: several signed permits in one request, each answered on its own
 * (issuePermits). Registered inside the authenticated scope of build-server-app.ts.
 */
export function issuePermitsRoute(authed: FastifyInstance, options: { db: Kysely<ServerDatabase>; revocation?: RevocationSource }): void {
  const { db, revocation } = options;
  authed.post(`${API_PREFIX}/permits/issue-batch`, { bodyLimit: ISSUE_BATCH_LIMITS.bodyBytes }, async (request) =>
    issuePermits(db, request.user!, parseRequest(issueBatchRequestSchema, request.body).permits, { revocation }),
  );
}
