import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FuseV1Options } from '@electron/fuses';
import { PlatformPackager, type Configuration } from 'app-builder-lib';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';

// electron-builder 26 and its own YAML parser (js-yaml, which it uses to read this file) and
// schema; all three come with the pinned electron-builder devDependency.
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const schema = require('app-builder-lib/scheme.json') as { definitions: { FuseOptionsV1: { properties: Record<string, unknown> } } };
const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as Configuration;

const EXPECTED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableCookieEncryption: true,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
};

describe('electron-builder.yml: the packaged binary', () => {
  it('sets each fuse as issue 9 asks', () => {
    expect(config.electronFuses).toEqual(EXPECTED_FUSES);
  });

  it('names every fuse as the installed electron-builder spells it', () => {
    const known = Object.keys(schema.definitions.FuseOptionsV1.properties);
    for (const key of Object.keys(config.electronFuses ?? {})) expect(known).toContain(key);
  });

  it('turns the config into a value for every fuse in Electron’s V1 wire, none left at its default', async () => {
    // The same translation electron-builder runs right before signing (a private method of
    // the pinned 26.17.0: if it moves, this test says so rather than passing blindly).
    const packager = PlatformPackager.prototype as unknown as { generateFuseConfig(fuses: unknown): Promise<Record<number, boolean | undefined>> };
    const wire = await packager.generateFuseConfig.call(null, config.electronFuses);
    const expected: Record<number, boolean> = {
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    };
    const allFuses = Object.values(FuseV1Options).filter((v): v is number => typeof v === 'number');
    for (const fuse of allFuses) expect(wire[fuse], `fuse ${FuseV1Options[fuse]}`).toBe(expected[fuse]);
  });

  it('packs the app into app.asar, unpacking only native modules', () => {
    expect(config.asar).toBe(true);
    const unpacked = config.asarUnpack as string[];
    expect(unpacked.length).toBeGreaterThan(0);
    for (const pattern of unpacked) expect(pattern).toMatch(/^node_modules\/better-sqlite3(-multiple-ciphers)?\/\*\*$/);
  });

  it('is a valid electron-builder configuration', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('has its schema refuse a misspelt fuse, so the check above means something', async () => {
    const misspelt = { ...config, electronFuses: { ...EXPECTED_FUSES, runAsnode: false } } as unknown as Configuration;
    await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
  });
});
