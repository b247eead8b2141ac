import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPostgresPool } from '../../server/db/postgres-pool';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster';

// The server's pool runs repeated statements as named prepared statements (prepared-statements.ts):
// they are really prepared once per connection, and a schema change under a held statement costs
// one failed query, after which the connection prepares afresh. Queried as Kysely's driver does:
// a client of the pool, query(text, values) without a callback.

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgresCluster();
}, 120_000);
afterAll(() => cluster?.stop());

it('prepares a repeated statement once per connection and recovers from a schema change under it', async () => {
  const pool = createPostgresPool(await cluster.createDatabase('prepared_statements'), { max: 1 });
  const client = await pool.connect();
  try {
    await client.query('CREATE TABLE files (id text PRIMARY KEY, stage text NOT NULL)');
    await client.query('INSERT INTO files VALUES ($1, $2), ($3, $4)', ['a', 'pemeriksaan', 'b', 'verifikasi_draf']);
    const select = 'SELECT * FROM files WHERE id = $1';
    expect((await client.query(select, ['a'])).rows).toEqual([{ id: 'a', stage: 'pemeriksaan' }]);
    expect((await client.query(select, ['b'])).rows).toEqual([{ id: 'b', stage: 'verifikasi_draf' }]);
    // the connection's own view of what it has prepared: the SELECT once, with one name
    const prepared = await client.query<{ statement: string }>("SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'SELECT * FROM files%'");
    expect(prepared.rows.map((r) => r.statement)).toEqual([select]);
    // statements without parameters are not named
    expect((await client.query<{ n: number }>("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE 'CREATE%'")).rows[0]!.n).toBe(0);

    await client.query('ALTER TABLE files ADD COLUMN note text');
    await expect(client.query(select, ['a'])).rejects.toMatchObject({ code: '0A000' });
    expect((await client.query(select, ['a'])).rows).toEqual([{ id: 'a', stage: 'pemeriksaan', note: null }]);
  } finally {
    client.release();
    await pool.end();
  }
});

it('leaves statements with many parameters unnamed', async () => {
  const pool = createPostgresPool(await cluster.createDatabase('prepared_statements_long'), { max: 1 });
  const client = await pool.connect();
  try {
    const ids = Array.from({ length: 80 }, (_, i) => `id${i}`);
    const placeholders = ids.map((_, i) => `$${i + 1}`).join(', ');
    const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM unnest(ARRAY[${placeholders}]::text[])`, ids);
    expect(rows[0]!.n).toBe(80);
    expect((await client.query<{ n: number }>('SELECT count(*) AS n FROM pg_prepared_statements')).rows[0]!.n).toBe(0);
  } finally {
    client.release();
    await pool.end();
  }
});
