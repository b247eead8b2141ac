import type { Migration } from 'kysely';
import * as initial from './migrations/2026-11-23-001-initial';
import * as signedPermits from './migrations/2026-11-23-002-signed-permits';
import * as queueAtScale from './migrations/2026-11-23-003-queue-at-scale';
import * as forgetByNik from './migrations/2026-11-24-004-forget-by-nik';
import * as searchAnywhere from './migrations/2026-11-24-005-search-anywhere';
import * as stageEnteredIndex from './migrations/2026-11-24-006-stage-entered-index';

/** Every migration of the local cache, in order. Names sort in the order they run. */
export const CACHE_MIGRATIONS: Record<string, Migration> = {
  '2026-11-23-001-initial': initial,
  '2026-11-23-002-signed-permits': signedPermits,
  '2026-11-23-003-queue-at-scale': queueAtScale,
  '2026-11-24-004-forget-by-nik': forgetByNik,
  '2026-11-24-005-search-anywhere': searchAnywhere,
  '2026-11-24-006-stage-entered-index': stageEnteredIndex,
};
