import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openServerDb } from '../db/open-server-db';
import { DEMO_PASSWORD, DEMO_USERS } from '../seed/demo-configuration';
import { isSeeded, seedDemoDatabase } from '../seed/seed-demo-database';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: '.data/server.sqlite' },
    applications: { type: 'string', default: '64' },
    'verification-url': { type: 'string', default: 'http://127.0.0.1:8787' },
  },
});

mkdirSync(dirname(values.db!), { recursive: true });
const { db, close } = await openServerDb(values.db!);
if (await isSeeded(db)) {
  console.error(`${values.db} already holds data; seed only an empty database.`);
  await close();
  process.exit(1);
}
const result = await seedDemoDatabase(db, { applications: Number(values.applications), verificationBaseUrl: values['verification-url']! });
await close();
console.log(`Seeded ${values.db}: ${result.applications} applications, ${result.users} users.`);
console.log(`Demo accounts (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => `${u.username} (${u.role})`).join(', ')}`);
