import { PassThrough } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { DomainRefusal } from '../../server/app/domain-refusal';
import { answerRefusals } from '../../server/app/refusal-reply';
import { serverLoggerOptions } from '../../server/app/server-logger';

/** A Fastify app with the server's error handler and logger, its log lines kept. */
function appWithLog() {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const app = Fastify({ logger: serverLoggerOptions('info', stream) });
  answerRefusals(app);
  app.get('/refused', async () => {
    throw new DomainRefusal(409, 'claimed', 'taken by someone else', { claimedBy: 'Dewi' });
  });
  app.get('/fault', async () => {
    // as a PostgreSQL driver error carries them: the row's values in `detail`
    throw Object.assign(new Error('duplicate key value violates unique constraint "applications_nik"'), {
      code: '23505',
      detail: 'Key (nik)=(1872015508900001) already exists.',
      where: 'SQL statement "INSERT INTO applications"',
    });
  });
  app.post('/echo', async (request) => request.body);
  return { app, lines };
}

describe('how the server answers what goes wrong', () => {
  it('answers a domain refusal with its status, code, message and details', async () => {
    const { app } = appWithLog();
    const answer = await app.inject({ url: '/refused' });
    expect(answer.statusCode).toBe(409);
    expect(answer.json()).toEqual({ error: 'claimed', message: 'taken by someone else', claimedBy: 'Dewi' });
  });

  it('answers a fault with a plain 500 and logs its class and message, never the row values a database error quotes', async () => {
    const { app, lines } = appWithLog();
    const answer = await app.inject({ url: '/fault' });
    expect(answer.statusCode).toBe(500);
    expect(answer.json()).toEqual({ error: 'internal', message: 'internal server error' });
    expect(answer.body).not.toMatch(/duplicate|23505|nik/);
    await app.close();
    const logged = lines.join('\n');
    expect(logged).toContain('request failed');
    expect(logged).toContain('23505');
    expect(logged).not.toContain('1872015508900001');
    expect(logged).not.toContain('INSERT INTO');
  });

  it('leaves what Fastify refuses itself (malformed JSON) a 400 that echoes nothing of the body', async () => {
    const { app } = appWithLog();
    const answer = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"password":"rahasia-sekali"' });
    expect(answer.statusCode).toBe(400);
    expect(answer.body).not.toContain('rahasia-sekali');
  });
});
