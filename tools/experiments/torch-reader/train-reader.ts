// Reader-only training on the synthetic one-hop task, for comparison with torch_reader.py train:
// the pretrain machine recipe's reader BERT (packages/bert) with packages/model's BERT AdamW and
// linear warmup/decay, loss = MLM cross-entropy at the [MASK] of the gold joint input
// "[CLS] 5 r [MASK] 6 [SEP] body [SEP]" (candidate 1 of reader-copy.ts's examples; no null document).
// Run: npx tsx --conditions=@realm/source tools/experiments/torch-reader/train-reader.ts [--lr 1e-3] [--steps 300] [--seed 1]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendName } from '@realm/backend';
import { bertMaskedLm, createBertModel, disposeBertModel, maskedLmLoss, type BertModel } from '@realm/bert';
import { AdamWeightDecayOptimizer, createLinearWarmupDecay, stepRandomSource } from '@realm/model';
import { createRng } from '@realm/tokenizer';
import { buildPretrainConfig } from '../../../apps/pretrain/src/config.js';
import { copyTaskExample } from './copy-task.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    lr: { type: 'string', default: '1e-3' },
    steps: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '100' },
    batch: { type: 'string', default: '16' },
    vocab: { type: 'string', default: '550' },
    body: { type: 'string', default: '12' },
    types: { type: 'string', default: '4' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    // Emulates Adam's bias correction on top of BERT's update through the rate:
    // lr_t·√(1−β2^(t+1))/(1−β1^(t+1)) (exact but for ε and weight decay, which it also scales).
    'bias-correction': { type: 'boolean', default: false },
  },
});
await selectBackend({ preferred: values.backend as BackendName, log: (line) => console.error(line) });
const steps = Number(values.steps);
const task = { vocab: Number(values.vocab), body: Number(values.body), types: Number(values.types) };
const config = buildPretrainConfig(['dims.numCandidates=2', `model.reader.vocab_size=${task.vocab}`, `model.embedder.vocab_size=${task.vocab}`]);
const seed = Number(values.seed);
const reader: BertModel = createBertModel(config.model.reader, { rng: stepRandomSource(seed, 0), heads: { pooler: false, maskedLm: true } });
const schedule = createLinearWarmupDecay({ learningRate: Number(values.lr), numTrainSteps: steps, numWarmupSteps: Number(values.warmup) });
const biasCorrection = (step: number): number => Math.sqrt(1 - 0.999 ** (step + 1)) / (1 - 0.9 ** (step + 1));
const optimizer = new AdamWeightDecayOptimizer(reader.variables, {
  learningRate: values['bias-correction'] ? (step) => schedule(step) * biasCorrection(step) : schedule,
});
const rng = createRng(seed + 2);
const Q = config.dims.querySeqLen;
const width = 1 + 4 + 1 + task.body + 1; // [CLS] 5 r [MASK] 6 [SEP] body [SEP]
const curve: Array<{ step: number; loss: number; acc: number; rangeNll: number; norm: number; lr: number }> = [];
const perType = Math.floor((task.vocab - 150) / task.types);
const start = Date.now();
for (let s = 0; s < steps; s++) {
  const B = Number(values.batch);
  const ids = new Int32Array(B * width);
  const mask = new Int32Array(B * width);
  const segments = new Int32Array(B * width);
  const targets = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const example = copyTaskExample(task, config.dims, rng);
    // candidate 1 (gold) of the joint inputs [K, Q+C], first `width` columns (the rest is padding)
    const row = Q + config.dims.candidateSeqLen;
    ids.set(example.jointInputs.tokenIds.subarray(row, row + width), b * width);
    mask.set(example.jointInputs.mask.subarray(row, row + width), b * width);
    segments.set(example.jointInputs.segmentIds.subarray(row, row + width), b * width);
    targets[b] = example.mlmTargets[0];
  }
  const inputs = { inputIds: tf.tensor2d(ids, [B, width], 'int32'), inputMask: tf.tensor2d(mask, [B, width], 'int32'), tokenTypeIds: tf.tensor2d(segments, [B, width], 'int32') };
  const positions = tf.fill([B, 1], 3, 'int32') as tf.Tensor2D;
  const labels = tf.tensor2d(targets, [B, 1], 'int32');
  const weights = tf.ones([B, 1]) as tf.Tensor2D;
  let correct = 0;
  let rangeNll = 0;
  const { value, grads } = tf.variableGrads(() => {
    const logits = bertMaskedLm(reader, inputs, positions);
    const predicted = tf.argMax(logits, -1).dataSync();
    predicted.forEach((p, b) => { if (p === targets[b]) correct++; });
    // −log p(answer's type range): ~0 once relation → range is learned, ln(types) before
    const logProbs = tf.logSoftmax(tf.reshape(logits, [B, task.vocab])).dataSync();
    for (let b = 0; b < B; b++) {
      const first = 150 + Math.floor((targets[b] - 150) / perType) * perType;
      let mass = 0;
      for (let id = first; id < first + perType; id++) mass += Math.exp(logProbs[b * task.vocab + id]);
      rangeNll -= Math.log(mass) / B;
    }
    return maskedLmLoss(logits, labels, weights);
  }, [...reader.variables.values()]);
  const engineToName = new Map([...reader.variables].map(([name, v]) => [v.name, name]));
  const named = new Map(Object.entries(grads).map(([engine, g]) => [engineToName.get(engine) as string, g]));
  const update = optimizer.applyGradients(named);
  curve.push({ step: s + 1, loss: value.dataSync()[0], acc: correct / B, rangeNll, norm: update.globalNorm, lr: update.learningRate });
  tf.dispose([value, ...Object.values(grads), inputs.inputIds, inputs.inputMask, inputs.tokenTypeIds, positions, labels, weights]);
}
const at = (n: number): string => {
  const window = curve.slice(Math.max(0, n - 10), n);
  const mean = (pick: (c: (typeof curve)[number]) => number): number => window.reduce((a, c) => a + pick(c), 0) / window.length;
  return `@${n} loss ${mean((c) => c.loss).toFixed(3)} acc ${mean((c) => c.acc).toFixed(2)} rangeNLL ${mean((c) => c.rangeNll).toFixed(2)}`;
};
console.log(`tfjs bert${values['bias-correction'] ? '+bias-correction' : ''} lr ${values.lr} seed ${seed} V${task.vocab} T${task.types} body${task.body}: ${[...new Set([50, 100, 200, 300, 500, 1000, steps])].filter((n) => n <= steps).map(at).join('  ')}  (${((Date.now() - start) / 1000).toFixed(0)} s)`);
if (values.out) writeFileSync(values.out, JSON.stringify({ args: values, curve }));
optimizer.dispose();
disposeBertModel(reader);
