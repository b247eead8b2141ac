import { z } from 'zod';
import { transitionCommandSchema } from '../../shared/sync-protocol';

/** A signed permit waiting to be delivered; the PDF stays on disk and is read at push time. */
export const issueOutboxCommandSchema = z.object({
  id: z.string().uuid(),
  type: z.literal('issue'),
  applicationId: z.string(),
  action: z.string(),
  expectedStage: z.string(),
  signedAt: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  filePath: z.string(),
});

export const outboxCommandSchema = z.discriminatedUnion('type', [transitionCommandSchema, issueOutboxCommandSchema]);

export type IssueOutboxCommand = z.infer<typeof issueOutboxCommandSchema>;
export type OutboxCommand = z.infer<typeof outboxCommandSchema>;
