// The benchmark workload: a @realm/bert masked-LM model on random inputs, one forward pass or one
// Adam training step (MLM loss, dropout on), timed per backend; plus a per-kernel profile of a step.
import * as tf from '@tensorflow/tfjs-core';
import { BertConfigSchema, bertForward, bertMaskedLm, createBertModel, disposeBertModel, maskedLmLoss, trainableVariables, type BertModel } from '@realm/bert';
import { createRng, type Rng } from '@realm/tokenizer';

/** One benchmark configuration (the same JSON is handed to torch_encoder.py). */
export interface EncoderConfig {
  name: string;
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  ffn: number;
  seq: number;
  batch: number;
  /** Masked positions per sequence for the MLM loss (~15% of seq, as BERT). */
  masked: number;
  train: boolean;
}

export interface Throughput {
  steps: number;
  seconds: number;
  tokensPerSecond: number;
}

export interface Workload {
  model: BertModel;
  forward(): Promise<void>;
  trainStep(): Promise<void>;
  dispose(): void;
}

function randomInts(rng: Rng, count: number, limit: number): Int32Array {
  const values = new Int32Array(count);
  for (let i = 0; i < count; i++) values[i] = Math.floor(rng.next() * limit);
  return values;
}

/** Builds the model and inputs on the active backend. */
export function createWorkload(config: EncoderConfig, seed = 1): Workload {
  const rng = createRng(seed);
  const bertConfig = BertConfigSchema.parse({
    vocab_size: config.vocab, hidden_size: config.hidden, num_hidden_layers: config.layers,
    num_attention_heads: config.heads, intermediate_size: config.ffn,
  });
  const model = createBertModel(bertConfig, { rng, heads: { pooler: false, maskedLm: true } });
  const { batch: B, seq: T, masked: M } = config;
  const inputIds = tf.tensor2d(randomInts(rng, B * T, config.vocab), [B, T], 'int32');
  const inputMask = tf.ones([B, T], 'int32') as tf.Tensor2D;
  // Distinct masked positions per sequence: the first M of a shuffled 0..T-1.
  const positionValues = new Int32Array(B * M);
  for (let b = 0; b < B; b++) {
    const order = Array.from({ length: T }, (_, i) => i);
    for (let i = T - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    positionValues.set(order.slice(0, M), b * M);
  }
  const positions = tf.tensor2d(positionValues, [B, M], 'int32');
  const labels = tf.tensor2d(randomInts(rng, B * M, config.vocab), [B, M], 'int32');
  const weights = tf.ones([B, M]) as tf.Tensor2D;
  const optimizer = tf.train.adam(1e-4);
  const variables = trainableVariables(model);
  return {
    model,
    async forward(): Promise<void> {
      const { sequenceOutput } = bertForward(model, { inputIds, inputMask });
      await sequenceOutput.data();
      sequenceOutput.dispose();
    },
    async trainStep(): Promise<void> {
      const loss = optimizer.minimize(() => {
        const logits = bertMaskedLm(model, { inputIds, inputMask }, positions, { training: true, rng });
        return maskedLmLoss(logits, labels, weights);
      }, true, variables);
      if (!loss) throw new Error('optimizer.minimize returned no loss');
      const value = (await loss.data())[0];
      loss.dispose();
      if (!Number.isFinite(value)) throw new Error(`training loss is ${value}`);
    },
    dispose(): void {
      optimizer.dispose();
      disposeBertModel(model);
      tf.dispose([inputIds, inputMask, positions, labels, weights]);
    },
  };
}

/** Runs `step` (after one warm-up call unless `warmUp` is false) until `minSeconds` have passed or `maxSteps` steps ran. */
export async function timeSteps(step: () => Promise<void>, tokensPerStep: number, minSeconds: number, maxSteps: number, warmUp = true): Promise<Throughput> {
  if (warmUp) await step();
  const start = performance.now();
  let steps = 0;
  while (steps < maxSteps && (steps === 0 || performance.now() - start < minSeconds * 1000)) {
    await step();
    steps++;
  }
  const seconds = (performance.now() - start) / 1000;
  return { steps, seconds, tokensPerSecond: (steps * tokensPerStep) / seconds };
}

export interface KernelTime {
  kernel: string;
  ms: number;
  calls: number;
  share: number;
}

/** Per-kernel time of one call of `step` (tf.profile), largest first, top `limit`. */
export async function profileKernels(step: () => Promise<void>, limit = 10): Promise<{ wallMs: number; totalMs: number; kernels: KernelTime[] }> {
  const start = performance.now();
  const info = await tf.profile(async () => {
    await step();
  });
  const wallMs = Math.round(performance.now() - start);
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const kernel of info.kernels) {
    const ms = await kernel.kernelTimeMs;
    const entry = byName.get(kernel.name) ?? { ms: 0, calls: 0 };
    entry.ms += typeof ms === 'number' ? ms : 0;
    entry.calls++;
    byName.set(kernel.name, entry);
  }
  const totalMs = [...byName.values()].reduce((sum, k) => sum + k.ms, 0);
  const kernels = [...byName.entries()]
    .map(([kernel, { ms, calls }]) => ({ kernel, ms: Math.round(ms * 10) / 10, calls, share: Math.round((ms / totalMs) * 1000) / 1000 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, limit);
  return { wallMs, totalMs: Math.round(totalMs), kernels };
}
