// Where one REALM training step of the pretrain machine recipe spends its time: steps/s at batch
// sizes 16 and 32, and the kernel breakdown of one step (tf.profile).
// Run: npx tsx --conditions=@realm/source tools/experiments/step-profile.ts [--vocab 1356] [--threads 1] [--batches 16,32] [a.b=value ...]
import { parseArgs } from 'node:util';
import { selectBackend } from '@realm/backend';
import { createRealmModel, RealmTrainer, stepRandomSource } from '@realm/model';
import { createRng } from '@realm/tokenizer';
import { buildPretrainConfig } from '../../apps/pretrain/src/config.js';
import { profileKernels } from '../bench/encoder/workload.js';
import { copyTaskExample } from './torch-reader/copy-task.js';

const { values, positionals } = parseArgs({ options: { vocab: { type: 'string', default: '1356' }, steps: { type: 'string', default: '12' }, threads: { type: 'string', default: '1' }, batches: { type: 'string', default: '16,32' } }, allowPositionals: true });
await selectBackend({ wasmThreads: Number(values.threads), log: (line) => console.error(line) });
const vocab = Number(values.vocab);
for (const batchSize of values.batches.split(',').map(Number)) {
  const config = buildPretrainConfig([`model.reader.vocab_size=${vocab}`, `model.embedder.vocab_size=${vocab}`, `train.batchSize=${batchSize}`, ...positionals]);
  const trainer = new RealmTrainer(createRealmModel(config.model, stepRandomSource(1, 0)), config.train, stepRandomSource(1, 2));
  const rng = createRng(3);
  // The copy task's body fills the document with 60 tokens, the recipe's document length.
  const task = { vocab, body: config.dims.candidateSeqLen - 4, types: 4 };
  const batch = (): ReturnType<typeof copyTaskExample>[] => Array.from({ length: batchSize }, () => copyTaskExample(task, config.dims, rng));
  for (let i = 0; i < 3; i++) trainer.step(batch());
  const steps = Number(values.steps);
  const start = performance.now();
  for (let i = 0; i < steps; i++) trainer.step(batch());
  const seconds = (performance.now() - start) / 1000 / steps;
  console.log(`batch ${batchSize}: ${seconds.toFixed(3)} s/step, ${(batchSize / seconds).toFixed(1)} examples/s`);
  const examples = batch();
  const profile = await profileKernels(async () => { trainer.step(examples); }, 12);
  console.log(`  profiled step: wall ${profile.wallMs} ms, kernels ${profile.totalMs} ms`);
  for (const k of profile.kernels) console.log(`  ${k.kernel.padEnd(24)} ${String(k.ms).padStart(8)} ms ${String(k.calls).padStart(5)} calls ${(k.share * 100).toFixed(1)}%`);
}
