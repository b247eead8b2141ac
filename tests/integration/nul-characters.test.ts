import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, startOfficeServer, type OfficeServer } from '../support/office-server';
import { makeTempDir } from '../support/temp-dir';

// A NUL character (U+0000) cannot be stored in PostgreSQL text: every request holding one, in
// its path, query or body, signed in or not, is refused with 400 before any route reads it, on
// both engines, and the server goes on answering.
describe('NUL characters in requests', () => {
  const temp = makeTempDir('nul-characters');
  let server: OfficeServer;
  let token: string;

  beforeAll(async () => {
    server = await startOfficeServer(join(temp.dir, 'server.sqlite'));
    token = (await login(server.url, 'penata')).token;
  });
  afterAll(async () => {
    await server.close();
    temp.remove();
  });

  it('answers 400 for each, signed in or not, and stays healthy', async () => {
    const nul = '\\u0000';
    const answers = [
      await api(server.url, '/auth/login', { rawBody: `{"username":"pena${nul}ta","password":"x"}` }),
      await api(server.url, '/claims', { token, rawBody: `{"applicationId":"a${nul}b"}` }),
      await api(server.url, '/documents/a%00b', { token }),
      await api(server.url, '/sync/pull?since=0&limit=5&x=%00', { token }),
      await api(server.url, '/verify/a%00b'),
      await api(server.url, '/sync/push', {
        token,
        rawBody: JSON.stringify({ commands: [{ id: randomUUID(), type: 'transition', applicationId: 'x', action: 'teruskan', expectedStage: 'pemeriksaan', reason: 'ok', checklist: null, decidedAt: new Date().toISOString(), evidence: null }] }).replace('"ok"', `"o${nul}k"`),
      }),
      await api(server.url, '/complaints/commands', { token, rawBody: `{"kind":"complaint","complainantName":"Bu${nul}di"}` }),
    ];
    expect(answers.map((a) => [a.status, a.body.error])).toEqual(answers.map(() => [400, 'invalid_request']));
    const page = await fetch(`${server.url}/verifikasi/a%00b`);
    expect(page.status).toBe(400);
    expect((await api(server.url, '/health')).status).toBe(200);
    // a string that only spells the escape is no NUL
    const spelled = await api(server.url, '/claims', { token, rawBody: '{"applicationId":"a\\\\u0000b"}' });
    expect(spelled.status).toBe(404);
  });
});
