import { parseArgs } from 'node:util';
import { startCentralServer } from '../start-central-server';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: '.data/server.sqlite' },
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});

const server = await startCentralServer({ dbFile: values.db!, port: Number(values.port), host: values.host!, logger: true });
console.log(`Meja Izin central server listening on ${server.url} (database ${values.db})`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
