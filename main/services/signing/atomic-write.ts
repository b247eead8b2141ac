import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';

/** Writes a file so that a crash leaves either the old file or the whole new one, never half. */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  await rename(await writeSyncedTemp(path, data), path);
}

/** Writes `data` beside `path` under a temporary name, synced to disk; returns that name. */
async function writeSyncedTemp(path: string, data: Uint8Array): Promise<string> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temp;
}
