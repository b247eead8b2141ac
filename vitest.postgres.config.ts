import { defineConfig } from 'vitest/config';

/**
 * The integration suite again, with every central server on PostgreSQL (issue 11): `npm test`
 * runs it after the SQLite run and counts it in its closing line. One throwaway cluster for the
 * run (tests/support/postgres-global-setup.ts); each server file maps to its own database
 * (tests/support/postgres-engine-setup.ts).
 *
 * Left out, each for its reason:
 */
export const NOT_ON_POSTGRES: Record<string, string> = {
  'tests/integration/cache-backup-journal.test.ts': 'the desk cache only: no central server',
  'tests/integration/cache-migrations.test.ts': 'the desk cache only: no central server',
  'tests/integration/certificate-rules.test.ts': 'certificate rules only: no central server',
  'tests/integration/malformed-server.test.ts': 'a deliberately broken fake server, not the central server',
  'tests/integration/permit-pdf.test.ts': 'PDF rendering only: no central server',
  'tests/integration/server-auth-migrations.test.ts': 'builds an older SQLite file by hand; server-migrations.test.ts runs the migrations on both engines',
  'tests/integration/office-isolation.test.ts': 'its migration case builds an older SQLite file by hand (better-sqlite3); the isolation itself is covered on PostgreSQL by server-concurrency.test.ts and need-to-know.test.ts',
  'tests/integration/decision-authorship.test.ts': 'writes to the server\'s SQLite file directly with better-sqlite3',
  'tests/integration/signing-crash.test.ts': 'reads the server\'s SQLite file directly with better-sqlite3 after killing a signing child',
  'tests/integration/oversight-report.test.ts': 'runs scripts/report-monthly.ts in a child process with --db FILE, which opens that SQLite file; the monitoring routes it also checks are the same queries the other suites run on PostgreSQL',
  'tests/integration/sign-in-hardening.test.ts': 'runs the server:user command line in a child process with --db FILE (a SQLite file); the database throttle on PostgreSQL is covered by server-concurrency.test.ts (two processes counting failures together)',
  // these two start PostgreSQL themselves, on both engines already
  'tests/integration/server-migrations.test.ts': 'runs on both engines in the SQLite run already',
  'tests/integration/server-concurrency.test.ts': 'PostgreSQL by design; runs in the SQLite run already',
  'tests/integration/postgres-prepared-statements.test.ts': 'PostgreSQL by design (its own cluster); runs in the SQLite run already',
  'tests/integration/definitions-change-mid-decision.test.ts': 'runs on both engines (its own cluster) in the SQLite run already',
  'tests/integration/server-operations.test.ts': 'SQLite\'s own operations (backup schedule, integrity); /health and /ready on PostgreSQL are in server-concurrency.test.ts',
};

export default defineConfig({
  test: {
    include: ['tests/integration/**/*.test.ts'],
    exclude: Object.keys(NOT_ON_POSTGRES),
    globalSetup: ['tests/support/postgres-global-setup.ts'],
    setupFiles: ['tests/support/postgres-engine-setup.ts'],
    env: { MEJA_IZIN_TEST_ENGINE: 'postgres' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
