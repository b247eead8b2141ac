import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openServerDb } from '../db/open-server-db';
import { describeLocation, serverDbLocation } from '../db/server-engine';
import { DEMO_PASSWORD, DEMO_USERS } from '../seed/demo-configuration';
import { isSeeded, seedDemoDatabase } from '../seed/seed-demo-database';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    pg: { type: 'string' },
    applications: { type: 'string', default: '64' },
    'verification-url': { type: 'string', default: 'http://127.0.0.1:8787' },
  },
});

// SQLite file (--db) or PostgreSQL (--pg URL, or MEJA_IZIN_DATABASE_URL), as `npm run server` takes them
const database = values.pg ?? values.db ?? process.env.MEJA_IZIN_DATABASE_URL ?? '.data/server.sqlite';
const location = serverDbLocation(database);
if (location.engine === 'sqlite') mkdirSync(dirname(location.file), { recursive: true });
const { db, close } = await openServerDb(database);
if (await isSeeded(db)) {
  console.error(`${describeLocation(database)} already holds data; seed only an empty database.`);
  await close();
  process.exit(1);
}
// the demo server holds three offices: Metro's files, Pekanbaru's SOP chain, Balikpapan in WITA
const result = await seedDemoDatabase(db, { applications: Number(values.applications), pekanbaruFiles: 10, balikpapanFiles: 6, verificationBaseUrl: values['verification-url']! });
await close();
console.log(`Seeded ${describeLocation(database)}: ${result.applications} applications, ${result.users} users.`);
console.log(`Demo accounts (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => `${u.username} (${u.role}, ${u.office})`).join(', ')}`);
