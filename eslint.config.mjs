// Lint: TypeScript rules plus nx module boundaries, which enforce the package dependency graph.
//   tf:none  packages (tokenizer, data) may not import TensorFlow.js at all;
//   type:lib packages may only depend on other libraries;
//   only type:app projects choose a tfjs backend (the backend packages are banned elsewhere).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const TFJS_BACKENDS = [
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
          allow: [],
          depConstraints: [
            { sourceTag: 'tf:none', onlyDependOnLibsWithTags: ['tf:none'], bannedExternalImports: ['@tensorflow/*'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'], bannedExternalImports: TFJS_BACKENDS },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
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
