// Can the REALM reader learn to read its document? A synthetic one-hop task run through the real
// RealmTrainer (BERT's AdamW, the pretrain machine recipe's reader): the query is
// "[CLS] r [MASK] [SEP]", the gold candidate's body holds 12 filler tokens (ids 20..149) and one
// answer token (ids 150..V-1), the target is that answer; candidate 0 is the null document.
// Predicting the answer range alone gives loss ln(V-150); reading gives retrieval_utility > 0.
// Run: npx tsx --conditions=@realm/source tools/experiments/reader-copy.ts [--steps 300] [--lr 5e-4,2e-3]
import { writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { selectBackend } from '@realm/backend';
import { createRealmModel, disposeRealmModel, RealmTrainer, stepRandomSource } from '@realm/model';
import { createRng } from '@realm/tokenizer';
import { buildPretrainConfig } from '../../apps/pretrain/src/config.js';
import { copyTaskExample } from './torch-reader/copy-task.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '300' }, lr: { type: 'string', default: '1e-4,2.5e-4,5e-4,1e-3,2e-3' }, out: { type: 'string', default: 'bench-results/reader-copy.json' }, vocab: { type: 'string', default: '300' }, body: { type: 'string', default: '12' }, types: { type: 'string', default: '1' }, overrides: { type: 'string', default: '' } } });
const steps = Number(values.steps);
// Answers are ids 150..V-1: V = 300 gives each answer ~30 occurrences in 300 steps of 16, a large
// V makes every answer a rare token (as the world's names and years are under a whole-word vocab).
const V = Number(values.vocab);
await selectBackend({ log: (line) => console.error(line), preferred: process.env.REALM_EXPERIMENT_BACKEND as never });

// --types T splits the answer range into T types; the body then holds one answer of every type
// at distinct places and the relation token (10 + type) says which one is asked, as a world
// document holds a year, a city, an occupation and an employer. --body sets the body length.
const task = { vocab: V, body: Number(values.body), types: Number(values.types) };
const perType = Math.floor((V - 150) / task.types);

const rows: Array<{ learningRate: number; steps: number; loss: number; retrievalUtility: number; accuracy: number; seconds: number }> = [];
for (const learningRate of values.lr.split(',').map(Number)) {
  const config = buildPretrainConfig([...values.overrides.split(' ').filter((o) => o !== ''), 'dims.numCandidates=2', `model.reader.vocab_size=${V}`, `model.embedder.vocab_size=${V}`, `run.steps=${steps}`, `train.learningRate=${learningRate}`]);
  const model = createRealmModel(config.model, stepRandomSource(1, 0));
  const trainer = new RealmTrainer(model, config.train, stepRandomSource(1, 2));
  const rng = createRng(3);
  const start = Date.now();
  const tail: Array<{ loss: number; retrievalUtility: number; accuracyWithRetrieval: number }> = [];
  for (let s = 0; s < steps; s++) {
    const metrics = trainer.step(Array.from({ length: 16 }, () => copyTaskExample(task, config.dims, rng)));
    if (s >= steps - 20) tail.push(metrics);
  }
  const mean = (pick: (m: (typeof tail)[number]) => number): number => tail.reduce((a, m) => a + pick(m), 0) / tail.length;
  rows.push({ learningRate, steps, loss: mean((m) => m.loss), retrievalUtility: mean((m) => m.retrievalUtility), accuracy: mean((m) => m.accuracyWithRetrieval), seconds: (Date.now() - start) / 1000 });
  trainer.dispose();
  disposeRealmModel(model);
}
console.log(`| reader lr | steps | loss (last 20) | retrieval_utility | accuracy | seconds |\n|---:|---:|---:|---:|---:|---:|`);
for (const r of rows) console.log(`| ${r.learningRate} | ${r.steps} | ${r.loss.toFixed(3)} | ${r.retrievalUtility.toFixed(3)} | ${r.accuracy.toFixed(2)} | ${r.seconds.toFixed(0)} |`);
console.log(`(answer range only: loss ln(${perType}) = ${Math.log(perType).toFixed(3)}; body ${task.body}, types ${task.types})`);
mkdirSync('bench-results', { recursive: true });
writeFileSync(values.out, JSON.stringify({ task: 'one-hop copy', vocab: V, rows }, null, 2));
