// `realm bert forward`: run BERT (@realm/bert) on one sequence of ids from a TF checkpoint or a
// realm-ts model directory and print sequence_output / pooled_output. Picks the tfjs backend.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { bertForward, disposeBertModel, loadBertFromTfCheckpoint, loadBertModel, MODEL_FILES, readBertConfig, type BertModel } from '@realm/bert';

interface ForwardFlags {
  checkpoint: string;
  config?: string;
  ids: number[];
  typeIds?: number[];
  mask?: number[];
  backend: 'cpu' | 'wasm';
  scope?: string;
  json?: boolean;
}

function idListFlag(flag: string): (raw: string) => number[] {
  return (raw) => {
    const parts = raw.split(',').map((p) => p.trim());
    const values = parts.map(Number);
    const bad = parts.findIndex((p, i) => p === '' || !Number.isInteger(values[i]) || values[i] < 0);
    if (bad >= 0) throw new InvalidArgumentError(`${flag} must be comma-separated non-negative integers; item ${bad + 1} is '${parts[bad]}'.`);
    return values;
  };
}

/** Registers the backend packages (apps choose backends; libraries never do) and switches to `name`. */
async function selectBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend "${name}" failed to initialize`);
}

/** Loads from a model directory (saveBertModel) or a TF checkpoint prefix plus bert_config.json. */
async function loadModel(flags: ForwardFlags): Promise<BertModel> {
  const path = flags.checkpoint;
  if (existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, MODEL_FILES.config))) return loadBertModel(path);
  if (!flags.config) throw new Error(`--config is required with a TF checkpoint prefix (${path} is not a realm-ts model directory)`);
  const config = await readBertConfig(flags.config);
  return (await loadBertFromTfCheckpoint(path, config, { scope: flags.scope })).model;
}

function checkRange(flag: string, values: number[], limit: number, what: string): void {
  const bad = values.findIndex((v) => v >= limit);
  if (bad >= 0) throw new Error(`${flag}: item ${bad + 1} is ${values[bad]}, but ${what} is ${limit}`);
}

export function registerBertCommands(program: Command): void {
  const bert = program.command('bert').description('Run BERT (@realm/bert) on token ids');
  bert
    .command('forward')
    .description('Print sequence_output [T][H] and pooled_output [H] for one sequence (inference, no dropout)')
    .requiredOption('--checkpoint <path>', 'TF checkpoint prefix (e.g. bert_model.ckpt) or a realm-ts model directory')
    .option('--config <file>', 'bert_config.json (required with a TF checkpoint prefix)')
    .requiredOption('--ids <ids>', 'comma-separated token ids, e.g. 101,7592,102', idListFlag('--ids'))
    .option('--type-ids <ids>', 'comma-separated token type (segment) ids; default all 0', idListFlag('--type-ids'))
    .option('--mask <bits>', 'comma-separated input mask (1 attend, 0 padding); default all 1', idListFlag('--mask'))
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(['cpu', 'wasm']).default('cpu'))
    .option('--scope <scope>', 'variable scope when the checkpoint holds several BERTs (e.g. reader/module/)')
    .option('--json', 'print {"sequence_output": [[...]], "pooled_output": [...]} (numbers are the float32 values exactly)')
    .action(async (flags: ForwardFlags) => {
      const T = flags.ids.length;
      for (const [flag, list] of [['--type-ids', flags.typeIds], ['--mask', flags.mask]] as const) {
        if (list && list.length !== T) throw new Error(`${flag} has ${list.length} items but --ids has ${T}`);
      }
      if (flags.mask?.some((m) => m > 1)) throw new Error('--mask items must be 0 or 1');
      await selectBackend(flags.backend);
      const model = await loadModel(flags);
      try {
        checkRange('--ids', flags.ids, model.config.vocab_size, 'vocab_size');
        if (flags.typeIds) checkRange('--type-ids', flags.typeIds, model.config.type_vocab_size, 'type_vocab_size');
        const inputs = {
          inputIds: tf.tensor2d([flags.ids], [1, T], 'int32'),
          inputMask: flags.mask ? tf.tensor2d([flags.mask], [1, T], 'int32') : undefined,
          tokenTypeIds: flags.typeIds ? tf.tensor2d([flags.typeIds], [1, T], 'int32') : undefined,
        };
        const out = bertForward(model, inputs);
        const sequence = (await out.sequenceOutput.array())[0];
        const pooled = out.pooledOutput ? (await out.pooledOutput.array())[0] : null;
        tf.dispose([out.sequenceOutput, out.pooledOutput ?? [], inputs.inputIds, inputs.inputMask ?? [], inputs.tokenTypeIds ?? []]);
        if (flags.json) {
          console.log(JSON.stringify({ sequence_output: sequence, pooled_output: pooled }));
        } else {
          sequence.forEach((row, t) => console.log(`sequence_output[${t}]\t${row.join(' ')}`));
          if (pooled) console.log(`pooled_output\t${pooled.join(' ')}`);
        }
      } finally {
        disposeBertModel(model);
      }
    });
}
