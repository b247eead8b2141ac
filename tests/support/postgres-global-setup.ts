// Global setup of the PostgreSQL run: one throwaway cluster for the whole run (each test file
// makes its own databases in it), stopped and removed at the end. Where PostgreSQL cannot
// start, the run fails here with the reason; it never skips.
import type { TestProject } from 'vitest/node';
import { startPostgresCluster } from './postgres-cluster';

export default async function setup(project: TestProject): Promise<() => void> {
  const cluster = await startPostgresCluster();
  project.provide('postgresAdminUrl', cluster.adminUrl);
  return () => cluster.stop();
}
