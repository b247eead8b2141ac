import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeskServices } from '../../main/services/create-desk-services';
import { createDeskClient } from '../../main/services/desk-client';
import { API_PREFIX } from '../../shared/sync-protocol';
import { makeTempDir } from '../support/temp-dir';

// A real HTTP server on loopback that logs the desk in and then answers nonsense.
let server: Server;
let url: string;
const temp = makeTempDir('malformed');
let mode: 'not-json' | 'wrong-shape' | 'http-500' = 'not-json';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === `${API_PREFIX}/auth/login`) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ token: 'x'.repeat(40), expiresAt: new Date(Date.now() + 3600_000).toISOString(), user: { id: 'u1', username: 'penata', fullName: 'Siti', nip: '1', role: 'penata_perizinan' } }));
      return;
    }
    if (mode === 'http-500') {
      res.statusCode = 500;
      res.end('boom');
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(mode === 'not-json' ? '{"cursor": 3, "applications": [' : JSON.stringify({ cursor: 'three', hasMore: false, applications: [{ id: 1 }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  temp.remove();
});

describe('a server that answers badly', () => {
  it('leaves the cache untouched and reports a server error, for each kind of bad answer', async () => {
    const desk = await createDeskServices({ cacheFile: join(temp.dir, 'cache.sqlite'), serverUrl: url, syncIntervalMs: 0 });
    const signIn = await createDeskClient(desk).dispatch('session.signIn', { username: 'penata', password: 'whatever' });
    expect(signIn.ok).toBe(true);
    for (const m of ['not-json', 'wrong-shape', 'http-500'] as const) {
      mode = m;
      const status = await createDeskClient(desk).dispatch('sync.now', {});
      expect(status).toMatchObject({ ok: true, value: { online: true, lastError: 'SERVER_ERROR', lastSyncAt: null } });
      const queue = await createDeskClient(desk).dispatch('queue.list', {});
      expect(queue).toEqual({ ok: true, value: { items: [], total: 0, offset: 0, stageNames: [], canSign: false, counts: null } });
    }
    await desk.close();
  });

  it('rejects contract calls with unknown methods or invalid input before any service runs', async () => {
    const desk = await createDeskServices({ cacheFile: join(temp.dir, 'cache2.sqlite'), serverUrl: url, syncIntervalMs: 0 });
    expect(await createDeskClient(desk).dispatch('fs.readFile', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await createDeskClient(desk).dispatch('__proto__', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await createDeskClient(desk).dispatch('review.decide', { applicationId: 'a', action: 'teruskan', reason: null, checklist: null, extra: 1 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    // a NUL character in any string never reaches a service (nor the outbox, nor the server)
    expect(await createDeskClient(desk).dispatch('review.decide', { applicationId: 'a', action: 'teruskan', reason: 'ok\u0000', checklist: null })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('NUL') },
    });
    expect(await createDeskClient(desk).dispatch('queue.list', {})).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    await desk.close();
  });
});
