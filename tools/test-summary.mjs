#!/usr/bin/env node
// Sums the vitest JSON reports of every project (test-results/*.json, written by vitest.shared.ts)
// into one closing line, "tests: N passed, N failed, N skipped", and fails if any test failed or if
// no test ran at all. Reports older than this `npm test` run are ignored.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('../test-results/', import.meta.url).pathname;
const since = Number(process.argv[2] ?? 0);
let passed = 0, failed = 0, skipped = 0;
const projects = [];
for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
  const path = join(dir, name);
  if (statSync(path).mtimeMs < since) continue;
  const report = JSON.parse(readFileSync(path, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  projects.push(`${name.replace(/\.json$/, '')}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`);
}
for (const line of projects) console.log(`  ${line}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (failed > 0 || passed === 0) process.exit(1);
