// Can the REALM reader read the built-in world's documents when retrieval is perfect? Trains the
// recipe's reader through the real RealmTrainer with candidates [null, gold document, random
// others] (no MIPS, no embedder learning that matters: the gold block is always present) and
// reports held-out accuracy with the documents against the null document alone. The gate before
// any pre-training run can show a retrieval gain.
// Run: npx tsx --conditions=@realm/source tools/experiments/reader-oracle.ts --run DIR [--steps 300] [--a.b=value ...]
//   DIR: a `realm pretrain prepare|all --out DIR` directory (its data/ is read; nothing is written there).
import { parseArgs } from 'node:util';
import { selectBackend } from '@realm/backend';
import { createRealmModel, RealmTrainer, stepRandomSource } from '@realm/model';
import { featurizeRealmExample, NULL_CANDIDATE_DOCUMENT, type PretrainRecord, type RealmExample } from '@realm/data';
import { createRealmQuery, createRng, randomInt, salientRecordFromFields, type Rng } from '@realm/tokenizer';
import { buildPretrainConfig } from '../../apps/pretrain/src/config.js';
import { runLayout } from '../../apps/pretrain/src/layout.js';
import { loadPretrainRecords, loadRetrievalCorpus, loadTokenizer } from '../../apps/pretrain/src/corpus.js';

const { values, positionals } = parseArgs({ options: { run: { type: 'string' }, steps: { type: 'string', default: '300' }, every: { type: 'string', default: '50' } }, allowPositionals: true, strict: false });
if (typeof values.run !== 'string') throw new Error('reader-oracle: --run DIR (a pretrain output directory) is required');
const steps = Number(values.steps);
const overrides = [`run.steps=${steps}`, ...positionals.filter((arg) => arg.includes('='))];
await selectBackend({ log: (line) => console.error(line) });
const config = buildPretrainConfig(overrides);
const layout = runLayout(values.run);
const tokenizer = await loadTokenizer(layout);
const special = tokenizer.vocab.specialTokenIds();
const blocks = await loadRetrievalCorpus(layout.retrievalShards);
// World documents are titled by the person; a sentence's gold block is the one with its title.
const blockByTitle = new Map(blocks.map((block, i) => [block.titleIds.join(','), i]));
const train = await loadPretrainRecords(layout.pretrainTrainShards);
const heldout = await loadPretrainRecords(layout.pretrainHeldoutShards);

function oracleExample(record: PretrainRecord, rng: Rng): RealmExample | null {
  const salient = salientRecordFromFields(record.text, {
    sentence_byte_start: record.sentenceByteStart,
    sentence_byte_limit: record.sentenceByteLimit,
    span_byte_start: record.spanByteStart,
    span_byte_limit: record.spanByteLimit,
    span_type: record.spanType,
  });
  const query = createRealmQuery(salient, config.masking, (text) => tokenizer.tokenizeWithOffsets(text), { maskId: special.mask, vocabSize: tokenizer.vocab.size, specialIds: Object.values(special) }, rng);
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
const model = createRealmModel(config.model, stepRandomSource(config.run.seed, 0));
const trainer = new RealmTrainer(model, config.train, stepRandomSource(config.run.seed, 2));
const batchSize = config.train.batchSize;
const heldoutExamples = heldout.slice(0, 10 * batchSize).map((record) => oracleExample(record, rng)).filter((e): e is RealmExample => e !== null);
console.log('| step | seconds | held-out accuracy with documents | null document | retrieval_utility |\n|---:|---:|---:|---:|---:|');
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
    for (let i = 0; i + batchSize <= heldoutExamples.length; i += batchSize, batches++) {
      const metrics = trainer.evaluate(heldoutExamples.slice(i, i + batchSize));
      withDocs += metrics.accuracyWithRetrieval;
      nullDoc += metrics.accuracyNullDocument;
      utility += metrics.retrievalUtility;
    }
    console.log(`| ${step} | ${((Date.now() - start) / 1000).toFixed(0)} | ${(withDocs / batches).toFixed(3)} | ${(nullDoc / batches).toFixed(3)} | ${(utility / batches).toFixed(3)} |`);
  }
}
