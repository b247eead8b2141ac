import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { API_PREFIX, type CommandResult } from '../../shared/sync-protocol';
import { ISSUE_BATCH_LIMITS, issueBatchRequestSchema } from '../../shared/issue-batch-protocol';
import { rememberedPathValidation, type RevocationSource } from '../../shared/node/certificate-path';
import type { ServerDatabase } from '../db/server-database';
import { issuePermit } from './issue-permit';

/**
 * POST /permits/issue-batch: up to ISSUE_BATCH_LIMITS.permitsPerRequest signed permits in one
 * request, each verified and applied exactly as POST /permits/issue does it (issuePermit: the
 * signature, the certificate path (validated once per distinct certificate of the request), the binding to its official, the permit number, the signing
 * time), each in its own transaction and at most once per command id, and each answered on its
 * own. One permit's refusal stops nothing else; a request cut off mid-way has applied a prefix,
 * and sending it again answers that prefix from the command ledger and applies the rest.
 *
 * Registered inside the authenticated scope of build-server-app.ts (`request.user` is set).
 */
export function issuePermitsRoute(authed: FastifyInstance, options: { db: Kysely<ServerDatabase>; revocation?: RevocationSource }): void {
  const { db, revocation } = options;
  authed.post(`${API_PREFIX}/permits/issue-batch`, { bodyLimit: ISSUE_BATCH_LIMITS.bodyBytes }, async (request, reply) => {
    const parsed = issueBatchRequestSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: 'invalid_request', message: z.prettifyError(parsed.error) });
    const results: CommandResult[] = [];
    // one path validation per distinct signing certificate of the request, not one per permit
    const validatePath = rememberedPathValidation();
    // one after another: each permit's transaction sees the ones before it (a command id sent twice is applied once)
    for (const permit of parsed.data.permits) results.push(await issuePermit(db, request.user!, permit, { revocation, validatePath }));
    return { results };
  });
}
