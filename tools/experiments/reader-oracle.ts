// Can the REALM reader read the built-in world's documents when retrieval is perfect? Trains
// through the real RealmTrainer with candidates [null, gold document, random others] (no MIPS: the
// gold block is always present) and reports held-out accuracy with the documents against the null
// document alone, plus what the model does per candidate: the mean retrieval probability p(z|x)
// of the null and the gold document, and the reader's accuracy given the gold document alone.
// The gate before any pre-training run can show a retrieval gain.
// Run: npx tsx --conditions=@realm/source tools/experiments/reader-oracle.ts --run DIR [--steps 300]
//        [--start fresh|initial|CHECKPOINT_DIR] [--a.b=value ...]
//   DIR: a `realm pretrain prepare|all --out DIR` directory (its data/ is read; nothing is written there).
//   --start: fresh = random embedder and reader; initial = the run's bootstrap export (ICT embedder,
//   fresh reader), where `pretrain all` starts; or a checkpoint directory to continue from.
import { parseArgs } from 'node:util';
import { selectBackend } from '@realm/backend';
import * as tf from '@tensorflow/tfjs-core';
import { createRealmModel, realmForward, RealmTrainer, restoreRealmTrainer, stepRandomSource } from '@realm/model';
import { loadInitialModel } from '../../apps/pretrain/src/bootstrap.js';
import { maskRecord } from '../../apps/pretrain/src/generator.js';
import { featurizeRealmExample, NULL_CANDIDATE_DOCUMENT, type PretrainRecord, type RealmExample } from '@realm/data';
import { createRng, randomInt, type Rng } from '@realm/tokenizer';
import { buildPretrainConfig } from '../../apps/pretrain/src/config.js';
import { runLayout } from '../../apps/pretrain/src/layout.js';
import { loadPretrainRecords, loadRetrievalCorpus, loadTokenizer } from '../../apps/pretrain/src/corpus.js';

const { values, positionals } = parseArgs({ options: { run: { type: 'string' }, steps: { type: 'string', default: '300' }, every: { type: 'string', default: '50' }, start: { type: 'string', default: 'initial' } }, allowPositionals: true, strict: false });
if (typeof values.run !== 'string') throw new Error('reader-oracle: --run DIR (a pretrain output directory) is required');
const steps = Number(values.steps);
const overrides = [`run.steps=${steps}`, ...positionals.filter((arg) => arg.includes('='))];
await selectBackend({ log: (line) => console.error(line) });
const layout = runLayout(values.run);
const tokenizer = await loadTokenizer(layout);
// The run's own vocab sizes the embedding tables, as the launcher does (BERT's 30522 otherwise).
const config = buildPretrainConfig([...overrides, `model.embedder.vocab_size=${tokenizer.vocab.size}`, `model.reader.vocab_size=${tokenizer.vocab.size}`]);
const special = tokenizer.vocab.specialTokenIds();
const blocks = await loadRetrievalCorpus(layout.retrievalShards);
// World documents are titled by the person; a sentence's gold block is the one with its title.
const blockByTitle = new Map(blocks.map((block, i) => [block.titleIds.join(','), i]));
const train = await loadPretrainRecords(layout.pretrainTrainShards);
const heldout = await loadPretrainRecords(layout.pretrainHeldoutShards);

function oracleExample(record: PretrainRecord, rng: Rng): RealmExample | null {
  const query = maskRecord(record, config, tokenizer, rng);
  if (!query.ok) return null;
  const gold = blockByTitle.get(tokenizer.convertTokensToIds(tokenizer.tokenize(record.title)).join(','));
  if (gold === undefined) throw new Error(`reader-oracle: no block titled "${record.title}" in ${layout.retrievalShards}`);
  const documents = [NULL_CANDIDATE_DOCUMENT, blocks[gold]];
  while (documents.length < config.dims.numCandidates) {
    const other = randomInt(rng, blocks.length);
    if (other !== gold) documents.push(blocks[other]);
  }
  return featurizeRealmExample({ maskedIds: query.maskedIds, mlmPositions: query.mlmPositions, mlmTargets: query.mlmTargets, mlmWeights: query.mlmWeights }, documents, special, config.dims, 0);
}

const rng = createRng(config.run.seed);
async function startTrainer(): Promise<RealmTrainer> {
  if (values.start === 'fresh') return new RealmTrainer(createRealmModel(config.model, stepRandomSource(config.run.seed, 0)), config.train, stepRandomSource(config.run.seed, 2));
  if (values.start === 'initial') return loadInitialModel(layout, config);
  return (await restoreRealmTrainer(String(values.start), { numTrainSteps: steps })).trainer;
}
const trainer = await startTrainer();
const model = trainer.model;

/** Mean p(null|x), p(gold|x) and the reader's accuracy given the gold document alone / the null alone. */
function perCandidate(batch: RealmExample[]): { pNull: number; pGold: number; readerGold: number; readerNull: number } {
  const outputs = realmForward(model, batch, { training: false });
  try {
    const probabilities = tf.tidy(() => tf.softmax(outputs.retrievalScores)).arraySync() as number[][];
    // [B, K, M]: the reader's top token per candidate and mask
    const top = tf.tidy(() => tf.argMax(outputs.mlmLogits, 3)).arraySync() as number[][][];
    let pNull = 0, pGold = 0, gold = 0, nul = 0, masks = 0;
    batch.forEach((example, b) => {
      pNull += probabilities[b][0];
      pGold += probabilities[b][1];
      example.mlmMask.forEach((weight, m) => {
        if (weight === 0) return;
        masks++;
        if (top[b][1][m] === example.mlmTargets[m]) gold++;
        if (top[b][0][m] === example.mlmTargets[m]) nul++;
      });
    });
    return { pNull: pNull / batch.length, pGold: pGold / batch.length, readerGold: gold / masks, readerNull: nul / masks };
  } finally {
    tf.dispose([outputs.queryEmbeddings, outputs.candidateEmbeddings, outputs.retrievalScores, outputs.mlmLogits]);
  }
}
const batchSize = config.train.batchSize;
const heldoutExamples = heldout.slice(0, 10 * batchSize).map((record) => oracleExample(record, rng)).filter((e): e is RealmExample => e !== null);
console.log(`start: ${values.start}`);
console.log('| step | seconds | held-out accuracy with documents | null document | retrieval_utility | p(null\\|x) | p(gold\\|x) | reader acc. given gold | given null |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const start = Date.now();
for (let step = 1; step <= steps; step++) {
  const batch: RealmExample[] = [];
  while (batch.length < batchSize) {
    const example = oracleExample(train[randomInt(rng, train.length)], rng);
    if (example) batch.push(example);
  }
  trainer.step(batch);
  if (step % Number(values.every) === 0 || step === steps) {
    let withDocs = 0, nullDoc = 0, utility = 0, batches = 0;
    const candidates = { pNull: 0, pGold: 0, readerGold: 0, readerNull: 0 };
    for (let i = 0; i + batchSize <= heldoutExamples.length; i += batchSize, batches++) {
      const slice = heldoutExamples.slice(i, i + batchSize);
      const metrics = trainer.evaluate(slice);
      withDocs += metrics.accuracyWithRetrieval;
      nullDoc += metrics.accuracyNullDocument;
      utility += metrics.retrievalUtility;
      const per = perCandidate(slice);
      for (const key of Object.keys(candidates) as Array<keyof typeof candidates>) candidates[key] += per[key];
    }
    const f = (x: number): string => (x / batches).toFixed(3);
    console.log(`| ${step} | ${((Date.now() - start) / 1000).toFixed(0)} | ${f(withDocs)} | ${f(nullDoc)} | ${f(utility)} | ${f(candidates.pNull)} | ${f(candidates.pGold)} | ${f(candidates.readerGold)} | ${f(candidates.readerNull)} |`);
  }
}
