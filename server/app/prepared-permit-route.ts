import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { API_PREFIX } from '../../shared/sync-protocol';
import type { ServerDatabase } from '../db/server-database';
import { applicationAccess } from './access-scope';
import { readPreparedPermit } from './prepare-permit';

/**
 * GET …/applications/:id/prepared-permit: the final permit exactly as the server prepared it
 * (the bytes the desk shows, the paraf initials and the Kepala Dinas signs), with its SHA-256.
 * Need-to-know as the file's documents: another office's file is 404, a file of the office
 * outside the official's work 403. Registered inside the authenticated scope.
 */
export function preparedPermitRoute(authed: FastifyInstance, { db }: { db: Kysely<ServerDatabase> }): void {
  authed.get<{ Params: { id: string } }>(`${API_PREFIX}/applications/:id/prepared-permit`, async (request, reply) => {
    const access = await applicationAccess(db, request.user!, request.params.id);
    if (access === 'not_found') return reply.code(404).send({ error: 'not_found', message: 'application not found' });
    if (access !== 'visible') return reply.code(403).send({ error: 'forbidden', message: 'this file is outside your work' });
    const prepared = await readPreparedPermit(db, request.params.id);
    if (!prepared) return reply.code(404).send({ error: 'not_prepared', message: 'no permit has been prepared for this application' });
    return reply
      .header('content-type', 'application/pdf')
      .header('x-content-sha256', prepared.sha256)
      .header('x-certificate-sha256', prepared.certificate_sha256 ?? '')
      .header('cache-control', 'no-store')
      .send(prepared.pdf);
  });
}
