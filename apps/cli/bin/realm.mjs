#!/usr/bin/env node
// `npx realm ...`: runs the TypeScript sources directly (no build step to remember). tsx compiles
// on the fly, and a tiny resolve hook adds the "@realm/source" export condition so that every
// @realm/* import resolves to its package's src/ rather than to a dist/ that may not exist.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./source-condition-hook.mjs', import.meta.url);

const { main } = await import('../src/main.ts');
await main(process.argv.slice(2));
