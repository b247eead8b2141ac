import { sql, type Kysely, type Transaction } from 'kysely';
import { permitTypeSchema, type PermitType } from '../../shared/domain';
import { officeSchema, type Office } from '../../shared/office';
import { workflowSchema, type Workflow } from '../../shared/workflow';
import type { ServerDatabase, UserTable } from '../db/server-database';

type Db = Kysely<ServerDatabase> | Transaction<ServerDatabase>;

/**
 * The offices' definitions (office settings with zone, holidays, roots, signers, TSA, numbering;
 * workflows; permit types), parsed once per process and reused while they stay the same.
 *
 * Staying correct when they change: every insert, update or delete on `offices`, `workflows` or
 * `permit_types` bumps `counters.definitions_version` in the same transaction, by triggers
 * (migration 023), whoever writes: this server, another server process, the seed, an
 * administrator's SQL. Each use reads that one integer (one indexed round trip instead of the
 * rows and their JSON and schema parsing) and reloads when it moved. So a change is seen by the
 * next read that starts after it committed, exactly as reading the rows would; a time-to-live
 * would instead leave every process judging with an old workflow or holiday list for a while.
 * Values are parsed lazily per item (a broken definition fails only its own use, as before),
 * frozen, and shared: callers must not change them.
 */
interface Snapshot {
  version: number;
  offices: Map<string, Lazy<Office>>;
  workflows: Map<string, { officeId: string; value: Lazy<Workflow> }>;
  permitTypes: Map<string, { officeId: string; value: Lazy<PermitType> }>;
}

type Lazy<T> = () => T;

// One cache per database handle: the adapter object is shared by a Kysely instance and its transactions.
const snapshots = new WeakMap<object, Slot>();

interface Slot {
  current?: Snapshot;
  loading?: Promise<Snapshot>;
  loadingVersion?: number;
  /** the next version read, not yet sent: every lookup made before it is sent shares it */
  nextVersion?: Promise<number | null>;
}

function slotOf(db: Db): Slot {
  const key = db.getExecutor().adapter;
  let slot = snapshots.get(key);
  if (!slot) snapshots.set(key, (slot = {}));
  return slot;
}

/**
 * The version as of a read sent after this call: outside a transaction, lookups made in the same
 * turn of the event loop share one read (a busy server makes many at once); inside one, the read
 * is the transaction's own, which also sees a definition it changed itself.
 */
function versionAfterNow(db: Db, slot: Slot): Promise<number | null> {
  if (db.isTransaction) {
    const noted = notedVersions.get(db);
    return noted !== undefined ? Promise.resolve(noted) : definitionsVersion(db);
  }
  slot.nextVersion ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
    slot.nextVersion = undefined;
    return definitionsVersion(db);
  });
  return slot.nextVersion;
}

function lazy<T>(parse: () => T): Lazy<T> {
  let value: T | undefined;
  return () => (value ??= deepFreeze(parse()));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

const notedVersions = new WeakMap<object, number>();

/**
 * The version read along with another statement, so the lookups it serves need no round trip of
 * their own:
 * - a transaction's, read with one of its own statements (application-lock.ts reads it with the
 *   file it locks on SQLite); only for transactions that do not change definitions afterwards;
 * - a request's, read with its sign-in check (auth-tokens.ts) and kept on the official's row
 *   that check returned: lookups made for that request outside a transaction pass that row
 *   (`readWith`) and see the definitions as of the request's start, as if read then.
 */
export function noteDefinitionsVersion(readWith: Transaction<ServerDatabase> | UserTable, version: number | null): void {
  if (version !== null) notedVersions.set(readWith, Number(version));
}

/** The version read as a column of another query: `(SELECT value FROM counters WHERE name = 'definitions_version')`. */
export const DEFINITIONS_VERSION_COLUMN = sql<number | null>`(SELECT value FROM counters WHERE name = 'definitions_version')`;

/** The version as the caller's transaction (or a fresh statement) sees it now. */
export async function definitionsVersion(db: Db): Promise<number | null> {
  const row = await db.selectFrom('counters').select('value').where('name', '=', 'definitions_version').executeTakeFirst();
  return row ? Number(row.value) : null;
}

async function loadSnapshot(db: Db, version: number): Promise<Snapshot> {
  const [offices, workflows, permitTypes] = await Promise.all([
    db.selectFrom('offices').select(['id', 'definition']).orderBy('id').execute(),
    db.selectFrom('workflows').select(['id', 'office_id', 'definition']).orderBy('id').execute(),
    db.selectFrom('permit_types').select(['id', 'office_id', 'definition']).orderBy('id').execute(),
  ]);
  return {
    version,
    offices: new Map(offices.map((r) => [r.id, lazy(() => officeSchema.parse(JSON.parse(r.definition)))])),
    workflows: new Map(workflows.map((r) => [r.id, { officeId: r.office_id, value: lazy(() => workflowSchema.parse(JSON.parse(r.definition))) }])),
    permitTypes: new Map(permitTypes.map((r) => [r.id, { officeId: r.office_id, value: lazy(() => permitTypeSchema.parse(JSON.parse(r.definition))) }])),
  };
}

/**
 * Every office's definitions as of now. Inside a transaction on PostgreSQL the three loads run
 * one after the other on its one connection (Promise.all is only a shorthand there).
 */
async function currentSnapshot(db: Db, readWith?: UserTable): Promise<Snapshot> {
  const slot = slotOf(db);
  const requestVersion = readWith && !db.isTransaction ? notedVersions.get(readWith) : undefined;
  const version = requestVersion ?? (await versionAfterNow(db, slot));
  // a database without the version counter (not migrated this far): no caching
  if (version === null) return loadSnapshot(db, -1);
  if (slot.current?.version === version) return slot.current;
  // a request's version may be older than what another request has loaded since: the newer
  // definitions were committed while this request was under way, and serve it as well
  if (requestVersion !== undefined && slot.current && slot.current.version > version) return slot.current;
  // inside a transaction the rows must be read on its own connection, and are kept for it alone:
  // they may hold its own uncommitted changes, which a rollback takes back while a later
  // committed change brings the counter to the same version again
  if (db.isTransaction) return loadSnapshot(db, version);
  if (!slot.loading || slot.loadingVersion !== version) {
    slot.loadingVersion = version;
    slot.loading = loadSnapshot(db, version).finally(() => {
      if (slot.loadingVersion === version) slot.loading = undefined;
    });
  }
  return remember(slot, await slot.loading);
}

function remember(slot: Slot, snapshot: Snapshot): Snapshot {
  if (!slot.current || slot.current.version < snapshot.version) slot.current = snapshot;
  return snapshot;
}

/** One office's definitions, read with one round trip when unchanged. */
export interface OfficeDefinitions {
  /** the definitions version they were read at (at least: a newer change may be in them); -1 on a database without the counter */
  version: number;
  office: Office;
  workflows: Workflow[];
  permitTypes: PermitType[];
  workflow(id: string): Workflow | undefined;
  permitType(id: string): PermitType | undefined;
}

/** `readWith`: the signed-in official of the request, whose sign-in check read the version (noteDefinitionsVersion). */
export async function officeDefinitions(db: Db, officeId: string, readWith?: UserTable): Promise<OfficeDefinitions> {
  const definitions = await findOfficeDefinitions(db, officeId, readWith);
  if (!definitions) throw new Error(`no office ${officeId} on this server`);
  return definitions;
}

/** As officeDefinitions; undefined for an office this server does not hold (an official not yet assigned to one). */
export async function findOfficeDefinitions(db: Db, officeId: string | null, readWith?: UserTable): Promise<OfficeDefinitions | undefined> {
  const snapshot = await currentSnapshot(db, readWith);
  const office = officeId === null ? undefined : snapshot.offices.get(officeId);
  if (!office) return undefined;
  const own = <T>(map: Map<string, { officeId: string; value: Lazy<T> }>) => [...map.values()].filter((e) => e.officeId === officeId).map((e) => e.value());
  return {
    version: snapshot.version,
    office: office(),
    workflows: own(snapshot.workflows),
    permitTypes: own(snapshot.permitTypes),
    workflow: (id) => {
      const entry = snapshot.workflows.get(id);
      return entry?.officeId === officeId ? entry.value() : undefined;
    },
    permitType: (id) => {
      const entry = snapshot.permitTypes.get(id);
      return entry?.officeId === officeId ? entry.value() : undefined;
    },
  };
}

export async function cachedOffice(db: Db, officeId: string): Promise<Office | undefined> {
  return (await currentSnapshot(db)).offices.get(officeId)?.();
}

export async function cachedOffices(db: Db): Promise<Office[]> {
  return [...(await currentSnapshot(db)).offices.values()].map((o) => o());
}

export async function cachedWorkflow(db: Db, workflowId: string): Promise<Workflow | undefined> {
  return (await currentSnapshot(db)).workflows.get(workflowId)?.value();
}

export async function cachedWorkflows(db: Db, officeId: string): Promise<Workflow[]> {
  return [...(await currentSnapshot(db)).workflows.values()].filter((e) => e.officeId === officeId).map((e) => e.value());
}

export async function cachedPermitTypes(db: Db, officeId: string): Promise<PermitType[]> {
  return [...(await currentSnapshot(db)).permitTypes.values()].filter((e) => e.officeId === officeId).map((e) => e.value());
}
