import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startOfficeServer, type OfficeServer } from '../support/office-server';
import { makeTempDir } from '../support/temp-dir';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';

// The database throttle on the engine of the run (SQLite, or PostgreSQL in the PostgreSQL run),
// behind a trusted proxy so that each request can come from an address of its own.
const temp = makeTempDir('sign-in-addresses');
afterAll(() => temp.remove());

const DESK = '10.1.1.10';
const signIn = (server: OfficeServer, username: string, password: string, address: string) =>
  api(server.url, '/auth/login', { body: { username, password }, headers: { 'x-forwarded-for': address } });

describe('sign-in throttle and the addresses an official uses', () => {
  let server: OfficeServer;
  beforeAll(async () => {
    server = await startOfficeServer(join(temp.dir, 'addresses.sqlite'), { seed: { applications: 1 }, trustProxy: '127.0.0.1' });
  });
  afterAll(async () => server.close());

  it('guesses from elsewhere lock the account for every other address, but not for the desk the official signs in from', async () => {
    expect((await signIn(server, 'kadis', DEMO_PASSWORD, DESK)).status).toBe(200);
    const guesses: number[] = [];
    for (let i = 0; i < 6; i += 1) guesses.push((await signIn(server, 'kadis', `tebakan-${i}`, '203.0.113.7')).status);
    expect(guesses).toEqual([401, 401, 401, 401, 401, 429]);
    // the guesser learns nothing from the right password, nor does a desk the account never used
    expect((await signIn(server, 'kadis', DEMO_PASSWORD, '203.0.113.7')).status).toBe(429);
    expect((await signIn(server, 'Kadis', DEMO_PASSWORD, '10.1.1.11')).status).toBe(429);
    // the Kepala Dinas at his own desk signs in
    expect((await signIn(server, 'kadis', DEMO_PASSWORD, DESK)).status).toBe(200);
    // a wrong password from his desk is still counted and answered as one
    expect((await signIn(server, 'kadis', 'salah', DESK)).status).toBe(401);
  }, 60_000);

  it('answers parallel sign-ins of one official with the right password, all of them', async () => {
    // a double click, a retry: each attempt's success deletes the account's counter row while the next one waits for it
    const answers = await Promise.all([0, 1, 2, 3, 4].map(() => signIn(server, 'penata', DEMO_PASSWORD, '10.1.1.20')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
  }, 60_000);

  it('still locks an address that guesses at many accounts, the desk of a locked-out official included', async () => {
    const address = '10.1.1.30';
    expect((await signIn(server, 'koordinator', DEMO_PASSWORD, address)).status).toBe(200);
    for (let i = 0; i < 20; i += 1) expect((await signIn(server, `tidak-ada-${i}`, 'x', address)).status).toBe(401);
    expect((await signIn(server, 'koordinator', DEMO_PASSWORD, address)).status).toBe(429);
  }, 60_000);
});
