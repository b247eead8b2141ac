import { join } from 'node:path';
import { createDeskServices, type DeskServices } from '../../main/services/create-desk-services';
import { createDeskClient } from '../../main/services/desk-client';
import { startCentralServer, type RunningCentralServer } from '../../server/start-central-server';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';
import { makeTempDir } from './temp-dir';

/** A real central server on loopback and a real desk (services over a cache file) talking to it. */
export async function startOfficeAndDesk(applications = 12) {
  const temp = makeTempDir('office');
  const serverDb = join(temp.dir, 'server.sqlite');
  let server: RunningCentralServer = await startCentralServer({ dbFile: serverDb, seedDemoIfEmpty: { applications } });
  const desks: DeskServices[] = [];

  async function openDesk(name: string) {
    const desk = await createDeskServices({ cacheFile: join(temp.dir, `${name}.sqlite`), serverUrl: server.url, syncIntervalMs: 0 });
    desks.push(desk);
    const { call, callOk } = createDeskClient(desk);
    const signIn = (username: string) => callOk('session.signIn', { username, password: DEMO_PASSWORD });
    return { desk, call, callOk, signIn };
  }

  return {
    get server() {
      return server;
    },
    serverDb,
    openDesk,
    async stopServer() {
      await server.close();
    },
    async restartServer() {
      server = await startCentralServer({ dbFile: serverDb, port: server.port });
    },
    async close() {
      for (const desk of desks) await desk.close();
      await server.close().catch(() => undefined);
      temp.remove();
    },
  };
}
