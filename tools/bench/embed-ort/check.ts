// Correctness of the ONNX export: ORT's `projected` output against @realm/bert's embedProjected on
// the active tfjs backend, for a random small config and BERT-Tiny, on padded random documents.
import * as tf from '@tensorflow/tfjs-core';
import { BERT_PRESETS, BertConfigSchema, createBertModel, disposeBertModel, nextOpSeed, type BertConfig, type BertModel, type HiddenActivation } from '@realm/bert';
import type { Rng } from '@realm/tokenizer';
import { exportOnnxEmbedder } from './export-onnx.js';
import { OrtEmbedder } from './ort-embedder.js';
import { embedWithTfjs, maxAbsDiff, randomDocuments } from './workload.js';

/** The check passes when every output differs from tfjs by at most this much. */
export const MAX_ABS_DIFF_TOLERANCE = 1e-4;

export interface CheckResult {
  name: string;
  config: BertConfig;
  projectionSize: number;
  batch: number;
  seqLen: number;
  maxAbsDiff: number;
  /** Largest |output| (the scale the difference is measured against). */
  maxAbsOutput: number;
  passed: boolean;
}

/** A random small config: every size drawn from `rng`, heads ≥ 2 so the head split is exercised. */
export function randomTinyConfig(rng: Rng): BertConfig {
  const draw = (low: number, high: number): number => low + Math.floor(rng.next() * (high - low + 1));
  const activations: HiddenActivation[] = ['gelu', 'gelu_tanh', 'relu'];
  const heads = draw(2, 4);
  return BertConfigSchema.parse({
    vocab_size: draw(40, 200),
    hidden_size: heads * draw(3, 12),
    num_hidden_layers: draw(1, 3),
    num_attention_heads: heads,
    intermediate_size: draw(8, 64),
    hidden_act: activations[draw(0, activations.length - 1)],
    max_position_embeddings: 64,
    type_vocab_size: draw(2, 3),
  });
}

/**
 * Adds N(0, 0.1²) noise to every variable, so biases, LayerNorm β and γ ≠ 1 all matter (fresh
 * models have zero biases and unit gammas, which would hide swapped or dropped parameters).
 */
function perturb(model: BertModel, rng: Rng): void {
  for (const variable of model.variables.values()) {
    tf.tidy(() => variable.assign(tf.add(variable, tf.randomNormal(variable.shape, 0, 0.1, 'float32', nextOpSeed(rng)))));
  }
}

async function compare(name: string, model: BertModel, rng: Rng, batch: number, seqLen: number): Promise<CheckResult> {
  const inputs = randomDocuments(rng, batch, seqLen, model.config.vocab_size);
  const expected = embedWithTfjs(model, inputs, batch, seqLen);
  const ort = await OrtEmbedder.create(exportOnnxEmbedder(model).bytes, 1);
  let actual: Float32Array;
  try {
    actual = await ort.embed(inputs, batch, seqLen);
  } finally {
    await ort.release();
  }
  const diff = maxAbsDiff(expected, actual);
  const maxAbsOutput = expected.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  return { name, config: model.config, projectionSize: model.heads.projection!.size, batch, seqLen, maxAbsDiff: diff, maxAbsOutput, passed: diff <= MAX_ABS_DIFF_TOLERANCE };
}

/** Runs every comparison on the active tfjs backend; results in order (the caller decides on failure). */
export async function checkOrtMatchesTfjs(rng: Rng): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const cases: Array<{ name: string; config: BertConfig; projection: number; shapes: Array<[number, number]> }> = [
    { name: 'random tiny', config: randomTinyConfig(rng), projection: 8 + Math.floor(rng.next() * 25), shapes: [[5, 24], [3, 64]] },
    { name: 'BERT-Tiny L2-H128', config: BERT_PRESETS.tiny, projection: 128, shapes: [[4, 64], [2, 288]] },
  ];
  for (const c of cases) {
    const model = createBertModel(c.config, { rng, heads: { maskedLm: false, projection: { size: c.projection } } });
    try {
      perturb(model, rng);
      for (const [batch, seqLen] of c.shapes) results.push(await compare(c.name, model, rng, batch, seqLen));
    } finally {
      disposeBertModel(model);
    }
  }
  return results;
}
