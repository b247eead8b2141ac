import Fastify, { type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { API_PREFIX, loginRequestSchema, pushRequestSchema, issueRequestSchema, claimRequestSchema, COMMAND_LIMITS } from '../../shared/sync-protocol';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { issuePermit } from './issue-permit';
import { issuePermitsRoute } from './issue-permits-route';
import { preparedPermitRoute } from './prepared-permit-route';
import { claimApplication, releaseApplication } from './claims';
import { revokeToken, rotateToken } from './auth-tokens';
import { verifyPasswordWithEqualWork } from './password-hash';
import type { SignInThrottle } from './login-throttle';
import { DatabaseLoginThrottle } from './database-login-throttle';
import { pullChanges } from './pull-changes';
import { PulledFileCache } from './pulled-file-cache';
import { renderVerificationPage } from './verification-page';
import { lookUpVerification } from './verification-lookup';
import type { RevocationSource } from '../../shared/node/certificate-path';
import { answerTimeStampRequest, loadTsaIdentity } from './time-stamp-authority';
import { bearerToken, requireSignedIn } from './bearer-auth';
import { DomainRefusal, invalidRequest, notFound, parseRequest, unauthorized } from './domain-refusal';
import { answerRefusals } from './refusal-reply';
import { refuseNulCharacters } from './nul-character-guard';
import { badCredentials, findActiveUser, openSignIn, tooManyAttempts } from './sign-in';
import { applyPushedCommands } from './push-commands';
import { readApplicationDocument, readIssuedPermitFor } from './file-downloads';
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
  loginThrottle?: SignInThrottle;
}

const pullQuerySchema = z.object({
  since: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function buildServerApp({ db, logger = false, trustProxy = false, revocation, publishedCrls = {}, loginThrottle = new DatabaseLoginThrottle(db) }: ServerAppOptions): FastifyInstance {
  // Small bodies by default; the two routes that carry more say how much (COMMAND_LIMITS).
  const app = Fastify({ logger: logger === true ? serverLoggerOptions() : logger, trustProxy, bodyLimit: COMMAND_LIMITS.otherBodyBytes });
  app.decorateRequest('user', null);
  // every route and plugin below answers a DomainRefusal thrown anywhere in it the same way
  answerRefusals(app);
  refuseNulCharacters(app);
  // Fastify's own answer to an unknown path echoes it, and logs it with its query string (which may name someone)
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not_found', message: 'no such route' }));

  // Operations: /health answers while the process is up; /ready only when the database answers
  // and holds every migration (a load balancer sends traffic to ready processes only).
  for (const prefix of ['', API_PREFIX]) {
    app.get(`${prefix}/health`, async () => ({ ok: true }));
    app.get(`${prefix}/ready`, async (request, reply) => {
      const readiness = await checkReadiness(db);
      if (readiness.ready) return { ready: true };
      // the database's own error (host, user) goes to the log, not to whoever asks
      if (readiness.fault) request.log.warn({ fault: readiness.fault }, 'not ready');
      return reply.code(503).send({ ready: false, reason: readiness.reason });
    });
  }

  // RFC 3161 over HTTP: DER in, DER out. Public, as time-stamping authorities are.
  app.addContentTypeParser('application/timestamp-query', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post(`${API_PREFIX}/tsa`, async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) throw new DomainRefusal(415, 'unsupported', 'send application/timestamp-query');
    const answer = answerTimeStampRequest(await loadTsaIdentity(db), request.body);
    return reply.header('content-type', 'application/timestamp-reply').send(answer);
  });
  app.get(`${API_PREFIX}/tsa/root.pem`, async (_request, reply) => reply.header('content-type', 'application/x-pem-file').send((await loadTsaIdentity(db)).rootPem));

  // A CRL distribution point, as a CA publishes it: public, DER.
  app.get<{ Params: { name: string } }>('/pki/:name', async (request, reply) => {
    const crl = Object.prototype.hasOwnProperty.call(publishedCrls, request.params.name) ? publishedCrls[request.params.name] : undefined;
    if (!crl) throw notFound('no such CRL');
    return reply.header('content-type', 'application/pkix-crl').header('cache-control', 'no-cache').send(crl);
  });

  // Sign-in: throttled per account and address (429 + Retry-After past the threshold), the same
  // scrypt work for unknown and known users, and an author session for signing commands.
  app.post(`${API_PREFIX}/auth/login`, async (request) => {
    const credentials = parseRequest(loginRequestSchema, request.body);
    const verdict = await loginThrottle.begin(credentials.username, request.ip);
    if (!verdict.allowed) throw tooManyAttempts(verdict.retryAfterSeconds);
    let user: UserTable | undefined;
    let verified = false;
    try {
      user = await findActiveUser(db, credentials.username);
      verified = await verifyPasswordWithEqualWork(credentials.password, user?.password_hash);
    } finally {
      const { delayMs } = await loginThrottle.finish(verdict.attempt, verified);
      if (!verified && delayMs > 0) await sleep(delayMs);
    }
    if (!user || !verified) throw badCredentials();
    return openSignIn(db, user);
  });

  app.register(async (authed) => {
    authed.addHook('onRequest', requireSignedIn(db));

    // "Keluar": this token answers 401 from now on.
    authed.post(`${API_PREFIX}/auth/logout`, async (request) => {
      await revokeToken(db, bearerToken(request));
      return { ok: true };
    });

    // A fresh token for the same sign-in; the one presented is revoked.
    authed.post(`${API_PREFIX}/auth/refresh`, async (request) => {
      const rotated = await rotateToken(db, bearerToken(request));
      if (!rotated) throw unauthorized();
      return rotated;
    });

    const pulledFiles = new PulledFileCache();
    authed.get(`${API_PREFIX}/sync/pull`, async (request, reply) => {
      const { since, limit } = parseRequest(pullQuerySchema, request.query);
      return reply.type('application/json; charset=utf-8').send(await pullChanges(db, request.user!, since, limit, pulledFiles));
    });

    authed.post(`${API_PREFIX}/sync/push`, { bodyLimit: COMMAND_LIMITS.pushBodyBytes }, async (request) =>
      applyPushedCommands(db, request.user!, parseRequest(pushRequestSchema, request.body).commands),
    );

    authed.post(`${API_PREFIX}/permits/issue`, { bodyLimit: COMMAND_LIMITS.issueBodyBytes }, async (request) =>
      issuePermit(db, request.user!, parseRequest(issueRequestSchema, request.body), { revocation }),
    );

    issuePermitsRoute(authed, { db, revocation });
    preparedPermitRoute(authed, { db });

    authed.get<{ Params: { id: string } }>(`${API_PREFIX}/permits/:id/pdf`, async (request, reply) => {
      const permit = await readIssuedPermitFor(db, request.user!, request.params.id);
      return reply.header('content-type', 'application/pdf').header('x-content-sha256', permit.sha256).send(permit.pdf);
    });

    authed.post(`${API_PREFIX}/claims`, async (request) => claimApplication(db, request.user!, parseRequest(claimRequestSchema, request.body).applicationId));

    authed.delete<{ Params: { id: string } }>(`${API_PREFIX}/claims/:id`, async (request) => releaseApplication(db, request.user!, request.params.id));

    authed.get<{ Params: { id: string } }>(`${API_PREFIX}/documents/:id`, async (request, reply) => {
      const doc = await readApplicationDocument(db, request.user!, request.params.id);
      return reply
        .header('content-type', doc.mimeType)
        .header('x-content-sha256', doc.sha256)
        .header('content-disposition', `attachment; filename="${doc.fileName.replace(/[^\w.-]/g, '_')}"`)
        .send(doc.content);
    });
  });

  const verification = (by: 'verification_id' | 'sha256', value: string) => lookUpVerification(db, by, value);

  app.get<{ Params: { id: string } }>(`${API_PREFIX}/verify/:id`, async (request) => verification('verification_id', request.params.id));
  app.get<{ Params: { sha256: string } }>(`${API_PREFIX}/verify-file/:sha256`, async (request) => {
    if (!/^[0-9a-f]{64}$/.test(request.params.sha256)) throw invalidRequest('sha256 must be 64 hex digits');
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
