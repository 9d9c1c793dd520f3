// The dependency graph is enforced by lint (eslint.config.mjs, nx tags): these cases prove the
// rules bite, by linting in-memory sources as if they were files of each package.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';
import { repoRoot } from './index.js';

const eslint = new ESLint({ cwd: repoRoot() });

async function boundaryErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(repoRoot(), filePath) });
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries', () => {
  test.each([
    ['packages/tokenizer/src/x.ts', "import * as tf from '@tensorflow/tfjs-core';", /"pkg:tokenizer" is not allowed to import "@tensorflow\/tfjs-core"/],
    ['packages/data/src/x.ts', "import * as tf from '@tensorflow/tfjs-core';", /"pkg:data" is not allowed to import "@tensorflow\/tfjs-core"/],
    ['packages/bert/src/x.ts', "import '@tensorflow/tfjs-backend-wasm';", /is not allowed to import "@tensorflow\/tfjs-backend-wasm"/],
    ['packages/mips/src/x.ts', "import '@tensorflow/tfjs-backend-cpu';", /is not allowed to import "@tensorflow\/tfjs-backend-cpu"/],
    ['packages/tokenizer/src/x.ts', "import { crc32c } from '@realm/data';", /Circular dependency|can only depend on libs tagged with/],
  ])('%s: %s is rejected', async (file, source, expected) => {
    const errors = await boundaryErrors(file, `${source}\nexport {};\n`);
    expect(errors.join('\n')).toMatch(expected);
  });

  test('allowed edges lint clean: data imports the tokenizer; the cli picks a backend', async () => {
    expect(await boundaryErrors('packages/data/src/x.ts', "import { Vocab } from '@realm/tokenizer';\nexport const v = Vocab;\n")).toEqual([]);
    expect(await boundaryErrors('apps/cli/src/x.ts', "import '@tensorflow/tfjs-backend-wasm';\nexport {};\n")).toEqual([]);
  });
});
