// ORQA prediction and evaluation: the best (block, span) over the read blocks, its answer text from
// the original tokens, and the per-question metrics. Ports language/orqa/models/orqa_model.py:
// get_predictions and compute_eval_metrics (PREDICT mode retrieves only reader_beam_size blocks).
import * as tf from '@tensorflow/tfjs-core';
import { officialExactMatch, readerOracle, recallAtK, type OrqaQuestionEval } from './eval.js';
import { orqaForward, prepareOrqaBatch, type OrqaBlockSource, type OrqaExample, type OrqaReaderBlock, type OrqaRetrievalIndex, type PreparedOrqaBatch } from './forward.js';
import type { OrqaModel } from './orqa-model.js';

/** The predicted answer of one question, with where it came from and its scores. */
export interface OrqaPrediction {
  question: string;
  /** Original tokens of the span joined by single spaces (ORQA's predicted answer). */
  answer: string;
  /** Rank of the answer's block among the read blocks (0 = best retrieved). */
  blockRank: number;
  /** Id of that block in the corpus / index. */
  blockId: number;
  /** Inclusive sequence positions of the span in the reader input. */
  start: number;
  end: number;
  /** Inclusive original-token indices of the span in the block. */
  originalStart: number;
  originalEnd: number;
  /** The combined logit: reader score + retrieval score. */
  score: number;
  /** The span scorer's own score. */
  readerScore: number;
  /** h_q · h_b of the block. */
  retrievalScore: number;
}

/** One question's best (block, span): the block's rank among the read blocks, the span candidate and its combined logit. */
export interface OrqaBestSpan {
  blockRank: number;
  candidate: number;
  score: number;
}

/** The best span of each question: global argmax of [k, C] (first occurrence on ties). */
export function bestSpans(readerLogits: Float32Array, numQuestions: number, numRead: number, numCandidates: number): OrqaBestSpan[] {
  const perQuestion = numRead * numCandidates;
  if (readerLogits.length !== numQuestions * perQuestion) {
    throw new Error(`bestSpans: ${readerLogits.length} logits, expected ${numQuestions} × ${numRead} × ${numCandidates}`);
  }
  const best: OrqaBestSpan[] = [];
  for (let b = 0; b < numQuestions; b++) {
    let bestIndex = 0;
    for (let i = 1; i < perQuestion; i++) {
      if (readerLogits[b * perQuestion + i] > readerLogits[b * perQuestion + bestIndex]) bestIndex = i;
    }
    best.push({ blockRank: Math.floor(bestIndex / numCandidates), candidate: bestIndex % numCandidates, score: readerLogits[b * perQuestion + bestIndex] });
  }
  return best;
}

/**
 * get_predictions' answer text: the original tokens token_map[start]..token_map[end] joined by " ".
 * Throws when the block carries no mapping or the span has no original token (not a block span).
 */
export function spanAnswerText(block: OrqaReaderBlock, start: number, end: number): { text: string; originalStart: number; originalEnd: number } {
  if (!block.tokenMap || !block.originalTokens) throw new Error('ORQA prediction: the reader block has no tokenMap/originalTokens (needed to map the span back to text)');
  const originalStart = block.tokenMap[start];
  const originalEnd = block.tokenMap[end];
  if (!(originalStart >= 0) || !(originalEnd >= originalStart) || originalEnd >= block.originalTokens.length) {
    throw new Error(`ORQA prediction: span [${start}, ${end}] maps to original tokens [${originalStart}, ${originalEnd}] of ${block.originalTokens.length}`);
  }
  const text = block.originalTokens
    .slice(originalStart, originalEnd + 1)
    .map((token) => token.text)
    .join(' ');
  return { text, originalStart, originalEnd };
}

/** Predictions of a prepared batch from its best spans (bestSpans of the [B, k, C] logits) and [B, c] retrieval logits. */
function predictionsOf(batch: PreparedOrqaBatch, best: readonly OrqaBestSpan[], retrievalLogits: Float32Array): OrqaPrediction[] {
  const { numRetrieved: c, numRead: k } = batch;
  return best.map(({ blockRank, candidate, score }, b) => {
    const block = batch.readerBlocks[b * k + blockRank];
    const start = batch.candidates.starts[candidate];
    const end = batch.candidates.ends[candidate];
    const { text, originalStart, originalEnd } = spanAnswerText(block, start, end);
    const retrievalScore = retrievalLogits[b * c + blockRank];
    return {
      question: batch.examples[b].question,
      answer: text,
      blockRank,
      blockId: batch.blockIds[b * c + blockRank],
      start,
      end,
      originalStart,
      originalEnd,
      score,
      readerScore: score - retrievalScore,
      retrievalScore,
    };
  });
}

/** bestSpans of a prepared batch's [B, k, C] reader logits. */
function bestSpansOf(batch: PreparedOrqaBatch, readerLogits: Float32Array): OrqaBestSpan[] {
  return bestSpans(readerLogits, batch.numQuestions, batch.numRead, batch.candidates.starts.length);
}

/** Runs the inference forward pass and reads its logits back (nothing stays allocated). */
function inferLogits(model: OrqaModel, batch: PreparedOrqaBatch): { readerLogits: Float32Array; retrievalLogits: Float32Array } {
  const outputs = orqaForward(model, batch, null, { training: false });
  try {
    return { readerLogits: outputs.readerLogits.dataSync() as Float32Array, retrievalLogits: outputs.retrievalLogits.dataSync() as Float32Array };
  } finally {
    tf.dispose(outputs);
  }
}

/** Dropout off; the frozen index scores blocks (a document embedder in training is not used at inference). */
function inferenceModel(model: OrqaModel): OrqaModel {
  return model.config.trainDocumentEmbedder ? { ...model, config: { ...model.config, trainDocumentEmbedder: false } } : model;
}

/** PREDICT mode: retrieve readerBeamSize blocks per question, read them and return the best span of each. */
export async function predictOrqa(model: OrqaModel, examples: readonly OrqaExample[], index: OrqaRetrievalIndex, blocks: OrqaBlockSource): Promise<OrqaPrediction[]> {
  const inference = inferenceModel(model);
  const k = inference.config.readerBeamSize;
  const batch = await prepareOrqaBatch(inference, examples, index, blocks, { numRetrieved: k, numRead: k }, { training: false });
  const { readerLogits, retrievalLogits } = inferLogits(inference, batch);
  return predictionsOf(batch, bestSpansOf(batch, readerLogits), retrievalLogits);
}

/** One evaluated question: its prediction and compute_eval_metrics' values. */
export interface OrqaEvaluatedQuestion extends OrqaQuestionEval {
  prediction: OrqaPrediction;
}

/**
 * EVAL mode for a batch of questions: retrieves max(readerBeamSize, max recallAtK) blocks (capped
 * at the index size, so recall@k for k beyond the index is recall over the whole index), reads the
 * first readerBeamSize and scores the prediction. `isRegex` selects CuratedTREC's official metric.
 */
export async function evaluateOrqa(
  model: OrqaModel,
  examples: readonly OrqaExample[],
  index: OrqaRetrievalIndex,
  blocks: OrqaBlockSource,
  options: { isRegex?: boolean } = {},
): Promise<OrqaEvaluatedQuestion[]> {
  const inference = inferenceModel(model);
  const { readerBeamSize: k, recallAtK: ks } = inference.config;
  const c = Math.min(index.size, Math.max(k, ...ks));
  const batch = await prepareOrqaBatch(inference, examples, index, blocks, { numRetrieved: c, numRead: k }, { training: false });
  const { readerLogits, retrievalLogits } = inferLogits(inference, batch);
  // One argmax per question serves both the prediction and the token-level exact match.
  const best = bestSpansOf(batch, readerLogits);
  const predictions = predictionsOf(batch, best, retrievalLogits);
  const C = batch.candidates.starts.length;
  return predictions.map((prediction, b) => {
    const readerCorrect = batch.readerCorrect.subarray(b * k * C, (b + 1) * k * C);
    const retrievalCorrect = batch.retrievalCorrect.subarray(b * c, (b + 1) * c);
    const recall: Record<number, boolean> = {};
    for (const kk of ks) recall[kk] = recallAtK(retrievalCorrect, kk);
    return {
      prediction,
      exactMatch: readerCorrect[best[b].blockRank * C + best[b].candidate] === 1,
      officialExactMatch: officialExactMatch(prediction.answer, examples[b].answers, options.isRegex ?? false),
      readerOracle: readerOracle(readerCorrect),
      recall,
    };
  });
}
