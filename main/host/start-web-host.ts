import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createDeskServices } from '../services/create-desk-services';
import { createDeskClient } from '../services/desk-client';
import { fileKeyStore } from '../../db/cache-key';
import { startEmbeddedServer } from './embedded-server';
import { startWebHost } from './web-host';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: process.env.MEJA_IZIN_SERVER ?? '' },
    data: { type: 'string', default: process.env.MEJA_IZIN_DATA ?? '.data' },
    port: { type: 'string', default: '0' },
    'sync-interval-ms': { type: 'string', default: process.env.MEJA_IZIN_SYNC_MS ?? '15000' },
  },
});

const dataDir = resolve(values.data!);
const rendererDir = resolve('dist/renderer');
if (!existsSync(join(rendererDir, 'index.html'))) {
  console.error('The renderer is not built: run `npm run build:renderer` first (npm run start:web does it for you).');
  process.exit(1);
}
const embedded = values.server ? null : await startEmbeddedServer(dataDir);
const serverUrl = values.server || embedded!.url;
// The web host is for development and tests: its cache key is a file, <data>/cache.key (0600).
// The desktop keeps it with Electron's safeStorage instead.
const services = await createDeskServices({
  cacheFile: join(dataDir, 'desk-cache.sqlite'),
  keyStore: fileKeyStore(join(dataDir, 'cache.key')),
  serverUrl,
  syncIntervalMs: Number(values['sync-interval-ms']),
  defaultCertificatePath: embedded?.demoCertificatePath,
});
if (services.startupNotice) {
  console.warn(`Cache lokal rusak dan telah dipulihkan dari cadangan ${services.startupNotice.backupAt}; berkas rusak disimpan di ${services.startupNotice.damagedFile}.`);
}
const host = await startWebHost({ client: createDeskClient(services), rendererDir, port: Number(values.port) });
console.log(`Meja Izin (web host, for development and tests) on ${host.origin}`);
console.log(`Open: ${host.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    // a connection or worker that will not close must not keep the port (and the cache) held
    setTimeout(() => process.exit(1), 5000).unref();
    await host.close();
    await services.close();
    await embedded?.close();
    process.exit(0);
  });
}
