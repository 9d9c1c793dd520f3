// `realm finetune-orqa eval`: a fine-tuned model over a question set (the world's splits or a real
// NQ-open / WebQuestions / CuratedTREC file), writing a predictions JSONL and returning the metrics.
// Ports orqa_experiment.py's evaluation plus evaluation/evaluate_predictions.py's regex switch.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { disposeOrqaModel, type OrqaEvalSummary } from '@realm/model';
import type { WorldConfig } from '@realm/data';
import { TokenizedBlocks, type QaItem } from './blocks.js';
import { datasetAnswerMatcher, datasetIsRegex, readQaFile, worldQaSplit, WORLD_SPLITS, type DatasetName, type WorldSplit } from './datasets.js';
import { evaluateQuestions, writePredictions } from './evaluate.js';
import { loadQaSystem } from './model-io.js';
import { finetuneLayout, resolveModelDir } from './layout.js';

export interface RunEvaluationOptions {
  dataset: DatasetName;
  /** A train output directory or a saved model directory. */
  model: string;
  /** Predictions JSONL to write. */
  out: string;
  /** The dataset file for nq/wq/ct. */
  input?: string;
  /** World split (default test). */
  split?: string;
  /** Another knowledge base than the model run's kb/. */
  kb?: string;
  limit?: number;
  batchSize?: number;
}

/** The world config a fine-tuned model was trained on (saved in its run's config.json). */
async function modelWorldConfig(modelPath: string): Promise<WorldConfig> {
  const modelDir = resolveModelDir(modelPath);
  const candidates = [finetuneLayout(modelPath).config, join(modelDir, '..', 'config.json')];
  for (const path of candidates) {
    try {
      const saved = JSON.parse(await readFile(path, 'utf8')) as { world?: WorldConfig };
      if (saved.world) return saved.world;
    } catch {
      // try the next location
    }
  }
  throw new Error(`${modelPath}: cannot find the run's config.json with its world config (looked at ${candidates.join(', ')})`);
}

async function questionsOf(options: RunEvaluationOptions): Promise<QaItem[]> {
  if (options.dataset === 'world') {
    if (options.input !== undefined) throw new Error('--input is for nq/wq/ct; --dataset world reads the run\'s own world');
    const split = options.split ?? 'test';
    if (!(WORLD_SPLITS as readonly string[]).includes(split)) throw new Error(`--split must be one of ${WORLD_SPLITS.join(', ')}, got '${split}'`);
    const items = worldQaSplit(await modelWorldConfig(options.model), split as WorldSplit);
    return options.limit === undefined ? items : items.slice(0, options.limit);
  }
  if (options.input === undefined) throw new Error(`--dataset ${options.dataset} needs --input FILE (the dataset's JSON lines, e.g. NQ-open.dev.jsonl)`);
  return readQaFile(options.input, options.limit);
}

/** Evaluates and writes the predictions file; returns the summary. */
export async function runEvaluation(options: RunEvaluationOptions, hooks: { onEvalProgress?(split: string, done: number, total: number): void } = {}): Promise<OrqaEvalSummary> {
  const items = await questionsOf(options);
  const system = await loadQaSystem(options.model, options.kb);
  try {
    const answerMatcher = datasetAnswerMatcher(options.dataset, system.model.config.answerMatcher);
    // Regex answers have no wordpiece spans, so the block source must know the matcher too.
    const blocks = new TokenizedBlocks(system.kb.blocks, system.kb.tokenizer, { ...system.blocks.options, answerMatcher });
    const { summary, records } = await evaluateQuestions(system.model, system.index, blocks, items, {
      batchSize: options.batchSize ?? 16,
      isRegex: datasetIsRegex(options.dataset),
      answerMatcher,
      onProgress: (done, total) => hooks.onEvalProgress?.(options.dataset, done, total),
    });
    await writePredictions(options.out, records);
    return summary;
  } finally {
    disposeOrqaModel(system.model);
  }
}
