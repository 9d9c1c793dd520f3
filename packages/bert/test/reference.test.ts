// Parity with an independent numpy re-statement of google-research/bert's forward pass
// (tools/reference/bert_forward.py): real keras-bert weights, the same weights scaled ×30 (so
// attention, masking and the GELU form matter), and a random model with several dims per head.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, test } from 'vitest';
import { createRng } from '@realm/tokenizer';
import { fixture } from '@realm/testing';
import {
  BERT_PRESETS, BertConfigSchema, bertForward, createBertModel, disposeBertModel, loadBertFromTfCheckpoint, readBertConfig,
  type BertModel,
} from '../src/index.js';
import { maxAbsDiff, numpyForward, pythonWithNumpy, transformModel, useBackend, type ReferenceInputs } from './helpers.js';

const keras = fixture('tf_checkpoints/keras_bert_tiny');
const python = pythonWithNumpy();
const TOLERANCE = 1e-5;

// Two sequences; the second has padding at positions 5–6 and a masked-out position 3 (mask 0 in the
// middle, which BERT treats exactly like padding), so the mask must reach every layer.
const INPUTS: ReferenceInputs = {
  inputIds: [[2, 5, 6, 7, 8, 9, 3], [2, 10, 11, 12, 13, 0, 0]],
  inputMask: [[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 1, 0, 0]],
  tokenTypeIds: [[0, 0, 0, 1, 1, 1, 1], [0, 1, 0, 1, 0, 0, 0]],
};

/** Every kernel, bias and embedding table ×30; LayerNorm gamma/beta untouched. */
const scaled30 = (name: string, values: Float32Array): Float32Array =>
  /(kernel|bias|_embeddings)$/.test(name) ? values.map((v) => Math.fround(v * 30)) : values;

async function compare(model: BertModel, label: string): Promise<{ sequence: number; pooled: number }> {
  const reference = await numpyForward(model, INPUTS);
  const out = bertForward(model, {
    inputIds: tf.tensor2d(INPUTS.inputIds, undefined, 'int32'),
    inputMask: tf.tensor2d(INPUTS.inputMask, undefined, 'int32'),
    tokenTypeIds: tf.tensor2d(INPUTS.tokenTypeIds, undefined, 'int32'),
  });
  const sequence = maxAbsDiff(await out.sequenceOutput.array(), reference.sequence_output);
  const pooled = maxAbsDiff(await out.pooledOutput!.array(), reference.pooled_output);
  tf.dispose([out.sequenceOutput, out.pooledOutput!]);
  console.log(`[${tf.getBackend()}] ${label}: max |Δ| sequence_output ${sequence.toExponential(2)}, pooled_output ${pooled.toExponential(2)}`);
  return { sequence, pooled };
}

describe.each(['cpu', 'wasm'] as const)('numpy reference on %s', (backend) => {
  const models: BertModel[] = [];
  afterAll(() => models.forEach(disposeBertModel));

  test.skipIf(!keras.present || !python.ok)(`keras_bert_tiny: real weights, ×30 with erf and tanh GELU (${!keras.present ? keras.reason : python.reason})`, async () => {
    if (!(await useBackend(backend))) return console.warn(`tfjs backend ${backend} unavailable; skipped`);
    const config = await readBertConfig(`${keras.path}/bert_config.json`);
    const { model } = await loadBertFromTfCheckpoint(`${keras.path}/bert_model.ckpt`, config);
    models.push(model);
    const real = await compare(model, 'keras_bert_tiny real weights');
    expect(real.sequence).toBeLessThan(TOLERANCE);
    expect(real.pooled).toBeLessThan(TOLERANCE);
    for (const hidden_act of ['gelu', 'gelu_tanh'] as const) {
      const big = await transformModel(model, scaled30, BertConfigSchema.parse({ ...config, hidden_act }));
      models.push(big);
      const diff = await compare(big, `keras_bert_tiny ×30, ${hidden_act}`);
      expect(diff.sequence).toBeLessThan(TOLERANCE);
      expect(diff.pooled).toBeLessThan(TOLERANCE);
    }
  });

  test.skipIf(!python.ok)(`random 'test'-preset model ×30: 8 dims per head (${python.reason})`, async () => {
    if (!(await useBackend(backend))) return console.warn(`tfjs backend ${backend} unavailable; skipped`);
    const random = createBertModel(BERT_PRESETS.test, { rng: createRng(7), heads: { maskedLm: false } });
    models.push(random);
    const big = await transformModel(random, scaled30);
    models.push(big);
    const diff = await compare(big, "random 'test' preset ×30");
    expect(diff.sequence).toBeLessThan(TOLERANCE);
    expect(diff.pooled).toBeLessThan(TOLERANCE);
  });

  test.skipIf(!python.ok || !keras.present)('the comparison detects a wrong GELU form (the test can fail)', async () => {
    if (!(await useBackend(backend))) return;
    const config = await readBertConfig(`${keras.path}/bert_config.json`);
    const { model } = await loadBertFromTfCheckpoint(`${keras.path}/bert_model.ckpt`, config);
    const erfModel = await transformModel(model, scaled30);
    // The numpy side runs tanh-GELU while TS runs erf-GELU on identical weights.
    const tanhConfig = BertConfigSchema.parse({ ...config, hidden_act: 'gelu_tanh' });
    const reference = await numpyForward({ ...erfModel, config: tanhConfig }, INPUTS);
    const out = bertForward(erfModel, { inputIds: tf.tensor2d(INPUTS.inputIds, undefined, 'int32'), inputMask: tf.tensor2d(INPUTS.inputMask, undefined, 'int32'), tokenTypeIds: tf.tensor2d(INPUTS.tokenTypeIds, undefined, 'int32') });
    expect(maxAbsDiff(await out.sequenceOutput.array(), reference.sequence_output)).toBeGreaterThan(50 * TOLERANCE);
    tf.dispose([out.sequenceOutput, out.pooledOutput!]);
    disposeBertModel(model);
    disposeBertModel(erfModel);
  });
});
