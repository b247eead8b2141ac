import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { ServerEngine } from '../../server/db/server-engine';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster';
import { makeTempDir } from './temp-dir';

/**
 * Empty central-server databases on either engine for one test file: SQLite files in a temporary
 * folder, PostgreSQL databases in a throwaway cluster started before the file's tests and removed
 * after them. Call at the top of the file; each call of the returned function gives a new location.
 */
export function freshServerDatabases(label: string): (engine: ServerEngine) => Promise<string> {
  const temp = makeTempDir(label);
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  }, 120_000);
  afterAll(() => {
    cluster?.stop();
    temp.remove();
  });
  let made = 0;
  return async (engine) => {
    made += 1;
    return engine === 'postgres' ? cluster.createDatabase(`${label.replace(/\W/g, '_')}_${made}`) : join(temp.dir, `server-${made}.sqlite`);
  };
}
