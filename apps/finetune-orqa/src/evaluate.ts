// Batched ORQA evaluation over a question set: per-question predictions with their evidence block,
// span and scores (a predictions JSONL that `realm qa score` reads), and the summary metrics (EM,
// official EM, reader oracle, recall@k). Ports orqa_experiment.py's EVAL/PREDICT loop around
// orqa_model.compute_eval_metrics and get_predictions.
import { storageFor } from '@realm/data';
import {
  evaluateOrqa,
  summarizeOrqaEval,
  type OrqaAnswerMatcher,
  type OrqaEvalSummary,
  type OrqaEvaluatedQuestion,
  type OrqaModel,
  type OrqaPrediction,
  type OrqaRetrievalIndex,
} from '@realm/model';
import { orqaExample, type QaItem, type TokenizedBlocks } from './blocks.js';

/** One line of a predictions file: `question` and `prediction` are what `realm qa score` reads. */
/** The evidence behind a predicted answer: its block, where the span is, and the scores. */
export interface AnswerEvidence {
  block_id: number;
  block_rank: number;
  block_title: string;
  block_text: string;
  /** [start, end) character offsets of the answer in block_text. */
  answer_start: number;
  answer_end: number;
  score: number;
  reader_score: number;
  retrieval_score: number;
}

export interface PredictionRecord extends AnswerEvidence {
  question: string;
  prediction: string;
  answers: readonly string[];
  exact_match: boolean;
  official_exact_match: boolean;
  reader_oracle: boolean;
  /** recall@k by k: an answer-bearing block among the first k retrieved. */
  recall: Record<string, boolean>;
}

/** [start, end) character offsets of a predicted span in its block's text. */
export function answerCharSpan(blocks: TokenizedBlocks, prediction: Pick<OrqaPrediction, 'blockId' | 'originalStart' | 'originalEnd'>): [number, number] {
  const tokens = blocks.mapping(prediction.blockId).originalTokens;
  return [tokens[prediction.originalStart].start, tokens[prediction.originalEnd].end];
}

export function predictionRecord(blocks: TokenizedBlocks, item: QaItem, evaluated: OrqaEvaluatedQuestion): PredictionRecord {
  const { prediction } = evaluated;
  const [answerStart, answerEnd] = answerCharSpan(blocks, prediction);
  return {
    question: item.question,
    prediction: prediction.answer,
    answers: item.answers,
    block_id: prediction.blockId,
    block_rank: prediction.blockRank,
    block_title: blocks.title(prediction.blockId),
    block_text: blocks.text(prediction.blockId),
    answer_start: answerStart,
    answer_end: answerEnd,
    score: prediction.score,
    reader_score: prediction.readerScore,
    retrieval_score: prediction.retrievalScore,
    exact_match: evaluated.exactMatch,
    official_exact_match: evaluated.officialExactMatch,
    reader_oracle: evaluated.readerOracle,
    recall: Object.fromEntries(Object.entries(evaluated.recall).map(([k, v]) => [k, v])),
  };
}

export interface EvaluationOptions {
  batchSize: number;
  /** CuratedTREC: answers are regexes (official EM by regex, blocks matched by regex search). */
  isRegex: boolean;
  /** Block-correctness test for recall@k and the reader oracle. */
  answerMatcher: OrqaAnswerMatcher;
  onProgress?: (done: number, total: number) => void;
}

export interface EvaluationResult {
  summary: OrqaEvalSummary;
  records: PredictionRecord[];
}

/** Evaluates every item (dropout off), `batchSize` questions at a time. */
export async function evaluateQuestions(model: OrqaModel, index: OrqaRetrievalIndex, blocks: TokenizedBlocks, items: readonly QaItem[], options: EvaluationOptions): Promise<EvaluationResult> {
  if (items.length === 0) throw new Error('evaluation: no questions');
  const scoring: OrqaModel = model.config.answerMatcher === options.answerMatcher ? model : { ...model, config: { ...model.config, answerMatcher: options.answerMatcher } };
  const evaluated: OrqaEvaluatedQuestion[] = [];
  const records: PredictionRecord[] = [];
  for (let start = 0; start < items.length; start += options.batchSize) {
    const batch = items.slice(start, start + options.batchSize);
    const results = await evaluateOrqa(scoring, batch.map((item) => orqaExample(blocks.tokenizer, item)), index, blocks, { isRegex: options.isRegex });
    results.forEach((result, i) => {
      evaluated.push(result);
      records.push(predictionRecord(blocks, batch[i], result));
    });
    options.onProgress?.(evaluated.length, items.length);
  }
  return { summary: summarizeOrqaEval(evaluated, model.config.recallAtK), records };
}

/** Writes `text` to a local path or gs:// URI atomically (Storage.write: temp + rename). */
export async function writeTextAtomically(path: string, text: string): Promise<void> {
  await (await storageFor(path)).write(path, text);
}

/** Writes predictions as JSON lines (one object per question, file order), atomically. */
export async function writePredictions(path: string, records: readonly PredictionRecord[]): Promise<void> {
  await writeTextAtomically(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/** A one-line human summary: EM, official EM, reader oracle and recall@k. */
export function formatSummary(summary: OrqaEvalSummary): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const recall = Object.entries(summary.recall).map(([k, v]) => `recall@${k} ${pct(v)}`).join(', ');
  return `${summary.count} questions: exact match ${pct(summary.exactMatch)}, official EM ${pct(summary.officialExactMatch)}, reader oracle ${pct(summary.readerOracle)}, ${recall}`;
}
