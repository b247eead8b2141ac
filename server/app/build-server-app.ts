import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import {
  API_PREFIX,
  loginRequestSchema,
  pushRequestSchema,
  issueRequestSchema,
  claimRequestSchema,
  COMMAND_LIMITS,
  type CommandResult,
  type LoginResponse,
} from '../../shared/sync-protocol';
import type { Role } from '../../shared/roles';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { applyCommand } from './apply-command';
import { issuePermit } from './issue-permit';
import { issuePermitsRoute } from './issue-permits-route';
import { preparedPermitRoute } from './prepared-permit-route';
import { claimApplication, releaseApplication } from './claims';
import { revokeToken, rotateToken, startSession, userForToken } from './auth-tokens';
import { verifyPasswordWithEqualWork } from './password-hash';
import { LoginThrottle } from './login-throttle';
import { pullChanges } from './pull-changes';
import { applicationAccess, officeApplication } from './access-scope';
import { renderVerificationPage } from './verification-page';
import { lookUpVerification } from './verification-lookup';
import type { RevocationSource } from '../../shared/node/certificate-path';
import { TimeStampRequestError, answerTimeStampRequest, loadTsaIdentity } from './time-stamp-authority';
import { oversightRoutes } from './oversight-routes';
import { serverLoggerOptions } from './server-logger';
import { checkReadiness } from '../db/readiness';

export interface ServerAppOptions {
  db: Kysely<ServerDatabase>;
  /** true: structured logs without secrets or personal data (server-logger.ts); or those options with a level or stream */
  logger?: boolean | ReturnType<typeof serverLoggerOptions>;
  /** behind a TLS reverse proxy: which proxy to believe for the client address (X-Forwarded-For), as Fastify's trustProxy */
  trustProxy?: boolean | string | string[];
  /** CRL/OCSP lookups when verifying a delivered permit's signer */
  revocation?: RevocationSource;
  /** CRLs published at /pki/<name>, DER */
  publishedCrls?: Record<string, Buffer>;
  /** failed sign-ins per account and address; one per process unless a test brings its own */
  loginThrottle?: LoginThrottle;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: UserTable | null;
  }
}

const pullQuerySchema = z.object({
  since: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : '';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function buildServerApp({ db, logger = false, trustProxy = false, revocation, publishedCrls = {}, loginThrottle = new LoginThrottle() }: ServerAppOptions): FastifyInstance {
  // Small bodies by default; the two routes that carry more say how much (COMMAND_LIMITS).
  const app = Fastify({ logger: logger === true ? serverLoggerOptions() : logger, trustProxy, bodyLimit: COMMAND_LIMITS.otherBodyBytes });
  app.decorateRequest('user', null);

  function badRequest(reply: FastifyReply, error: z.ZodError) {
    return reply.code(400).send({ error: 'invalid_request', message: z.prettifyError(error) });
  }

  async function requireUser(request: FastifyRequest, reply: FastifyReply) {
    const token = bearerToken(request);
    request.user = token ? await userForToken(db, token) : null;
    if (!request.user) return reply.code(401).send({ error: 'unauthorized', message: 'sign in again' });
  }

  // Operations: /health answers while the process is up; /ready only when the database answers
  // and holds every migration (a load balancer sends traffic to ready processes only).
  for (const prefix of ['', API_PREFIX]) {
    app.get(`${prefix}/health`, async () => ({ ok: true }));
    app.get(`${prefix}/ready`, async (_request, reply) => {
      const readiness = await checkReadiness(db);
      return readiness.ready ? { ready: true } : reply.code(503).send({ ready: false, reason: readiness.reason });
    });
  }

  // RFC 3161 over HTTP: DER in, DER out. Public, as time-stamping authorities are.
  app.addContentTypeParser('application/timestamp-query', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post(`${API_PREFIX}/tsa`, async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) return reply.code(415).send({ error: 'unsupported', message: 'send application/timestamp-query' });
    try {
      const answer = answerTimeStampRequest(await loadTsaIdentity(db), request.body);
      return reply.header('content-type', 'application/timestamp-reply').send(answer);
    } catch (error) {
      if (error instanceof TimeStampRequestError) return reply.code(400).send({ error: 'invalid_request', message: error.message });
      throw error;
    }
  });
  app.get(`${API_PREFIX}/tsa/root.pem`, async (_request, reply) => reply.header('content-type', 'application/x-pem-file').send((await loadTsaIdentity(db)).rootPem));

  // A CRL distribution point, as a CA publishes it: public, DER.
  app.get<{ Params: { name: string } }>('/pki/:name', async (request, reply) => {
    const crl = Object.prototype.hasOwnProperty.call(publishedCrls, request.params.name) ? publishedCrls[request.params.name] : undefined;
    if (!crl) return reply.code(404).send({ error: 'not_found', message: 'no such CRL' });
    return reply.header('content-type', 'application/pkix-crl').header('cache-control', 'no-cache').send(crl);
  });

  // Sign-in: throttled per account and address (429 + Retry-After past the threshold), the same
  // scrypt work for unknown and known users, and an author session for signing commands.
  app.post(`${API_PREFIX}/auth/login`, async (request, reply) => {
    const parsed = loginRequestSchema.safeParse(request.body);
    if (!parsed.success) return badRequest(reply, parsed.error);
    const verdict = loginThrottle.begin(parsed.data.username, request.ip);
    if (!verdict.allowed) {
      return reply
        .code(429)
        .header('retry-after', String(verdict.retryAfterSeconds))
        .send({ error: 'too_many_attempts', message: `too many failed sign-ins; try again in ${verdict.retryAfterSeconds} s` });
    }
    let user: UserTable | undefined;
    let verified = false;
    try {
      user = await db.selectFrom('users').selectAll().where('username', '=', parsed.data.username).where('active', '=', 1).executeTakeFirst();
      verified = await verifyPasswordWithEqualWork(parsed.data.password, user?.password_hash);
    } finally {
      const { delayMs } = loginThrottle.finish(verdict.attempt, verified);
      if (!verified && delayMs > 0) await sleep(delayMs);
    }
    if (!user || !verified) return reply.code(401).send({ error: 'bad_credentials', message: 'unknown user or wrong password' });
    const { token, expiresAt, session } = await startSession(db, user.id);
    const body: LoginResponse = {
      token,
      expiresAt,
      user: { id: user.id, username: user.username, fullName: user.full_name, nip: user.nip, role: user.role as Role },
      session,
    };
    return body;
  });

  app.register(async (authed) => {
    authed.addHook('preHandler', requireUser);

    // "Keluar": this token answers 401 from now on.
    authed.post(`${API_PREFIX}/auth/logout`, async (request) => {
      await revokeToken(db, bearerToken(request));
      return { ok: true };
    });

    // A fresh token for the same sign-in; the one presented is revoked.
    authed.post(`${API_PREFIX}/auth/refresh`, async (request, reply) => {
      const rotated = await rotateToken(db, bearerToken(request));
      if (!rotated) return reply.code(401).send({ error: 'unauthorized', message: 'sign in again' });
      return rotated;
    });

    authed.get(`${API_PREFIX}/sync/pull`, async (request, reply) => {
      const parsed = pullQuerySchema.safeParse(request.query);
      if (!parsed.success) return badRequest(reply, parsed.error);
      return pullChanges(db, request.user!, parsed.data.since, parsed.data.limit);
    });

    authed.post(`${API_PREFIX}/sync/push`, { bodyLimit: COMMAND_LIMITS.pushBodyBytes }, async (request, reply) => {
      const parsed = pushRequestSchema.safeParse(request.body);
      if (!parsed.success) return badRequest(reply, parsed.error);
      const results: CommandResult[] = [];
      for (const command of parsed.data.commands) results.push(await applyCommand(db, request.user!, command));
      return { results };
    });

    authed.post(`${API_PREFIX}/permits/issue`, { bodyLimit: COMMAND_LIMITS.issueBodyBytes }, async (request, reply) => {
      const parsed = issueRequestSchema.safeParse(request.body);
      if (!parsed.success) return badRequest(reply, parsed.error);
      return issuePermit(db, request.user!, parsed.data, { revocation });
    });

    issuePermitsRoute(authed, { db, revocation });
    preparedPermitRoute(authed, { db });

    // another office's file answers 404, as one that does not exist
    const notFound = (reply: FastifyReply) => reply.code(404).send({ error: 'not_found', message: 'application not found' });

    authed.get<{ Params: { id: string } }>(`${API_PREFIX}/permits/:id/pdf`, async (request, reply) => {
      const access = await applicationAccess(db, request.user!, request.params.id);
      if (access === 'not_found') return notFound(reply);
      if (access !== 'visible') return reply.code(403).send({ error: 'forbidden', message: 'this file is outside your work' });
      const row = await db.selectFrom('issued_permits').select(['pdf', 'sha256']).where('application_id', '=', request.params.id).executeTakeFirst();
      if (!row) return reply.code(404).send({ error: 'not_found', message: 'no issued permit for this application' });
      return reply.header('content-type', 'application/pdf').header('x-content-sha256', row.sha256).send(row.pdf);
    });

    authed.post(`${API_PREFIX}/claims`, async (request, reply) => {
      const parsed = claimRequestSchema.safeParse(request.body);
      if (!parsed.success) return badRequest(reply, parsed.error);
      if (!(await officeApplication(db, request.user!, parsed.data.applicationId))) return notFound(reply);
      const outcome = await claimApplication(db, request.user!, parsed.data.applicationId);
      if (!outcome.ok) return reply.code(outcome.status).send({ error: 'refused', message: outcome.message, ...(outcome.value ?? {}) });
      return outcome.value;
    });

    authed.delete<{ Params: { id: string } }>(`${API_PREFIX}/claims/:id`, async (request, reply) => {
      if (!(await officeApplication(db, request.user!, request.params.id))) return notFound(reply);
      const outcome = await releaseApplication(db, request.user!, request.params.id);
      if (!outcome.ok) return reply.code(outcome.status).send({ error: 'refused', message: outcome.message, ...(outcome.value ?? {}) });
      return outcome.value;
    });

    authed.get<{ Params: { id: string } }>(`${API_PREFIX}/documents/:id`, async (request, reply) => {
      const doc = await db.selectFrom('documents').select(['application_id', 'content', 'mime_type', 'file_name', 'sha256']).where('id', '=', request.params.id).executeTakeFirst();
      const access = doc ? await applicationAccess(db, request.user!, doc.application_id) : 'not_found';
      if (!doc || access === 'not_found') return reply.code(404).send({ error: 'not_found', message: 'document not found' });
      if (access !== 'visible') return reply.code(403).send({ error: 'forbidden', message: 'this file is outside your work' });
      return reply
        .header('content-type', doc.mime_type)
        .header('x-content-sha256', doc.sha256)
        .header('content-disposition', `attachment; filename="${doc.file_name.replace(/[^\w.-]/g, '_')}"`)
        .send(doc.content);
    });
  });

  const verification = (by: 'verification_id' | 'sha256', value: string) => lookUpVerification(db, by, value);

  app.get<{ Params: { id: string } }>(`${API_PREFIX}/verify/:id`, async (request) => verification('verification_id', request.params.id));
  app.get<{ Params: { sha256: string } }>(`${API_PREFIX}/verify-file/:sha256`, async (request, reply) => {
    if (!/^[0-9a-f]{64}$/.test(request.params.sha256)) return reply.code(400).send({ error: 'invalid_request', message: 'sha256 must be 64 hex digits' });
    return verification('sha256', request.params.sha256);
  });
  app.get<{ Params: { id: string } }>('/verifikasi/:id', async (request, reply) => {
    const page = renderVerificationPage(await verification('verification_id', request.params.id));
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', page.contentSecurityPolicy)
      // a permit can be revoked later: never serve a cached verdict
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(page.html);
  });

  app.register(oversightRoutes, { db });

  return app;
}
