// ORQA's fine-tuning loss for a batch of questions: the early-update retrieval marginal over the top
// c blocks plus the reader marginal over every span of the top k blocks, each zero when nothing
// correct is present. Ports language/orqa/models/orqa_model.py: compute_loss (and
// compute_correct_candidates, as a plain function over gold spans).
import * as tf from '@tensorflow/tfjs-core';
import { marginalLogLoss } from '../losses.js';
import { spanCandidateIndex } from './span-head.js';

/** Loss inputs for B questions, c retrieved blocks, k read blocks and C span candidates per block. */
export interface OrqaLossInputs {
  /** [B, c] retrieval logits h_q · h_b of the retrieved blocks, in retrieval order. */
  retrievalLogits: tf.Tensor2D;
  /** [B, c] 1 where the block contains an answer (HasAnswer), else 0. */
  retrievalCorrect: tf.Tensor2D;
  /** [B, k, C] combined span logits (reader score + mask + retrieval score). */
  readerLogits: tf.Tensor3D;
  /** [B, k, C] 1 where the candidate span is a gold span, else 0. */
  readerCorrect: tf.Tensor3D;
}

/** The losses; every tensor belongs to the caller. */
export type OrqaLossOutputs = {
  /** [] mean over questions of retrieval + reader loss. */
  loss: tf.Scalar;
  /** [] mean retrieval (early-update) loss. */
  retrievalLoss: tf.Scalar;
  /** [] mean reader loss. */
  readerLoss: tf.Scalar;
  /** [B] per-question retrieval loss (0 without a correct block). */
  perQuestionRetrievalLoss: tf.Tensor1D;
  /** [B] per-question reader loss (0 without a correct span). */
  perQuestionReaderLoss: tf.Tensor1D;
};

/**
 * compute_loss for B questions: per question L_retr = logsumexp_i r_i − logsumexp_{i correct} r_i
 * and L_read = logsumexp over all k·C spans − logsumexp over the correct ones (one softmax across
 * the k blocks), each 0 when nothing is correct; the loss is the mean over questions of their sum.
 */
export function orqaLoss(inputs: OrqaLossInputs): OrqaLossOutputs {
  const { retrievalLogits, retrievalCorrect, readerLogits, readerCorrect } = inputs;
  const [B, c] = retrievalLogits.shape;
  if (retrievalCorrect.shape[0] !== B || retrievalCorrect.shape[1] !== c) {
    throw new Error(`orqaLoss: retrievalCorrect has shape [${retrievalCorrect.shape}], expected [${B}, ${c}]`);
  }
  const [readerBatch, k, C] = readerLogits.shape;
  if (readerBatch !== B) throw new Error(`orqaLoss: readerLogits has ${readerBatch} questions, retrievalLogits ${B}`);
  if (k > c) throw new Error(`orqaLoss: ${k} read blocks but only ${c} retrieved`);
  if (!tf.util.arraysEqual(readerCorrect.shape, readerLogits.shape)) {
    throw new Error(`orqaLoss: readerCorrect has shape [${readerCorrect.shape}], expected [${readerLogits.shape}]`);
  }
  return tf.tidy(() => {
    // [B]: marginalLogLoss already applies the any-correct gate of compute_loss
    const perQuestionRetrievalLoss = marginalLogLoss(retrievalLogits, retrievalCorrect) as tf.Tensor1D;
    // [B]: the k·C spans of a question form one softmax
    const perQuestionReaderLoss = marginalLogLoss(tf.reshape(readerLogits, [B, k * C]), tf.reshape(readerCorrect, [B, k * C])) as tf.Tensor1D;
    // []
    const retrievalLoss = tf.mean(perQuestionRetrievalLoss) as tf.Scalar;
    // []
    const readerLoss = tf.mean(perQuestionReaderLoss) as tf.Scalar;
    // []
    const loss = tf.add(retrievalLoss, readerLoss) as tf.Scalar;
    return { loss, retrievalLoss, readerLoss, perQuestionRetrievalLoss, perQuestionReaderLoss };
  });
}

/**
 * compute_correct_candidates for one block: 1 at the candidate index of every gold span (inclusive
 * sequence positions) that is a candidate of length `seqLen` with width ≤ maxSpanWidth; gold spans
 * that are not candidates (e.g. longer than maxSpanWidth) cannot be matched, as in ORQA.
 */
export function correctSpanVector(goldSpans: ReadonlyArray<readonly [number, number]>, seqLen: number, maxSpanWidth: number, numCandidates: number): Float32Array {
  const correct = new Float32Array(numCandidates);
  for (const [start, end] of goldSpans) {
    const index = spanCandidateIndex(start, end, seqLen, maxSpanWidth);
    if (index >= 0 && index < numCandidates) correct[index] = 1;
  }
  return correct;
}
