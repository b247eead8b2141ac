import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type Migration } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { CACHE_MIGRATIONS } from '../../db/cache-migrations';
import { openCacheDb } from '../../db/open-cache-db';
import { openEncrypted } from '../../db/sqlite-cipher';
import { makeTempDir } from '../support/temp-dir';

const temp = makeTempDir('cache-migrations');

afterAll(() => temp.remove());

const names = Object.keys(CACHE_MIGRATIONS);
const key = randomBytes(32);

describe('local cache migrations', () => {
  it('each migration runs from the one before it with data in place', async () => {
    const file = join(temp.dir, 'stepwise.sqlite');
    for (const [index, name] of names.entries()) {
      const { db, close } = await openCacheDb(file, { key, migrateTo: name });
      if (index === 0) {
        await db.insertInto('meta').values({ key: 'cursor', value: '42' }).execute();
        await db
          .insertInto('applications')
          .values({ id: 'a1', registration_number: 'MPPD-1', permit_type_id: 'p', workflow_id: 'w', stage: 's', server_stage: 's', applicant_name: 'Siti', nik: '1872010101900001', submitted_at: '2026-11-23T01:00:00Z', complete_at: null, data: '{}', change_seq: 1 })
          .execute();
      }
      expect((await db.selectFrom('meta').select('value').where('key', '=', 'cursor').executeTakeFirstOrThrow()).value).toBe('42');
      expect((await db.selectFrom('applications').selectAll().execute()).map((r) => r.applicant_name)).toEqual(['Siti']);
      await close();
    }
  });

  it('copies the file aside before migrating a cache that holds data', async () => {
    const file = join(temp.dir, 'backup.sqlite');
    const first = await openCacheDb(file, { key });
    await first.db.insertInto('meta').values({ key: 'cursor', value: '7' }).execute();
    expect(first.backupFile).toBeNull();
    await first.close();

    const addColumn: Migration = {
      up: async (db: Kysely<any>) => {
        await db.schema.alterTable('applications').addColumn('claimed_by', 'text').execute();
      },
    };
    const second = await openCacheDb(file, { key, migrations: { ...CACHE_MIGRATIONS, '9999-12-31-test-claimed-by': addColumn } });
    expect(second.backupFile).toMatch(/\.before-9999-12-31-test-claimed-by\.bak$/);
    const columns = await sql<{ name: string }>`PRAGMA table_info(applications)`.execute(second.db);
    expect(columns.rows.map((c) => c.name)).toContain('claimed_by');
    await second.close();

    const backup = openEncrypted(second.backupFile!, key, { readonly: true });
    expect((backup.prepare("SELECT value FROM meta WHERE key = 'cursor'").get() as { value: string }).value).toBe('7');
    expect((backup.prepare('PRAGMA table_info(applications)').all() as Array<{ name: string }>).map((c) => c.name)).not.toContain('claimed_by');
    backup.close();
  });

  it('refuses a corrupt cache file with a clear error instead of working on it', async () => {
    const file = join(temp.dir, 'corrupt.sqlite');
    writeFileSync(file, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 0x5a)]));
    await expect(openCacheDb(file, { key })).rejects.toThrow(/not a database|integrity|malformed/);
  });
});
