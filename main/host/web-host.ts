import { randomBytes, timingSafeEqual } from 'node:crypto';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DeskClient } from '../services/desk-client';

export interface WebHostOptions {
  /** the desk's handlers behind the contract dispatcher (createDeskClient) */
  client: DeskClient;
  rendererDir: string;
  port?: number;
}

export interface RunningWebHost {
  /** open this: it carries the per-run token in the fragment, which never reaches a server log */
  url: string;
  origin: string;
  close(): Promise<void>;
}

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The dev and e2e host: the real renderer and the same services as the Electron window,
 * over loopback HTTP. Only 127.0.0.1, only with the per-run token, only from its own origin.
 * Never part of the packaged app.
 */
export async function startWebHost(options: WebHostOptions): Promise<RunningWebHost> {
  const token = randomBytes(24).toString('base64url');
  const expected = Buffer.from(token);
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  let origin = '';

  app.addHook('onRequest', async (request, reply) => {
    // A page on another site may reach 127.0.0.1 by DNS rebinding; the Host header tells.
    if (request.headers.host !== new URL(origin).host) return reply.code(421).send('wrong host');
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  await app.register(fastifyStatic, { root: options.rendererDir, index: ['index.html'] });

  app.post<{ Params: { method: string } }>('/api/invoke/:method', async (request, reply) => {
    const given = Buffer.from(String(request.headers['x-meja-izin-token'] ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.code(403).send({ ok: false, error: { code: 'INTERNAL', message: 'bad host token' } });
    const requestOrigin = request.headers.origin;
    if (requestOrigin && requestOrigin !== origin) return reply.code(403).send({ ok: false, error: { code: 'INTERNAL', message: 'foreign origin' } });
    return options.client.dispatch(request.params.method, request.body);
  });

  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  origin = `http://127.0.0.1:${port}`;
  return { url: `${origin}/#token=${token}`, origin, close: () => app.close() };
}
