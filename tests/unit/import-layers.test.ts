import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'local/import-layers').map((m) => m.message);
}

describe('the layer rule', () => {
  it('fails renderer code that imports main/ or db/', async () => {
    expect(await layerErrors('renderer/src/bad.ts', "import { x } from '../../main/services/queue-service';\nexport const y = x;\n")).toHaveLength(1);
    expect(await layerErrors('renderer/src/bad.ts', "import { x } from '../../db/open-cache-db';\nexport const y = x;\n")).toHaveLength(1);
    expect(await layerErrors('renderer/src/bad.ts', "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;\n")).toHaveLength(1);
  });

  it('fails a service that imports electron, and shared code that imports anything of ours', async () => {
    expect((await layerErrors('main/services/bad.ts', "import { app } from 'electron';\nexport const y = app;\n"))[0]).toMatch(/only main\/electron/);
    expect(await layerErrors('db/bad.ts', "const e = require('electron');\nexport const y = e;\n")).toHaveLength(1);
    expect(await layerErrors('shared/bad.ts', "import { x } from '../renderer/src/app';\nexport const y = x;\n")).toHaveLength(1);
    expect(await layerErrors('server/bad.ts', "import { x } from '../main/services/queue-service';\nexport const y = x;\n")).toHaveLength(1);
  });

  it('keeps Node-only shared code out of the renderer and out of plain shared code', async () => {
    expect(await layerErrors('renderer/src/bad.ts', "import { x } from '../../shared/node/certificate-path';\nexport const y = x;\n")).toHaveLength(1);
    expect(await layerErrors('shared/bad.ts', "import { x } from './node/certificate-path';\nexport const y = x;\n")).toHaveLength(1);
    expect(await layerErrors('shared/node/bad.ts', "import { x } from '../../main/services/queue-service';\nexport const y = x;\n")).toHaveLength(1);
    expect(await layerErrors('server/ok.ts', "import { x } from '../shared/node/certificate-path';\nimport { createHash } from 'node:crypto';\nexport const y = [x, createHash];\n")).toEqual([]);
    expect(await layerErrors('shared/node/ok.ts', "import { createHash } from 'node:crypto';\nimport { ROLES } from '../roles';\nexport const y = [createHash, ROLES];\n")).toEqual([]);
  });

  it('fails a file that belongs to no layer', async () => {
    expect((await layerErrors('misc/stray.ts', "import { z } from 'zod';\nexport const y = z;\n"))[0]).toMatch(/belongs to no layer/);
  });

  it('lets each layer import what the architecture allows', async () => {
    expect(await layerErrors('renderer/src/ok.ts', "import { contract } from '../../shared/contract';\nexport const y = contract;\n")).toEqual([]);
    expect(await layerErrors('main/services/ok.ts', "import { openCacheDb } from '../../db/open-cache-db';\nimport { z } from 'zod';\nexport const y = [openCacheDb, z];\n")).toEqual([]);
    expect(await layerErrors('main/electron/ok.ts', "import { app } from 'electron';\nexport const y = app;\n")).toEqual([]);
  });
});
