import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Role } from '../../shared/roles';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { userForToken } from './auth-tokens';
import { forbidden, unauthorized } from './domain-refusal';

declare module 'fastify' {
  interface FastifyRequest {
    /** the signed-in official, set by requireSignedIn for the routes behind it */
    user: UserTable | null;
  }
}

export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : '';
}

/** An onRequest hook (before the body is read: an 18 MB upload without a token is refused unread): the official whose bearer token the request carries, else 401. */
export function requireSignedIn(db: Kysely<ServerDatabase>) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request);
    request.user = token ? await userForToken(db, token) : null;
    if (!request.user) throw unauthorized();
  };
}

/** The signed-in official when their role is one of these, else 403. */
export function requireRole(request: FastifyRequest, roles: readonly Role[]): UserTable {
  const user = request.user!;
  if (!roles.includes(user.role as Role)) throw forbidden(`role ${user.role} may not see this`);
  return user;
}
