// `realm finetune-orqa train`: ORQA fine-tuning on the built-in world from a REALM pre-training run,
// Google's released REALM modules (google-init.ts) or scratch, evaluating on dev every N steps and
// keeping the best checkpoint, then testing it. Ports orqa_experiment.py's train_and_evaluate with
// BestExporter on exact match; the optional index refresh re-embeds the corpus in-process, as REALM's
// refresher does during pre-training.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, rm, stat, truncate } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { WorldConfig } from '@realm/data';
import type { ExactMipsIndex } from '@realm/mips';
import {
  createOrqaModel,
  disposeOrqaModel,
  OrqaTrainer,
  saveOrqaModel,
  stepRandomSource,
  type OrqaEvalSummary,
  type OrqaModel,
  type OrqaStepMetrics,
} from '@realm/model';
import { buildPretrainConfig, prepareRun, readPretrainConfig, runLayout, type ProgramContext } from '@realm/pretrain';
import { createRng, FullTokenizer, shuffleInPlace, type Rng } from '@realm/tokenizer';
import { setupOrqaBackend } from './backend.js';
import { orqaExample, TokenizedBlocks, type QaItem } from './blocks.js';
import { buildFinetuneConfig, FinetuneConfigSchema, type FinetuneConfig } from './config.js';
import { worldQaSplit } from './datasets.js';
import { evaluateQuestions, formatSummary, writePredictions, writeTextAtomically, type EvaluationResult } from './evaluate.js';
import { knowledgeBaseIndex, publishKnowledgeBase, readKnowledgeBase, type KnowledgeBaseContents } from './knowledge-base.js';
import { detectInitLayout, partsFromGoogleRealm } from './google-init.js';
import { finetuneLayout, type FinetuneLayout } from './layout.js';
import { embedBlocks, loadQaSystem, partsFromPretrainRun, partsFromScratch, type InitialOrqaParts } from './model-io.js';
import {
  bestFromState,
  bestToState,
  countingRng,
  newestResumeCheckpoint,
  readUnfinishedRun,
  removeStagingLeftovers,
  recoverReplacedDirectory,
  RESUME_FILES,
  importCheckpointInto,
  type CountingRng,
  saveResumeCheckpoint,
  type ResumeCheckpoint,
  type ResumeState,
  type SavedFinetuneRun,
} from './resume.js';

export interface FinetuneOptions {
  /** A pre-training run directory, or 'none' for the un-pre-trained baseline. */
  init: string;
  out: string;
  overrides: readonly string[];
  /** With --init none: the run whose world, corpus, vocab and sizes to use (default: prepare the built-in world under <out>/world). With Google's modules: the run whose world's questions to use (default: the recipe's world). */
  data?: string;
  /** With a Google REALM module --init: ORQA's blocks.tfr that embedder/encoded/encoded.ckpt was encoded from (needed again to resume). */
  blocks?: string;
  /** With a Google REALM module --init: titles.tfr row-aligned with blocks (default: beside it, else empty titles). */
  titles?: string;
}

/** The --blocks / --titles of a Google REALM module --init. */
type CorpusFiles = Pick<FinetuneOptions, 'blocks' | 'titles'>;

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

async function initialParts(init: string, data: string | null, corpus: CorpusFiles, out: string, config: FinetuneConfig, rng: Rng, context: ProgramContext): Promise<InitialOrqaParts> {
  const documentEmbedderCopy = config.run.refreshIndex;
  const layout = init === 'none' ? 'none' : detectInitLayout(init);
  if (layout !== 'google-realm' && (corpus.blocks !== undefined || corpus.titles !== undefined)) {
    throw new Error(`--blocks/--titles go with a Google REALM module --init (bert/, embedder/); --init ${init} brings its own corpus`);
  }
  if (layout === 'google-realm') {
    if (corpus.blocks === undefined) throw new Error(`--init ${init} is a Google REALM module layout: pass --blocks FILE, ORQA's blocks.tfr that ${join(init, 'embedder', 'encoded', 'encoded.ckpt')} was encoded from`);
    const world = data === null ? buildPretrainConfig([]).world : (await readPretrainConfig(runLayout(data).config)).world;
    context.log(`init: questions from the built-in world of ${data ?? 'the pre-training recipe'}`);
    return partsFromGoogleRealm(init, { blocks: corpus.blocks, titles: corpus.titles, world, documentEmbedderCopy, log: context.log });
  }
  if (layout === 'pretrain-run') {
    context.log(`init: realm-ts pre-training run at ${init}`);
    return partsFromPretrainRun(init, { documentEmbedderCopy });
  }
  let dataDir = data;
  if (dataDir === null) {
    dataDir = join(out, 'world');
    context.log(`--init none without --data: preparing the built-in world (pre-training recipe sizes) in ${dataDir}`);
    await prepareRun(dataDir, [], context);
  }
  return partsFromScratch(dataDir, rng, { documentEmbedderCopy });
}

/** The knowledge base minus what training changes (the embeddings and the embedder). */
type KnowledgeBaseBase = Omit<KnowledgeBaseContents, 'vectors' | 'embedder' | 'source'>;

/** What the training loop starts from: step 0 of a new run, or a checkpoint of an interrupted one. */
interface TrainingStart {
  /** config.json as saved (kept beside every best checkpoint). */
  record: SavedFinetuneRun;
  config: FinetuneConfig;
  model: OrqaModel;
  trainer: OrqaTrainer;
  blocks: TokenizedBlocks;
  index: ExactMipsIndex;
  indexVectors: Float32Array;
  kb: KnowledgeBaseBase;
  /** The newest knowledge-base version this run published (the one resume reads its blocks from). */
  kbDir: string;
  world: WorldConfig;
  step: number;
  /** The data-order rng, positioned before the first shuffle, and how many draws that took from the seed. */
  dataRng: Rng;
  dataRngDraws: number;
  best: BestEvaluation | null;
  refreshedAt: number;
}

interface BestEvaluation {
  step: number;
  metric: number;
  summary: OrqaEvalSummary;
}

/** The config training uses: the retrieval loss marginalises over at most the whole corpus; refresh trains the document embedder. */
function resolveForCorpus(config: FinetuneConfig, numBlocks: number): FinetuneConfig {
  return FinetuneConfigSchema.parse({
    ...config,
    orqa: { ...config.orqa, retrieverBeamSize: Math.min(config.orqa.retrieverBeamSize, numBlocks), trainDocumentEmbedder: config.run.refreshIndex },
  });
}

/** The model at step 0, built from --init as every start of the run builds it; `rng` has drawn its weights and nothing else. */
interface InitialModel {
  config: FinetuneConfig;
  rng: CountingRng;
  parts: InitialOrqaParts;
  model: OrqaModel;
}

async function buildInitialModel(init: string, data: string | null, corpus: CorpusFiles, out: string, requested: FinetuneConfig, context: ProgramContext): Promise<InitialModel> {
  await setupOrqaBackend(requested.run.backend, context);
  // Counted, so that a resumed run can check it is at the same position of this stream.
  const rng = countingRng(createRng(requested.run.seed));
  const parts = await initialParts(init, data, corpus, out, requested, rng, context);
  const config = resolveForCorpus(requested, parts.kb.blocks.length);
  const model = createOrqaModel(config.orqa, { questionEmbedder: parts.questionEmbedder, reader: parts.reader, documentEmbedder: parts.documentEmbedder }, rng);
  return { config, rng, parts, model };
}

function tokenizedBlocks(kb: KnowledgeBaseBase, config: FinetuneConfig): TokenizedBlocks {
  const tokenizer = FullTokenizer.fromVocabText(kb.vocabText, { doLowerCase: kb.doLowerCase });
  return new TokenizedBlocks(kb.blocks, tokenizer, { readerSeqLen: config.orqa.readerSeqLen, documentSeqLen: kb.documentSeqLen, answerMatcher: config.orqa.answerMatcher });
}

/** Step 0: initial weights from --init, the knowledge base published, config.json written (unless resuming a run that had no checkpoint yet). */
async function startFresh(options: FinetuneOptions, layout: FinetuneLayout, saved: SavedFinetuneRun | null, context: ProgramContext): Promise<TrainingStart> {
  const init = saved ? saved.init : options.init;
  const data = saved ? saved.data : (options.data ?? null);
  const { config, rng, parts, model } = await buildInitialModel(init, data, options, options.out, saved ? saved.finetune : buildFinetuneConfig(options.overrides), context);
  const kbDir = await publishKnowledgeBase(layout.kb, parts.kb);
  context.log(`knowledge base: ${parts.kb.blocks.length} blocks (${parts.kb.source}) → ${kbDir}`);
  const { vectors: _vectors, embedder: _embedder, source: _source, ...kb } = parts.kb;
  const blocks = tokenizedBlocks(kb, config);
  const index = knowledgeBaseIndex(parts.kb.vectors, parts.kb.dim);
  const trainer = new OrqaTrainer(model, index, blocks, stepRandomSource(config.run.seed, 7));
  const world = parts.world;
  await mkdir(dirname(layout.metrics), { recursive: true });
  let record: SavedFinetuneRun;
  if (saved) {
    record = saved;
    await rm(layout.metrics, { force: true });
  } else {
    const questions = questionSplits(world, config);
    record = { finetune: config, init, data, blocks: options.blocks ?? null, titles: options.titles ?? null, overrides: [...options.overrides], world, questions: { train: questions.train.length, dev: questions.dev.length, test: questions.test.length } };
    await writeTextAtomically(layout.config, `${JSON.stringify(record, null, 2)}\n`);
  }
  return { record, config, model, trainer, blocks, index, indexVectors: parts.kb.vectors, kb, kbDir, world, step: 0, dataRng: rng, dataRngDraws: rng.draws, best: null, refreshedAt: 0 };
}

/**
 * An interrupted run from its newest checkpoint: the step-0 model is built as before (so variables
 * and rng draws come in the same order) and then given the checkpoint's weights, optimizer state
 * and dropout seed; the index is the one the run retrieved from (its frozen knowledge base, or the
 * checkpoint's re-embedded copy); the metrics log and best/ are brought back to the checkpoint.
 */
async function startFromCheckpoint(layout: FinetuneLayout, saved: SavedFinetuneRun, checkpoint: ResumeCheckpoint, corpus: CorpusFiles, context: ProgramContext): Promise<TrainingStart> {
  const state = { ...checkpoint.state, kbDir: isAbsolute(checkpoint.state.kbDir) ? checkpoint.state.kbDir : join(layout.kb, checkpoint.state.kbDir) };
  if (!existsSync(state.kbDir)) throw new Error(`${checkpoint.dir}: the knowledge base it trained against (${state.kbDir}) is gone; cannot resume`);
  const { config, rng, parts, model } = await buildInitialModel(saved.init, saved.data, corpus, layout.root, saved.finetune, context);
  let trainer: OrqaTrainer | undefined;
  try {
    if (rng.draws !== state.dataRngDraws) {
      throw new Error(`${checkpoint.dir}: building the initial model drew ${rng.draws} random numbers, the interrupted run ${state.dataRngDraws}; its inputs (${saved.init === 'none' ? saved.data ?? join(layout.root, 'world') : saved.init}) have changed`);
    }
    const stored = await readKnowledgeBase(state.kbDir);
    const vectors = config.run.refreshIndex ? checkpoint.index!.vectors : stored.vectors;
    const kb: KnowledgeBaseBase = { blocks: stored.blocks, dim: stored.manifest.dim, documentSeqLen: stored.manifest.documentSeqLen, vocabText: stored.vocabText, doLowerCase: stored.manifest.doLowerCase };
    if (stored.blocks.length !== parts.kb.blocks.length) throw new Error(`${state.kbDir}: holds ${stored.blocks.length} blocks but the run's corpus has ${parts.kb.blocks.length}; cannot resume`);
    const blocks = tokenizedBlocks(kb, config);
    const index = knowledgeBaseIndex(vectors, kb.dim);
    trainer = new OrqaTrainer(model, index, blocks, stepRandomSource(config.run.seed, 7));
    await importCheckpointInto(trainer, checkpoint.modelDir);
    if (trainer.globalStep !== state.step) throw new Error(`${checkpoint.dir}: the trainer is at step ${trainer.globalStep} but ${RESUME_FILES.state} says ${state.step}`);
    // Lines logged after the checkpoint are logged again by the replayed steps; a best/ caught
    // mid-replacement is put back (the checkpoint's best is the one moved aside).
    await mkdir(dirname(layout.metrics), { recursive: true });
    if (existsSync(layout.metrics)) await truncate(layout.metrics, state.metricsBytes);
    if (await recoverReplacedDirectory(layout.best)) context.log(`restored ${layout.best} from the copy a crash left aside`);
    context.log(`resuming from ${checkpoint.dir} (step ${state.step} of ${config.orqa.numTrainSteps})`);
    return {
      record: saved,
      config,
      model,
      trainer,
      blocks,
      index,
      indexVectors: vectors,
      kb,
      kbDir: state.kbDir,
      world: saved.world,
      step: state.step,
      dataRng: rng,
      dataRngDraws: state.dataRngDraws,
      best: bestFromState(state.best),
      refreshedAt: state.refreshedAt,
    };
  } catch (error) {
    trainer?.dispose();
    disposeOrqaModel(model);
    throw error;
  }
}

/** The world's train / dev-during-training / dev / test questions under the run's limits. */
function questionSplits(world: WorldConfig, config: FinetuneConfig): { train: QaItem[]; dev: QaItem[]; devAll: QaItem[]; test: QaItem[] } {
  let train = worldQaSplit(world, 'train');
  if (config.run.maxTrainQuestions !== null) train = train.slice(0, config.run.maxTrainQuestions);
  const devAll = worldQaSplit(world, 'dev');
  const dev = config.run.maxDevQuestions === null ? devAll : devAll.slice(0, config.run.maxDevQuestions);
  return { train, dev, devAll, test: worldQaSplit(world, 'test') };
}

/** Re-embeds every block with the trained document embedder and swaps it into the index. */
async function refreshIndex(model: OrqaModel, blocks: TokenizedBlocks, index: ExactMipsIndex, config: FinetuneConfig): Promise<Float32Array> {
  const vectors = await embedBlocks(model.documentEmbedder!, blocks.tokenizer, blocks.blocks, blocks.options.documentSeqLen, config.run.refreshBatchSize);
  index.replaceAll(vectors);
  return vectors;
}

/**
 * Runs fine-tuning end to end; returns the --json result (details go to <out>/results.json). An
 * `out` holding an unfinished run resumes it from its newest checkpoint with its saved config
 * (taking the steps an uninterrupted run takes); a finished one is an error.
 */
export async function runFinetune(given: FinetuneOptions, context: ProgramContext, hooks: FinetuneHooks = {}): Promise<FinetuneResult> {
  const started = Date.now();
  // Absolute paths, so that config.json and a resume compare the same inputs from any directory.
  const absolute = (path: string | undefined): string | undefined => (path === undefined ? undefined : resolve(path));
  const options: FinetuneOptions = {
    ...given,
    init: given.init === 'none' ? 'none' : resolve(given.init),
    out: resolve(given.out),
    data: absolute(given.data),
    blocks: absolute(given.blocks),
    titles: absolute(given.titles),
  };
  const layout = finetuneLayout(options.out);
  const saved = await readUnfinishedRun(layout, options);
  // A resumed run reads the corpus files it was started with.
  if (saved) Object.assign(options, { blocks: saved.blocks ?? options.blocks, titles: saved.titles ?? options.titles });
  if (saved) await removeStagingLeftovers([layout.checkpoints, layout.kb], context.log);
  const checkpoint = saved ? await newestResumeCheckpoint(layout, saved.finetune.run.refreshIndex, context.log) : null;
  if (saved && !checkpoint) context.log(`${options.out} holds an unfinished run without a checkpoint: starting it again from step 0 with its config.json`);
  const start = saved && checkpoint ? await startFromCheckpoint(layout, saved, checkpoint, options, context) : await startFresh(options, layout, saved, context);
  const { config, model, trainer, blocks, index, kb } = start;
  const tokenizer = blocks.tokenizer;
  const { train, dev, devAll, test } = questionSplits(start.world, config);
  context.log(`${train.length} training questions, ${dev.length} dev, ${test.length} test; ${config.orqa.numTrainSteps} steps of ${config.orqa.batchSize}`);

  const evaluate = (split: string, items: readonly QaItem[]): Promise<EvaluationResult> =>
    evaluateQuestions(model, index, blocks, items, {
      batchSize: config.run.evalBatchSize,
      isRegex: false,
      answerMatcher: config.orqa.answerMatcher,
      onProgress: (done, total) => hooks.onEvalProgress?.(split, done, total),
    });
  const log = (record: object): Promise<void> => appendFile(layout.metrics, `${JSON.stringify(record)}\n`);

  let { best, refreshedAt, indexVectors, kbDir } = start;
  const checkpointAt = async (step: number): Promise<string> => {
    const metricsBytes = existsSync(layout.metrics) ? (await stat(layout.metrics)).size : 0;
    // The knowledge base by its name under <out>/kb, so a moved output directory still resumes.
    const state: ResumeState = { step, dataRngDraws: start.dataRngDraws, refreshedAt, best: bestToState(best), metricsBytes, kbDir: relative(layout.kb, kbDir) };
    return saveResumeCheckpoint(layout, model, trainer, state, { keep: config.run.keepCheckpoints, index: config.run.refreshIndex ? { vectors: indexVectors, dim: kb.dim } : null });
  };
  // The data order is a function of the seed alone: a resumed run replays the batches it already took.
  const batches = epochBatches(train.map((item) => orqaExample(tokenizer, item)), config.orqa.batchSize, start.dataRng);
  for (let i = 0; i < start.step; i++) batches.next();
  const totalSteps = config.orqa.numTrainSteps;
  let step = start.step;
  try {
    for (; step < totalSteps && !context.signal.aborted; step++) {
      // Step count at which the index was last re-embedded: a refresh before evaluating step n makes
      // the cadence refresh at the top of the next iteration (also n) redundant.
      if (config.run.refreshIndex && step > 0 && step % config.run.refreshEverySteps === 0 && refreshedAt !== step) {
        indexVectors = await refreshIndex(model, blocks, index, config);
        refreshedAt = step;
      }
      const metrics = await trainer.step(batches.next().value as ReturnType<typeof orqaExample>[]);
      hooks.onStep?.(metrics, totalSteps);
      await log({ kind: 'step', ...metrics });
      const done = step + 1;
      if (done % config.run.evalEverySteps === 0 || done === totalSteps) {
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
            kbDir = await publishKnowledgeBase(layout.kb, { ...kb, vectors: indexVectors, embedder: model.documentEmbedder!, source: `refreshed at step ${done}` });
          }
          await saveOrqaModel(layout.best, model, { trainer, extra: { finetune: start.record, step: done, dev: summary } });
          context.log(`step ${done}: new best dev ${config.run.selectBy} ${metric.toFixed(3)} → ${layout.best}`);
        }
      }
      if (done % config.run.checkpointEverySteps === 0 || done === totalSteps) await checkpointAt(done);
    }
    if (step < totalSteps) {
      const dir = await checkpointAt(step);
      throw new Error(`finetune-orqa: stopped at step ${step} of ${totalSteps}; the run resumes from ${dir} when the same command is run again`);
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
