import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    // a busy CI machine can take seconds over a first query of 100,000 rows: poll patiently
    expect: { poll: { timeout: 20_000, interval: 100 } },
  },
});
