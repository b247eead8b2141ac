// Setup file of the PostgreSQL run (vitest.postgres.config.ts): every server a test starts —
// through startOfficeServer, startCentralServer or the desk-and-office helper — opens, instead of
// the SQLite file it names, that file's own database in the run's PostgreSQL cluster. The server
// code is the production code; only where its database lives changes.
import { vi } from 'vitest';
import { postgresDatabaseFor } from './postgres-test-databases';

vi.mock('../../server/db/open-server-db', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../server/db/open-server-db')>();
  return {
    ...original,
    openServerDb: async (location: string, options?: Parameters<typeof original.openServerDb>[1]) => original.openServerDb(await postgresDatabaseFor(location), options),
  };
});
