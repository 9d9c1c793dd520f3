// Can the REALM reader read the built-in world's documents when retrieval is perfect? Trains
// through the real RealmTrainer with candidates [null, gold document, random others] (no MIPS: the
// gold block is always present) and reports held-out accuracy with the documents against the null
// document alone, plus what the model does per candidate: the mean retrieval probability p(z|x)
// of the null and the gold document, and the reader's accuracy given the gold document alone.
// The gate before any pre-training run can show a retrieval gain.
// Run: npx tsx --conditions=@realm/source tools/experiments/reader-oracle.ts --run DIR [--steps 300]
//        [--start fresh|initial|ict|CHECKPOINT_DIR] [--gold-rate P] [--mlm-steps N] [--a.b=value ...]
//   DIR: a `realm pretrain prepare|all --out DIR` directory (its data/ is read; nothing is written there).
//   --start: fresh = random embedder and reader; initial = the run's bootstrap export (ICT embedder and
//   its reader), where `pretrain all` starts; ict = the ICT embedder with a fresh reader of the
//   configured size; or a checkpoint directory to continue from.
import { parseArgs } from 'node:util';
import { selectBackend } from '@realm/backend';
import * as tf from '@tensorflow/tfjs-core';
import { createRealmModel, trainReaderMlm, loadRealmExport, realmForward, RealmTrainer, restoreRealmTrainer, stepRandomSource } from '@realm/model';
import { join } from 'node:path';
import { initialExportDir, loadIctBlocks, loadInitialModel } from '../../apps/pretrain/src/bootstrap.js';
import { maskRecord } from '../../apps/pretrain/src/generator.js';
import { embedCorpus, embedPacked, loadExportEmbedders, type ExportEmbedders } from '../../apps/pretrain/src/embedder-io.js';
import { ExactMipsIndex } from '@realm/mips';
import { featurizeRealmExample, NULL_CANDIDATE_DOCUMENT, type PretrainRecord, type RealmExample } from '@realm/data';
import { createRng, packQuery, randomInt, type Rng } from '@realm/tokenizer';
import { buildPretrainConfig } from '../../apps/pretrain/src/config.js';
import { runLayout } from '../../apps/pretrain/src/layout.js';
import { loadPretrainRecords, loadRetrievalCorpus, loadTokenizer } from '../../apps/pretrain/src/corpus.js';

const { values, positionals } = parseArgs({ options: { run: { type: 'string' }, steps: { type: 'string', default: '300' }, every: { type: 'string', default: '50' }, start: { type: 'string', default: 'initial' }, candidates: { type: 'string', default: 'oracle' }, 'gold-rate': { type: 'string', default: '1' }, 'mlm-steps': { type: 'string', default: '0' } }, allowPositionals: true, strict: false });
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

// --candidates mips: the initial export's retriever over the whole corpus, frozen (the pipeline
// without refreshes); candidates are ∅ + the top K − 1 blocks, the gold block only if retrieved.
const retriever = values.candidates === 'mips' ? await frozenRetriever() : null;
async function frozenRetriever(): Promise<{ embedders: ExportEmbedders; index: ExactMipsIndex }> {
  const embedders = await loadExportEmbedders(initialExportDir(layout));
  const vectors = await embedCorpus(embedders.documentEmbedder, blocks, special, { seqLen: config.dims.candidateSeqLen, batchSize: 64 });
  const index = new ExactMipsIndex(vectors.length / blocks.length, { threads: 1 });
  index.add(vectors);
  return { embedders, index };
}

/** A featurized example and where its gold block sits among the candidates (−1: not retrieved). */
interface OracleExample {
  example: RealmExample;
  goldIndex: number;
}

async function oracleExample(record: PretrainRecord, rng: Rng): Promise<OracleExample | null> {
  const query = maskRecord(record, config, tokenizer, rng);
  if (!query.ok) return null;
  const gold = blockByTitle.get(tokenizer.convertTokensToIds(tokenizer.tokenize(record.title)).join(','));
  if (gold === undefined) throw new Error(`reader-oracle: no block titled "${record.title}" in ${layout.retrievalShards}`);
  const documents = [NULL_CANDIDATE_DOCUMENT];
  let goldIndex = 1;
  if (retriever) {
    const packed = packQuery(query.maskedIds, special, config.dims.querySeqLen);
    const vector = await embedPacked(retriever.embedders.queryEmbedder, [{ tokenIds: packed.tokenIds, mask: packed.inputMask, segmentIds: packed.segmentIds }], config.dims.querySeqLen);
    const found = await retriever.index.search(vector, config.dims.numCandidates - 1);
    found.ids.forEach((id) => documents.push(blocks[id]));
    goldIndex = Array.from(found.ids).indexOf(gold);
    if (goldIndex >= 0) goldIndex += 1;
  } else if (rng.next() >= Number(values['gold-rate'])) {
    // --gold-rate p: a random wrong block in the gold's place for a share 1 − p of the queries
    // (what a retriever whose top block is right for p of them gives at k = 2).
    goldIndex = -1;
    while (documents.length < config.dims.numCandidates) {
      const other = randomInt(rng, blocks.length);
      if (other !== gold) documents.push(blocks[other]);
    }
  } else {
    documents.push(blocks[gold]);
    while (documents.length < config.dims.numCandidates) {
      const other = randomInt(rng, blocks.length);
      if (other !== gold) documents.push(blocks[other]);
    }
  }
  const example = featurizeRealmExample({ maskedIds: query.maskedIds, mlmPositions: query.mlmPositions, mlmTargets: query.mlmTargets, mlmWeights: query.mlmWeights }, documents, special, config.dims, 0);
  return { example, goldIndex };
}

const rng = createRng(config.run.seed);
async function startTrainer(): Promise<RealmTrainer> {
  if (values.start === 'fresh') return new RealmTrainer(createRealmModel(config.model, stepRandomSource(config.run.seed, 0)), config.train, stepRandomSource(config.run.seed, 2));
  if (values.start === 'initial') return loadInitialModel(layout, config);
  if (values.start === 'ict') {
    // The run's ICT embedder with a fresh reader of this config's size (reader experiments).
    const { embedder } = await loadRealmExport(initialExportDir(layout));
    return new RealmTrainer(createRealmModel(config.model, stepRandomSource(config.run.seed, 1), { embedder }), config.train, stepRandomSource(config.run.seed, 2));
  }
  return (await restoreRealmTrainer(String(values.start), { numTrainSteps: steps })).trainer;
}
const trainer = await startTrainer();
const model = trainer.model;
// --mlm-steps N: first N steps of the bootstrap's reader masked-LM warm start (config.readerMlm,
// on the corpus blocks) on this reader, as `--readerMlm.numTrainSteps=N` does in `pretrain all`.
if (Number(values['mlm-steps']) > 0) {
  const ictBlocks = await loadIctBlocks(join(layout.data, 'corpus', 'orqa', 'examples.tfr'));
  const vocab = { ...special, size: tokenizer.vocab.size, specialIds: Object.values(special) };
  const mlm = await trainReaderMlm(model.reader, ictBlocks, { ...config.readerMlm, numTrainSteps: Number(values['mlm-steps']), numWarmupSteps: 20, maxSeconds: null, vocab }, stepRandomSource(config.run.seed, 7));
  console.log(`reader MLM warm start: ${mlm.steps} steps in ${mlm.seconds.toFixed(0)} s, accuracy ${mlm.accuracy.slice(-10).reduce((a, b) => a + b, 0) / Math.min(10, mlm.accuracy.length)}`);
}

/**
 * Mean p(null|x), p(gold|x) (0 when the gold block was not retrieved), the share of examples whose
 * gold block is a candidate, and the reader's accuracy given the gold document alone (over those
 * examples) / the null document alone.
 */
function perCandidate(batch: OracleExample[]): { pNull: number; pGold: number; goldRetrieved: number; readerGold: number; readerNull: number } {
  const outputs = realmForward(model, batch.map((e) => e.example), { training: false });
  try {
    const probabilities = tf.tidy(() => tf.softmax(outputs.retrievalScores)).arraySync() as number[][];
    // [B, K, M]: the reader's top token per candidate and mask
    const top = tf.tidy(() => tf.argMax(outputs.mlmLogits, 3)).arraySync() as number[][][];
    let pNull = 0, pGold = 0, retrieved = 0, gold = 0, goldMasks = 0, nul = 0, masks = 0;
    batch.forEach(({ example, goldIndex }, b) => {
      pNull += probabilities[b][0];
      if (goldIndex >= 0) {
        pGold += probabilities[b][goldIndex];
        retrieved++;
      }
      example.mlmMask.forEach((weight, m) => {
        if (weight === 0) return;
        masks++;
        if (top[b][0][m] === example.mlmTargets[m]) nul++;
        if (goldIndex < 0) return;
        goldMasks++;
        if (top[b][goldIndex][m] === example.mlmTargets[m]) gold++;
      });
    });
    return { pNull: pNull / batch.length, pGold: pGold / batch.length, goldRetrieved: retrieved / batch.length, readerGold: gold / Math.max(1, goldMasks), readerNull: nul / masks };
  } finally {
    tf.dispose([outputs.queryEmbeddings, outputs.candidateEmbeddings, outputs.retrievalScores, outputs.mlmLogits]);
  }
}
const batchSize = config.train.batchSize;
const heldoutExamples: OracleExample[] = [];
for (const record of heldout.slice(0, 10 * batchSize)) {
  const example = await oracleExample(record, rng);
  if (example) heldoutExamples.push(example);
}
console.log(`start: ${values.start}, candidates: ${values.candidates}`);
console.log('| step | seconds | held-out accuracy with documents | null document | retrieval_utility | p(null\\|x) | p(gold\\|x) | gold retrieved | reader acc. given gold | given null |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const start = Date.now();
for (let step = 1; step <= steps; step++) {
  const batch: RealmExample[] = [];
  while (batch.length < batchSize) {
    const example = await oracleExample(train[randomInt(rng, train.length)], rng);
    if (example) batch.push(example.example);
  }
  trainer.step(batch);
  if (step % Number(values.every) === 0 || step === steps) {
    let withDocs = 0, nullDoc = 0, utility = 0, batches = 0;
    const candidates = { pNull: 0, pGold: 0, goldRetrieved: 0, readerGold: 0, readerNull: 0 };
    for (let i = 0; i + batchSize <= heldoutExamples.length; i += batchSize, batches++) {
      const slice = heldoutExamples.slice(i, i + batchSize);
      const metrics = trainer.evaluate(slice.map((e) => e.example));
      withDocs += metrics.accuracyWithRetrieval;
      nullDoc += metrics.accuracyNullDocument;
      utility += metrics.retrievalUtility;
      const per = perCandidate(slice);
      for (const key of Object.keys(candidates) as Array<keyof typeof candidates>) candidates[key] += per[key];
    }
    const f = (x: number): string => (x / batches).toFixed(3);
    console.log(`| ${step} | ${((Date.now() - start) / 1000).toFixed(0)} | ${f(withDocs)} | ${f(nullDoc)} | ${f(utility)} | ${f(candidates.pNull)} | ${f(candidates.pGold)} | ${f(candidates.goldRetrieved)} | ${f(candidates.readerGold)} | ${f(candidates.readerNull)} |`);
  }
}
retriever?.embedders.dispose();
