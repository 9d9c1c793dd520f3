import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, test } from 'vitest';
import { fixture } from '@realm/testing';
import { bertForward, disposeBertModel, loadBertFromTfCheckpoint, readBertConfig } from '@realm/bert';
import { runCli } from './run-cli.js';

const keras = fixture('tf_checkpoints/keras_bert_tiny');

describe('realm bert forward', () => {
  test.skipIf(!keras.present)('--json prints exactly the library forward pass (keras_bert_tiny, padding mask, type ids)', async () => {
    const checkpoint = join(keras.path, 'bert_model.ckpt');
    const configPath = join(keras.path, 'bert_config.json');
    const ids = [2, 5, 6, 7, 3, 0];
    const typeIds = [0, 0, 0, 1, 1, 0];
    const mask = [1, 1, 1, 1, 1, 0];
    const result = runCli(['bert', 'forward', '--checkpoint', checkpoint, '--config', configPath, '--ids', ids.join(','), '--type-ids', typeIds.join(','), '--mask', mask.join(','), '--json']);
    expect(result.stderr.replace(/=+\n|Hi, looks like[^\n]*\n/g, '').trim()).toBe('');
    expect(result.status).toBe(0);
    const printed = JSON.parse(result.stdout);

    await tf.setBackend('cpu');
    const { model } = await loadBertFromTfCheckpoint(checkpoint, await readBertConfig(configPath));
    const out = bertForward(model, {
      inputIds: tf.tensor2d([ids], undefined, 'int32'), tokenTypeIds: tf.tensor2d([typeIds], undefined, 'int32'), inputMask: tf.tensor2d([mask], undefined, 'int32'),
    });
    // JSON numbers are the float32 values widened to float64, so the round trip is exact.
    expect(printed).toEqual({ sequence_output: (await out.sequenceOutput.array())[0], pooled_output: (await out.pooledOutput!.array())[0] });
    expect(printed.sequence_output.length).toBe(6);
    disposeBertModel(model);
  });

  test.skipIf(!keras.present)('the wasm backend agrees with cpu to 1e-5', () => {
    const args = ['bert', 'forward', '--checkpoint', join(keras.path, 'bert_model.ckpt'), '--config', join(keras.path, 'bert_config.json'), '--ids', '2,9,10,3', '--json'];
    const cpu = JSON.parse(runCli(args).stdout);
    const wasm = JSON.parse(runCli([...args, '--backend', 'wasm']).stdout);
    const diffs = [...cpu.sequence_output.flat(), ...cpu.pooled_output].map((v: number, i: number) => Math.abs(v - [...wasm.sequence_output.flat(), ...wasm.pooled_output][i]));
    expect(Math.max(...diffs)).toBeLessThan(1e-5);
  });

  test.skipIf(!keras.present)('bad input fails with a clear message', () => {
    const base = ['bert', 'forward', '--checkpoint', join(keras.path, 'bert_model.ckpt'), '--config', join(keras.path, 'bert_config.json')];
    const outOfVocab = runCli([...base, '--ids', '2,55,3']);
    expect(outOfVocab.status).toBe(1);
    expect(outOfVocab.stderr).toContain('realm: --ids: item 2 is 55, but vocab_size is 15');
    const mismatch = runCli([...base, '--ids', '2,5,3', '--mask', '1,1']);
    expect(mismatch.stderr).toContain('realm: --mask has 2 items but --ids has 3');
    const noConfig = runCli(['bert', 'forward', '--checkpoint', join(keras.path, 'bert_model.ckpt'), '--ids', '2']);
    expect(noConfig.stderr).toContain('--config is required with a TF checkpoint prefix');
    const badIds = runCli([...base, '--ids', '2,x']);
    expect(badIds.stderr).toContain("--ids must be comma-separated non-negative integers; item 2 is 'x'.");
  });
});
