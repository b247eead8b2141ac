import type { FastifyInstance } from 'fastify';
import { holdsNulCharacter } from '../../shared/nul-character';
import { invalidRequest } from './domain-refusal';

/**
 * A request with a NUL character (U+0000) in its path, query or JSON body is refused with 400
 * before any route reads it: PostgreSQL cannot store one in text (it answered 500, logging a
 * stack trace each time, and a pushed decision holding one would be sent again for ever), and
 * no official types one. Registered before every route.
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (/%00/.test(request.url) || request.url.includes('\u0000')) throw invalidRequest('the request holds a NUL character');
  });
  app.addHook('preValidation', async (request) => {
    if (!Buffer.isBuffer(request.body) && holdsNulCharacter(request.body)) throw invalidRequest('the request holds a NUL character');
  });
}
