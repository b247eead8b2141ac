import type { FastifyInstance } from 'fastify';
import { DomainRefusal } from './domain-refusal';

/**
 * The one place an error becomes an HTTP answer, for every route of the app (plugins registered
 * on it inherit the handler):
 * - a DomainRefusal: its status, code and message;
 * - what Fastify refuses itself (a body too large, malformed JSON): its own 4xx, whose messages
 *   are fixed texts that echo nothing of the request;
 * - anything else is a fault: logged with its class, code, message and stack (never a database
 *   error's `detail` or `where`, which quote row values: a NIK, a name), and answered with a
 *   plain 500 that names nothing inside the server.
 */
export function answerRefusals(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof DomainRefusal) {
      return reply
        .code(error.status)
        .headers(error.headers)
        .send({ error: error.code, message: error.message, ...error.details });
    }
    const fault = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown; stack?: unknown; statusCode?: unknown };
    const status = typeof fault.statusCode === 'number' ? fault.statusCode : 500;
    if (status >= 400 && status < 500) throw error;
    request.log.error({ fault: { type: fault.name, code: fault.code, message: fault.message, stack: fault.stack } }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal server error' });
  });
}
