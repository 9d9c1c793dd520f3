// `realm finetune-orqa train`: ORQA fine-tuning on the built-in world from a REALM pre-training run
// (or from scratch), evaluating on dev every N steps and keeping the best checkpoint, then testing
// it. Ports orqa_experiment.py's train_and_evaluate with BestExporter on exact match; the optional
// index refresh re-embeds the corpus in-process, as REALM's refresher does during pre-training.
import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createOrqaModel, disposeOrqaModel, OrqaTrainer, saveOrqaModel, stepRandomSource, type OrqaEvalSummary, type OrqaModel, type OrqaStepMetrics } from '@realm/model';
import type { ExactMipsIndex } from '@realm/mips';
import { prepareRun, type ProgramContext } from '@realm/pretrain';
import { setupOrqaBackend } from './backend.js';
import { createRng, FullTokenizer, shuffleInPlace, type Rng } from '@realm/tokenizer';
import { orqaExample, TokenizedBlocks, type QaItem } from './blocks.js';
import { buildFinetuneConfig, type FinetuneConfig } from './config.js';
import { worldQaSplit } from './datasets.js';
import { evaluateQuestions, formatSummary, writePredictions, writeTextAtomically, type EvaluationResult } from './evaluate.js';
import { knowledgeBaseIndex, publishKnowledgeBase } from './knowledge-base.js';
import { finetuneLayout } from './layout.js';
import { embedBlocks, loadQaSystem, partsFromPretrainRun, partsFromScratch, type InitialOrqaParts } from './model-io.js';

export interface FinetuneOptions {
  /** A pre-training run directory, or 'none' for the un-pre-trained baseline. */
  init: string;
  out: string;
  overrides: readonly string[];
  /** With --init none: the run whose world, corpus, vocab and sizes to use (default: prepare the built-in world under <out>/world). */
  data?: string;
}

export interface FinetuneHooks {
  onStep?(metrics: OrqaStepMetrics, totalSteps: number): void;
  onEvalProgress?(split: string, done: number, total: number): void;
}

/** The `--json` line: exactly these keys. */
export interface FinetuneResult {
  test_exact_match: number;
  test_recall_at_5: number;
  dev_exact_match: number;
  wall_seconds: number;
}

/** A shuffled copy of `items` (Fisher–Yates driven by `rng`). */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  return shuffleInPlace(rng, [...items]);
}

/** Endless batches of `size` over epochs, each epoch freshly shuffled (the last short batch is dropped, as drop_remainder). */
export function* epochBatches<T>(items: readonly T[], size: number, rng: Rng): Generator<T[]> {
  if (items.length < size) throw new Error(`training: ${items.length} questions cannot fill a batch of ${size}`);
  for (;;) {
    const order = shuffled(items, rng);
    for (let start = 0; start + size <= order.length; start += size) yield order.slice(start, start + size);
  }
}

function metricOf(summary: OrqaEvalSummary, config: FinetuneConfig): number {
  return config.run.selectBy === 'exactMatch' ? summary.exactMatch : summary.officialExactMatch;
}

async function initialParts(options: FinetuneOptions, config: FinetuneConfig, rng: Rng, context: ProgramContext): Promise<InitialOrqaParts> {
  const documentEmbedderCopy = config.run.refreshIndex;
  if (options.init !== 'none') return partsFromPretrainRun(options.init, { documentEmbedderCopy });
  let dataDir = options.data;
  if (dataDir === undefined) {
    dataDir = join(options.out, 'world');
    context.log(`--init none without --data: preparing the built-in world (pre-training recipe sizes) in ${dataDir}`);
    await prepareRun(dataDir, [], context);
  }
  return partsFromScratch(dataDir, rng, { documentEmbedderCopy });
}

/** Re-embeds every block with the trained document embedder and swaps it into the index. */
async function refreshIndex(model: OrqaModel, blocks: TokenizedBlocks, index: ExactMipsIndex, config: FinetuneConfig): Promise<Float32Array> {
  const vectors = await embedBlocks(model.documentEmbedder!, blocks.tokenizer, blocks.blocks, blocks.options.documentSeqLen, config.run.refreshBatchSize);
  index.replaceAll(vectors);
  return vectors;
}

/** Runs fine-tuning end to end; returns the --json result (details go to <out>/results.json). */
export async function runFinetune(options: FinetuneOptions, context: ProgramContext, hooks: FinetuneHooks = {}): Promise<FinetuneResult> {
  const started = Date.now();
  const layout = finetuneLayout(options.out);
  if (existsSync(layout.config)) throw new Error(`${options.out} already holds a fine-tuning run (${layout.config}); choose a new --out`);
  let config = buildFinetuneConfig(options.overrides);
  await setupOrqaBackend(config.run.backend, context);
  const rng = createRng(config.run.seed);
  const parts = await initialParts(options, config, rng, context);
  const numBlocks = parts.kb.blocks.length;
  // The loss marginalises over at most the whole corpus; the reader must fit the reader BERT.
  const clamped = Math.min(config.orqa.retrieverBeamSize, numBlocks);
  config = buildFinetuneConfig([...options.overrides, `orqa.retrieverBeamSize=${clamped}`, `orqa.trainDocumentEmbedder=${config.run.refreshIndex}`]);
  const kbDir = await publishKnowledgeBase(layout.kb, parts.kb);
  context.log(`knowledge base: ${numBlocks} blocks (${parts.kb.source}) → ${kbDir}`);

  const tokenizer = FullTokenizer.fromVocabText(parts.kb.vocabText, { doLowerCase: parts.kb.doLowerCase });
  const blocks = new TokenizedBlocks(parts.kb.blocks, tokenizer, { readerSeqLen: config.orqa.readerSeqLen, documentSeqLen: parts.kb.documentSeqLen, answerMatcher: config.orqa.answerMatcher });
  const index = knowledgeBaseIndex(parts.kb.vectors, parts.kb.dim);
  let indexVectors = parts.kb.vectors;
  const model = createOrqaModel(config.orqa, { questionEmbedder: parts.questionEmbedder, reader: parts.reader, documentEmbedder: parts.documentEmbedder }, rng);
  const trainer = new OrqaTrainer(model, index, blocks, stepRandomSource(config.run.seed, 7));

  const world = parts.run.config.world;
  let train = worldQaSplit(world, 'train');
  if (config.run.maxTrainQuestions !== null) train = train.slice(0, config.run.maxTrainQuestions);
  const devAll = worldQaSplit(world, 'dev');
  const dev = config.run.maxDevQuestions === null ? devAll : devAll.slice(0, config.run.maxDevQuestions);
  const test = worldQaSplit(world, 'test');
  const resolved = { finetune: config, init: options.init, data: options.data ?? null, world, questions: { train: train.length, dev: dev.length, test: test.length } };
  await mkdir(dirname(layout.metrics), { recursive: true });
  await writeTextAtomically(layout.config, `${JSON.stringify(resolved, null, 2)}\n`);
  context.log(`${train.length} training questions, ${dev.length} dev, ${test.length} test; ${config.orqa.numTrainSteps} steps of ${config.orqa.batchSize}`);

  const evaluate = (split: string, items: readonly QaItem[]): Promise<EvaluationResult> =>
    evaluateQuestions(model, index, blocks, items, {
      batchSize: config.run.evalBatchSize,
      isRegex: false,
      answerMatcher: config.orqa.answerMatcher,
      onProgress: (done, total) => hooks.onEvalProgress?.(split, done, total),
    });
  const log = (record: object): Promise<void> => appendFile(layout.metrics, `${JSON.stringify(record)}\n`);

  let best: { step: number; metric: number; summary: OrqaEvalSummary } | null = null;
  // Step count at which the index was last re-embedded: a refresh before evaluating step n makes
  // the cadence refresh at the top of the next iteration (also n) redundant.
  let refreshedAt = 0;
  const batches = epochBatches(train.map((item) => orqaExample(tokenizer, item)), config.orqa.batchSize, rng);
  const totalSteps = config.orqa.numTrainSteps;
  try {
    for (let step = 0; step < totalSteps && !context.signal.aborted; step++) {
      if (config.run.refreshIndex && step > 0 && step % config.run.refreshEverySteps === 0 && refreshedAt !== step) {
        indexVectors = await refreshIndex(model, blocks, index, config);
        refreshedAt = step;
      }
      const metrics = await trainer.step(batches.next().value as ReturnType<typeof orqaExample>[]);
      hooks.onStep?.(metrics, totalSteps);
      await log({ kind: 'step', ...metrics });
      const done = step + 1;
      if (done % config.run.evalEverySteps !== 0 && done !== totalSteps) continue;
      if (config.run.refreshIndex && refreshedAt !== done) {
        indexVectors = await refreshIndex(model, blocks, index, config);
        refreshedAt = done;
      }
      const { summary } = await evaluate('dev', dev);
      await log({ kind: 'eval', split: 'dev', step: done, ...summary });
      const metric = metricOf(summary, config);
      context.log(`step ${done}: dev ${formatSummary(summary)}`);
      if (best === null || metric > best.metric) {
        best = { step: done, metric, summary };
        // The index the checkpoint retrieves from is published with it when the embedder is trained.
        if (config.run.refreshIndex) {
          await publishKnowledgeBase(layout.kb, { ...parts.kb, vectors: indexVectors, embedder: model.documentEmbedder!, source: `refreshed at step ${done}` });
        }
        await saveOrqaModel(layout.best, model, { trainer, extra: { finetune: resolved, step: done, dev: summary } });
        context.log(`step ${done}: new best dev ${config.run.selectBy} ${metric.toFixed(3)} → ${layout.best}`);
      }
    }
  } finally {
    trainer.dispose();
    disposeOrqaModel(model);
  }
  if (best === null) throw new Error('finetune-orqa: stopped before the first evaluation; nothing was saved');

  // Test (and dev, for the record) with the best checkpoint as saved, through the same loader as `eval`.
  const system = await loadQaSystem(options.out);
  try {
    const final = async (split: string, items: readonly QaItem[]): Promise<EvaluationResult> => {
      const result = await evaluateQuestions(system.model, system.index, system.blocks, items, {
        batchSize: config.run.evalBatchSize,
        isRegex: false,
        answerMatcher: config.orqa.answerMatcher,
        onProgress: (done, total) => hooks.onEvalProgress?.(split, done, total),
      });
      await writePredictions(join(layout.predictions, `${split}.jsonl`), result.records);
      return result;
    };
    const devResult = await final('dev', devAll);
    const testResult = await final('test', test);
    context.log(`best step ${best.step}: dev ${formatSummary(devResult.summary)}`);
    context.log(`best step ${best.step}: test ${formatSummary(testResult.summary)}`);
    const result: FinetuneResult = {
      test_exact_match: testResult.summary.officialExactMatch,
      test_recall_at_5: testResult.summary.recall[5] ?? Number.NaN,
      dev_exact_match: metricOf(devResult.summary, config),
      wall_seconds: (Date.now() - started) / 1000,
    };
    await writeTextAtomically(layout.results, `${JSON.stringify({ ...result, bestStep: best.step, dev: devResult.summary, test: testResult.summary }, null, 2)}\n`);
    return result;
  } finally {
    disposeOrqaModel(system.model);
  }
}
