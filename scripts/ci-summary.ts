// Prints one closing line for CI, "N passed, N failed", from the JSON reports the test runners
// write under test-results/ when CI is set (vitest: vitest.json; Playwright: e2e.json).
import { existsSync, readFileSync } from 'node:fs';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function vitestCounts(path: string): Counts {
  const report = JSON.parse(readFileSync(path, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  return { passed: report.numPassedTests, failed: report.numFailedTests, skipped: report.numPendingTests + report.numTodoTests };
}

function playwrightCounts(path: string): Counts {
  const report = JSON.parse(readFileSync(path, 'utf8')) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  };
  return { passed: report.stats.expected + report.stats.flaky, failed: report.stats.unexpected, skipped: report.stats.skipped };
}

const reports: Array<[string, (path: string) => Counts]> = [
  ['test-results/vitest.json', vitestCounts],
  ['test-results/e2e.json', playwrightCounts],
];
const total: Counts = { passed: 0, failed: 0, skipped: 0 };
for (const [path, read] of reports) {
  if (!existsSync(path)) continue;
  const counts = read(path);
  console.log(`${path}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
}
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
