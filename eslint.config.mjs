// Lint: TypeScript rules plus nx module boundaries, which enforce the package dependency graph.
//   tokenizer, bert and mips are leaves; data may use the tokenizer; model composes bert, mips, data;
//   tokenizer and data may not import TensorFlow.js at all;
//   only type:app projects choose a tfjs backend (the backend packages are banned in libraries).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const TFJS_BACKENDS = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-cpu',
];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.mjs', '**/vitest.config.ts', 'vitest.shared.ts', 'tools/bench/**/*.py', 'tools/reference/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { '@nx': nx },
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // @realm/mips loads @realm/data's checkpoint reader lazily (only for block_emb interop) but
          // imports its small crc32c entry statically.
          checkDynamicDependenciesExceptions: ['@realm/data'],
          allow: [],
          depConstraints: [
            // The leaves: tokenizer, bert and mips import no other realm library.
            { sourceTag: 'pkg:tokenizer', onlyDependOnLibsWithTags: [], bannedExternalImports: ['@tensorflow/*'] },
            // bert reads checkpoints through data; it never sees text (no tokenizer import).
            { sourceTag: 'pkg:bert', onlyDependOnLibsWithTags: ['pkg:data'], bannedExternalImports: ['@realm/tokenizer'] },
            // mips may read TF checkpoints (block_emb) through data, never the model packages.
            { sourceTag: 'pkg:mips', onlyDependOnLibsWithTags: ['pkg:data'] },
            // data reads and writes bytes; it never touches TensorFlow.js.
            { sourceTag: 'pkg:data', onlyDependOnLibsWithTags: ['pkg:tokenizer'], bannedExternalImports: ['@tensorflow/*'] },
            { sourceTag: 'pkg:model', onlyDependOnLibsWithTags: ['pkg:bert', 'pkg:mips', 'pkg:data'] },
            // Libraries never pick a tfjs backend; only apps do.
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'], bannedExternalImports: TFJS_BACKENDS },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:app', 'type:backend'] },
            // @realm/backend picks and patches tfjs backends; only apps may import it.
            { sourceTag: 'type:backend', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
