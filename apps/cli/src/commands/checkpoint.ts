// `realm checkpoint ls|get`: inspect TensorFlow tensor-bundle checkpoints (@realm/data CheckpointReader).
// Output formats are defined in packages/data/src/checkpoint/format.ts.
import type { Command } from 'commander';
import { CheckpointReader, checkpointEntriesToJson, formatCheckpointTable, tensorToJson, tensorToText } from '@realm/data';

interface JsonFlag {
  json?: boolean;
}

export function registerCheckpointCommands(program: Command): void {
  const checkpoint = program
    .command('checkpoint')
    .description('Inspect TensorFlow checkpoints (tensor bundle: PREFIX.index + PREFIX.data-NNNNN-of-NNNNN)');
  checkpoint
    .command('ls')
    .description('List every tensor: name, dtype, shape (partitioned variables show their slices)')
    .argument('<prefix>', 'checkpoint prefix, e.g. model.ckpt-20 (the .index path or a SavedModel directory also work)')
    .option('--json', 'print a JSON array of {name, dtype, shape[, slices]}')
    .action(async (prefix: string, options: JsonFlag) => {
      const reader = await CheckpointReader.open(prefix);
      const entries = reader.list();
      console.log(options.json ? JSON.stringify(checkpointEntriesToJson(entries)) : formatCheckpointTable(entries));
    });
  checkpoint
    .command('get')
    .description('Print one tensor (CRC-checked). Values are flat and row-major; floats in shortest round-trip form')
    .argument('<prefix>', 'checkpoint prefix')
    .argument('<name>', 'tensor name as listed by `realm checkpoint ls`')
    .option(
      '--json',
      'print {name, dtype, shape, values}: values flat row-major beside shape; int64 as strings; NaN/±Infinity as strings; ' +
        'complex as interleaved re, im; strings as UTF-8 or, when any is not UTF-8, all base64 with "encoding":"base64"',
    )
    .action(async (prefix: string, name: string, options: JsonFlag) => {
      const reader = await CheckpointReader.open(prefix);
      try {
        const tensor = await reader.read(name);
        console.log(options.json ? tensorToJson(tensor) : tensorToText(tensor));
      } finally {
        await reader.close();
      }
    });
}
