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
import { featurizeRealmExample, NULL_CANDIDATE_DOCUMENT, type RealmExample } from '@realm/data';
import { createRng, randomInt, type Rng } from '@realm/tokenizer';
import { buildPretrainConfig } from '../../apps/pretrain/src/config.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '300' }, lr: { type: 'string', default: '1e-4,2.5e-4,5e-4,1e-3,2e-3' }, out: { type: 'string', default: 'bench-results/reader-copy.json' } } });
const steps = Number(values.steps);
const V = 300;
await selectBackend({ log: (line) => console.error(line) });
const special = { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 } as never;

function example(config: ReturnType<typeof buildPretrainConfig>, rng: Rng): RealmExample {
  const relation = 10 + randomInt(rng, 5);
  const answer = 150 + randomInt(rng, V - 150);
  const body = Array.from({ length: 12 }, () => 20 + randomInt(rng, 130));
  body[1 + randomInt(rng, 10)] = answer;
  return featurizeRealmExample(
    { maskedIds: [5, relation, 4, 6], mlmPositions: [3], mlmTargets: [answer], mlmWeights: [1] },
    [NULL_CANDIDATE_DOCUMENT, { titleIds: [7], bodyIds: body }] as never,
    special,
    config.dims,
    0,
  );
}

const rows: Array<{ learningRate: number; steps: number; loss: number; retrievalUtility: number; accuracy: number; seconds: number }> = [];
for (const learningRate of values.lr.split(',').map(Number)) {
  const config = buildPretrainConfig(['dims.numCandidates=2', `model.reader.vocab_size=${V}`, `model.embedder.vocab_size=${V}`, `run.steps=${steps}`, `train.learningRate=${learningRate}`]);
  const model = createRealmModel(config.model, stepRandomSource(1, 0));
  const trainer = new RealmTrainer(model, config.train, stepRandomSource(1, 2));
  const rng = createRng(3);
  const start = Date.now();
  const tail: Array<{ loss: number; retrievalUtility: number; accuracyWithRetrieval: number }> = [];
  for (let s = 0; s < steps; s++) {
    const metrics = trainer.step(Array.from({ length: 16 }, () => example(config, rng)));
    if (s >= steps - 20) tail.push(metrics);
  }
  const mean = (pick: (m: (typeof tail)[number]) => number): number => tail.reduce((a, m) => a + pick(m), 0) / tail.length;
  rows.push({ learningRate, steps, loss: mean((m) => m.loss), retrievalUtility: mean((m) => m.retrievalUtility), accuracy: mean((m) => m.accuracyWithRetrieval), seconds: (Date.now() - start) / 1000 });
  trainer.dispose();
  disposeRealmModel(model);
}
console.log(`| reader lr | steps | loss (last 20) | retrieval_utility | accuracy | seconds |\n|---:|---:|---:|---:|---:|---:|`);
for (const r of rows) console.log(`| ${r.learningRate} | ${r.steps} | ${r.loss.toFixed(3)} | ${r.retrievalUtility.toFixed(3)} | ${r.accuracy.toFixed(2)} | ${r.seconds.toFixed(0)} |`);
console.log(`(answer range only: loss ln(${V - 150}) = ${Math.log(V - 150).toFixed(3)})`);
mkdirSync('bench-results', { recursive: true });
writeFileSync(values.out, JSON.stringify({ task: 'one-hop copy', vocab: V, rows }, null, 2));
