// Shared vitest settings: every package resolves its @realm/* dependencies to their TypeScript
// sources through the "@realm/source" export condition, so tests never need a build first.
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export const SOURCE_CONDITION = '@realm/source';

export default defineConfig({
  resolve: { conditions: [SOURCE_CONDITION, 'import', 'node', 'default'] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, 'import', 'node', 'default'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    passWithNoTests: true,
    // The JSON report feeds tools/test-summary.mjs, which prints one "N passed, N failed" line
    // for the whole workspace at the end of `npm test`.
    reporters: ['default', ['json', { outputFile: join(fileURLToPath(new URL('.', import.meta.url)), 'test-results', `${basename(process.cwd())}.json`) }]],
  },
});
