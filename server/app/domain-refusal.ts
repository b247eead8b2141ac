import { z } from 'zod';

/** The HTTP statuses a refusal answers with. */
export type RefusalStatus = 400 | 401 | 403 | 404 | 409 | 415 | 429;

/**
 * A request the server refuses for a reason of the domain, not a fault: a file that does not
 * exist (or is another office's), one outside the official's work, a claim someone else holds,
 * a malformed request. Thrown by routes and domain functions alike and answered in one place
 * (answerRefusals in refusal-reply.ts) as `{ error: code, message, ...details }` with its status
 * and headers; anything else thrown stays a server fault (500).
 */
export class DomainRefusal extends Error {
  constructor(
    readonly status: RefusalStatus,
    /** the answer's `error` field, which the desk and scripts read */
    readonly code: string,
    message: string,
    /** more fields of the answer (a claim refused names who holds it) */
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DomainRefusal';
  }
}

export const invalidRequest = (reason: string | z.ZodError): DomainRefusal =>
  new DomainRefusal(400, 'invalid_request', typeof reason === 'string' ? reason : z.prettifyError(reason));

export const unauthorized = (): DomainRefusal => new DomainRefusal(401, 'unauthorized', 'sign in again');

export const forbidden = (message: string): DomainRefusal => new DomainRefusal(403, 'forbidden', message);

export const notFound = (message: string, code = 'not_found'): DomainRefusal => new DomainRefusal(404, code, message);

/** A request's body, query or parameters as the schema reads them, or an invalid_request refusal. */
export function parseRequest<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidRequest(parsed.error);
  return parsed.data;
}
