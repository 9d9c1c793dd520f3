// Dumps one training step of the REALM reader for an independent PyTorch gradient check: the
// reader's initial weights, one synthetic reader-copy batch (types 4, vocab 550, body 12), the
// retrieval log-probs, and tfjs's loss and reader gradients from RealmTrainer.computeGradients.
// Run: npx tsx --conditions=@realm/source tools/experiments/torch-reader/dump-batch.ts [--backend wasm|cpu] [--stock-kernels] [--train-steps N] [--out FILE-STEM]
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendName } from '@realm/backend';
import { encodeSafetensors } from '@realm/bert';
import { createRealmModel, disposeRealmModel, RealmTrainer, stackRealmBatch, stepRandomSource } from '@realm/model';
import { createRng } from '@realm/tokenizer';
import { buildPretrainConfig } from '../../../apps/pretrain/src/config.js';
import { copyTaskExample, COPY_TASK_SPECIAL_IDS } from './copy-task.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    'stock-kernels': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench-results/torch-reader/batch' },
    vocab: { type: 'string', default: '550' },
    body: { type: 'string', default: '12' },
    types: { type: 'string', default: '4' },
    // Train this many RealmTrainer steps first, so the check also covers non-initial weights
    // (peaked attention, grown embeddings) and not only the near-uniform attention of step 0.
    'train-steps': { type: 'string', default: '0' },
  },
});
await selectBackend({ preferred: values.backend as BackendName, realmKernels: !values['stock-kernels'], log: (line) => console.error(line) });
const task = { vocab: Number(values.vocab), body: Number(values.body), types: Number(values.types) };
const config = buildPretrainConfig(['dims.numCandidates=2', `model.reader.vocab_size=${task.vocab}`, `model.embedder.vocab_size=${task.vocab}`, 'run.steps=300', 'train.learningRate=1e-3', 'train.numWarmupSteps=100']);
const model = createRealmModel(config.model, stepRandomSource(1, 0));
const trainer = new RealmTrainer(model, config.train, stepRandomSource(1, 2));
const rng = createRng(3);
for (let s = 0; s < Number(values['train-steps']); s++) trainer.step(Array.from({ length: 16 }, () => copyTaskExample(task, config.dims, rng)));
const batch = Array.from({ length: 16 }, () => copyTaskExample(task, config.dims, rng));
const inputs = stackRealmBatch(batch, config.model);
const { loss, gradients, kept } = trainer.computeGradients(inputs, stepRandomSource(9, 0)); // no dropout in this recipe: the stream is unused

const tensors: Array<[string, { shape: number[]; values: Float32Array }]> = [];
const put = (name: string, t: tf.Tensor): void => { tensors.push([name, { shape: t.shape, values: Float32Array.from(t.dataSync()) }]); };
for (const [name, variable] of model.reader.variables) put(`weight/${name}`, variable);
for (const [name, gradient] of gradients) if (name.startsWith('reader/')) put(`grad/${name.slice('reader/'.length)}`, gradient);
put('input/joint_ids', inputs.jointInputs.inputIds);
put('input/joint_mask', inputs.jointInputs.inputMask!);
put('input/joint_segments', inputs.jointInputs.tokenTypeIds!);
put('input/mlm_positions', inputs.mlmPositions);
put('input/mlm_targets', inputs.mlmTargets);
put('input/mlm_mask', inputs.mlmMask);
put('input/candidate_log_probs', kept.candidateLogProbs);
put('output/loss', loss);
put('output/gold_log_probs', kept.goldLogProbs);
mkdirSync(values.out.replace(/\/[^/]*$/, ''), { recursive: true });
writeFileSync(`${values.out}.safetensors`, encodeSafetensors(tensors, { reader_config: JSON.stringify(config.model.reader), special: JSON.stringify(COPY_TASK_SPECIAL_IDS), backend: values.backend, stock_kernels: String(values['stock-kernels']), train_steps: String(values['train-steps']) }));
console.log(`loss ${loss.dataSync()[0]} → ${values.out}.safetensors (${tensors.length} tensors)`);
tf.dispose([loss, ...gradients.values(), ...Object.values(kept)]);
trainer.dispose();
disposeRealmModel(model);
