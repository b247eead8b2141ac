import { createDecipheriv, createHash, scryptSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeskServices, type DeskServices } from '../../main/services/create-desk-services';
import { createDeskClient, type DeskClient } from '../../main/services/desk-client';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { verifyPassword } from '../../server/app/password-hash';
import { openDeskCache } from '../support/desk-cache-file';
import { api, lenientThrottle, readServerDb, startOfficeServer, type OfficeServer } from '../support/office-server';
import { makeTempDir } from '../support/temp-dir';

const temp = makeTempDir('offline-credential');
const dbFile = join(temp.dir, 'server.sqlite');
const cacheFile = join(temp.dir, 'desk.sqlite');
let server: OfficeServer;
let port: number;

beforeAll(async () => {
  server = await startOfficeServer(dbFile, { throttle: lenientThrottle(), seed: { applications: 3 } });
  port = server.port;
});
afterAll(async () => {
  await server.close().catch(() => undefined);
  temp.remove();
});

async function openDesk(): Promise<{ desk: DeskServices; call: DeskClient['call'] }> {
  const desk = await createDeskServices({ cacheFile, serverUrl: `http://127.0.0.1:${port}`, syncIntervalMs: 0 });
  return { desk, call: createDeskClient(desk).call };
}

function storedRecord(username: string): { raw: string; record: any } {
  const cache = openDeskCache(cacheFile);
  try {
    const row = cache.prepare('SELECT value FROM meta WHERE key = ?').get(`offline_credential:${username}`) as { value: string } | undefined;
    return { raw: row?.value ?? '', record: row ? JSON.parse(row.value) : null };
  } finally {
    cache.close();
  }
}

describe('the offline credential cannot open the server', () => {
  it('keeps an encrypted author session, not a password verifier; nothing stored or derived from it signs in', async () => {
    const { desk, call } = await openDesk();
    expect((await call('session.signIn', { username: 'penata', password: DEMO_PASSWORD })).ok).toBe(true);
    await desk.close();

    const { raw, record } = storedRecord('penata');
    expect(record).toMatchObject({ v: 2, kdf: { N: 2 ** 17, r: 8, p: 1 }, failures: 0 });
    expect(record.verifier).toBeUndefined();
    expect(raw).not.toContain(DEMO_PASSWORD);

    // what a thief holding the file (and, at worst, the password) could take out of it
    const key = scryptSync(DEMO_PASSWORD, Buffer.from(record.kdf.salt, 'base64'), 32, { N: record.kdf.N, r: 8, p: 1, maxmem: 256 * 1024 * 1024 });
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(record.iv, 'base64'));
    decipher.setAAD(Buffer.from('meja-izin offline credential v2\noffline_credential:penata'));
    decipher.setAuthTag(Buffer.from(record.tag, 'base64'));
    const payload = JSON.parse(Buffer.concat([decipher.update(Buffer.from(record.data, 'base64')), decipher.final()]).toString('utf8'));
    expect(payload.session.key).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const candidates = [
      raw.slice(0, 256),
      record.data.slice(0, 256),
      record.tag,
      record.iv,
      record.kdf.salt,
      key.toString('base64'),
      key.toString('hex'),
      payload.session.key,
      Buffer.from(payload.session.key, 'base64url').toString('hex'),
      payload.session.id,
      createHash('sha256').update(raw).digest('hex'),
    ];
    const hash = readServerDb(dbFile, (db) => (db.prepare("SELECT password_hash FROM users WHERE username = 'penata'").get() as { password_hash: string }).password_hash);
    for (const candidate of candidates) {
      expect((await api(server.url, '/auth/login', { body: { username: 'penata', password: candidate } })).status).toBe(401);
      expect(await verifyPassword(candidate, hash)).toBe(false);
    }
  }, 60_000);

  it('locks offline sign-in after five wrong passwords until an online sign-in', async () => {
    await server.close();
    const { desk, call } = await openDesk();
    try {
      for (let i = 0; i < 5; i += 1) {
        expect(await call('session.signIn', { username: 'penata', password: `salah-${i}` })).toMatchObject({ ok: false, error: { code: 'BAD_CREDENTIALS' } });
      }
      expect(await call('session.signIn', { username: 'penata', password: DEMO_PASSWORD })).toMatchObject({ ok: false, error: { code: 'OFFLINE_SIGN_IN_LOCKED' } });
      expect(await call('session.signIn', { username: 'Penata', password: DEMO_PASSWORD })).toMatchObject({ ok: false, error: { code: 'OFFLINE_SIGN_IN_LOCKED' } });
    } finally {
      await desk.close();
    }

    server = await startOfficeServer(dbFile, { throttle: lenientThrottle(), port });
    const online = await openDesk();
    expect((await online.call('session.signIn', { username: 'penata', password: DEMO_PASSWORD })).ok).toBe(true);
    await online.desk.close();
    await server.close();

    const offline = await openDesk();
    try {
      expect(await offline.call('session.signIn', { username: 'penata', password: DEMO_PASSWORD })).toMatchObject({ ok: true, value: { user: { username: 'penata' } } });
    } finally {
      await offline.desk.close();
    }
    server = await startOfficeServer(dbFile, { throttle: lenientThrottle(), port });
  }, 60_000);

  it('forgets a verifier of the first kind (scrypt of the password) instead of trusting it', async () => {
    const cache = openDeskCache(cacheFile, { readonly: false });
    const salt = Buffer.alloc(16, 1);
    const legacy = { salt: salt.toString('base64'), verifier: scryptSync(DEMO_PASSWORD, salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64'), user: { id: 'u', username: 'kadis', fullName: 'K', nip: '1', role: 'kepala_dinas' } };
    cache.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('offline_credential:kadis', JSON.stringify(legacy));
    cache.close();
    await server.close();
    const { desk, call } = await openDesk();
    try {
      expect(await call('session.signIn', { username: 'kadis', password: DEMO_PASSWORD })).toMatchObject({ ok: false, error: { code: 'SERVER_UNREACHABLE' } });
    } finally {
      await desk.close();
    }
    expect(storedRecord('kadis').record).toBeNull();
    server = await startOfficeServer(dbFile, { throttle: lenientThrottle(), port });
  }, 60_000);
});
