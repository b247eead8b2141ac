import type { FastifyInstance } from 'fastify';
import { DomainRefusal } from './domain-refusal';

/**
 * The one place a DomainRefusal becomes an HTTP answer, for every route of the app (plugins
 * registered on it inherit the handler). Anything else is passed on to Fastify's own handler:
 * its 4xx for what Fastify refuses itself (a body too large, malformed JSON), 500 for a fault.
 */
export function answerRefusals(app: FastifyInstance): void {
  app.setErrorHandler((error, _request, reply) => {
    if (!(error instanceof DomainRefusal)) throw error;
    return reply
      .code(error.status)
      .headers(error.headers)
      .send({ error: error.code, message: error.message, ...error.details });
  });
}
