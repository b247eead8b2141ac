// One statement against PostgreSQL for postgres-test-databases.ts's synchronous reader: reads
// {url, sql, params} on stdin (SQLite's `?` placeholders), writes the rows as JSON on stdout.
import pg from 'pg';

const INT8 = 20;
const NUMERIC = 1700;
pg.types.setTypeParser(INT8, (v) => Number(v));
pg.types.setTypeParser(NUMERIC, (v) => Number(v));

/** `?` outside quoted text becomes $1, $2, … */
function numberedPlaceholders(sql) {
  let out = '';
  let n = 0;
  let quote = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  return out;
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { url, sql, params } = JSON.parse(input);
const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  const { rows } = await client.query(numberedPlaceholders(sql), params);
  const json = rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Buffer.isBuffer(v) ? { $bytes: v.toString('base64') } : v])));
  process.stdout.write(JSON.stringify(json));
} finally {
  await client.end();
}
