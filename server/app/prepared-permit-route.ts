import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { API_PREFIX } from '../../shared/sync-protocol';
import type { ServerDatabase } from '../db/server-database';
import { readPreparedPermitFor } from './file-downloads';

/**
 * GET …/applications/:id/prepared-permit: the final permit exactly as the server prepared it,
 * with its SHA-256 and the registered certificate's. Need-to-know as the file's documents:
 * another office's file is 404, a file of the office outside the official's work 403.
 * Registered inside the authenticated scope.
 */
export function preparedPermitRoute(authed: FastifyInstance, { db }: { db: Kysely<ServerDatabase> }): void {
  authed.get<{ Params: { id: string } }>(`${API_PREFIX}/applications/:id/prepared-permit`, async (request, reply) => {
    const prepared = await readPreparedPermitFor(db, request.user!, request.params.id);
    return reply
      .header('content-type', 'application/pdf')
      .header('x-content-sha256', prepared.sha256)
      .header('x-certificate-sha256', prepared.certificateSha256 ?? '')
      .header('cache-control', 'no-store')
      .send(prepared.pdf);
  });
}
