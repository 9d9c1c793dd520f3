// `realm world ...`: the built-in synthetic knowledge world (@realm/data generateWorld/writeWorld).
import type { Command } from 'commander';
import { formatWorldSummary, generateWorld, writeWorld, type WorldConfigInput } from '@realm/data';
import { integerFlag, numberFlag } from '../flags.js';

interface GenerateOptions {
  out: string;
  seed?: number;
  scale?: number;
  people?: number;
  heldoutFraction?: number;
}

export function registerWorldCommands(program: Command): void {
  const world = program
    .command('world')
    .description('The built-in synthetic knowledge world: invented people, places and organisations for REALM/ORQA');
  world
    .command('generate')
    .description(
      'Write documents.jsonl, pretrain_{train,heldout}.jsonl, qa_{train,dev,test}.jsonl, facts.jsonl and world.json into a directory',
    )
    .requiredOption('--out <dir>', 'output directory (created if missing; local path or gs://)')
    .option('--seed <n>', 'generator seed (default 13)', integerFlag('--seed'))
    .option('--scale <x>', 'multiplies every entity count (default 1: 400 people, 32 places, 24 organisations)', numberFlag('--scale'))
    .option('--people <n>', 'people at scale 1 (default 400)', integerFlag('--people'))
    .option('--heldout-fraction <f>', 'fraction of facts stated only in the knowledge corpus (default 0.2)', numberFlag('--heldout-fraction'))
    .action(async (options: GenerateOptions) => {
      const config: WorldConfigInput = {
        ...(options.seed !== undefined && { seed: options.seed }),
        ...(options.scale !== undefined && { scale: options.scale }),
        ...(options.people !== undefined && { numPeople: options.people }),
        ...(options.heldoutFraction !== undefined && { heldoutFraction: options.heldoutFraction }),
      };
      const generated = generateWorld(config);
      const stats = await writeWorld(generated, options.out);
      console.log(`world: ${formatWorldSummary(stats)} -> ${options.out}`);
    });
}
