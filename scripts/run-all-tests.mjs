// `npm test`: every suite, then one closing line CI reads: `N passed, N failed[, N skipped]`.
// Lint and typecheck count as one test each; vitest suites report their own counts.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const totals = { passed: 0, failed: 0, skipped: 0 };
mkdirSync('test-results', { recursive: true });

function run(label, command, args) {
  console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  return result.status === 0;
}

function step(label, command, args) {
  const ok = run(label, command, args);
  totals[ok ? 'passed' : 'failed'] += 1;
  console.log(`=== ${label}: ${ok ? 'passed' : 'FAILED'}`);
}

function vitestSuite(label, configArgs) {
  const report = `test-results/${label}.json`;
  rmSync(report, { force: true });
  const ok = run(label, 'npx', ['vitest', 'run', ...configArgs, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    totals.passed += json.numPassedTests;
    totals.failed += json.numFailedTests;
    totals.skipped += json.numPendingTests + (json.numTodoTests ?? 0);
    // a suite file that failed to load has no tests to count; count it as a failure
    const brokenFiles = json.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
    totals.failed += brokenFiles;
    if (!ok && json.numFailedTests === 0 && brokenFiles === 0) totals.failed += 1;
  } catch {
    totals.failed += 1;
    console.log(`=== ${label}: no report was written`);
  }
}

step('lint', 'npx', ['eslint', '.']);
step('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
vitestSuite('unit-and-integration', []);
// the integration suite again with every central server on PostgreSQL (a throwaway cluster; vitest.postgres.config.ts says what it leaves out and why)
vitestSuite('integration-postgres', ['--config', 'vitest.postgres.config.ts']);
step('build-renderer', 'npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
vitestSuite('e2e', ['--config', 'tests/e2e/vitest.config.ts']);

const skipped = totals.skipped ? `, ${totals.skipped} skipped` : '';
console.log(`\n${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exit(totals.failed === 0 ? 0 : 1);
