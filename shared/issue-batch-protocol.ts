import { z } from 'zod';
import { COMMAND_LIMITS, issueRequestSchema } from './sync-protocol';

/**
 * Signed permits delivered in bulk (POST /permits/issue-batch): a batch of 200 permits goes in
 * a handful of requests instead of 200. Each permit is the same IssueRequest as POST
 * /permits/issue, verified and applied on its own (at most once per command id) and answered
 * on its own, accepted or rejected with a code, in the order sent.
 */
export const ISSUE_BATCH_LIMITS = {
  permitsPerRequest: 20,
  /** one request's body: room for two permits at the single-permit limit, so any one permit fits */
  bodyBytes: 2 * COMMAND_LIMITS.issueBodyBytes,
} as const;

export const issueBatchRequestSchema = z.object({
  permits: z.array(issueRequestSchema).min(1).max(ISSUE_BATCH_LIMITS.permitsPerRequest),
});

export type IssueBatchRequest = z.infer<typeof issueBatchRequestSchema>;
