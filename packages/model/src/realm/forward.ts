// REALM's forward pass: embed the query and re-embed its K candidates with the current weights,
// score them by inner product, and read every joint input with the masked-LM reader.
// Ports language/realm/model.py model_fn, sections "Retrieve." and "Read.".
import * as tf from '@tensorflow/tfjs-core';
import { bertForward, embedProjected, maskedLmLogits, type RandomSource } from '@realm/bert';
import type { RealmExample } from '@realm/data';
import { disposeRealmBatch, stackRealmBatch, type RealmBatchTensors } from './batch.js';
import { trimTrailingPadding } from '../padding.js';
import type { RealmModel } from './realm-model.js';

/** Dropout on (training) or off; `rng` seeds every dropout mask when training. */
export interface RealmForwardOptions {
  training: boolean;
  rng?: RandomSource;
  /**
   * Dropout in the embedders; defaults to `training`. The reference loads the embedder with the
   * "train" tag, so it is on while training (RealmTrainConfig.embedderDropoutInTraining).
   */
  embedderTraining?: boolean;
}

/** Outputs owned by the caller (tf.dispose them). B batch, K candidates, M masks, V vocab, P projection. */
export type RealmForwardOutputs = {
  /** [B, P] Embed_input(x) */
  queryEmbeddings: tf.Tensor2D;
  /** [B, K, P] Embed_doc(z) recomputed for the K candidates */
  candidateEmbeddings: tf.Tensor3D;
  /** [B, K] f(x, z) = Embed_input(x) · Embed_doc(z) */
  retrievalScores: tf.Tensor2D;
  /** [B, K, M, V] reader MLM logits at mlm_positions of each joint input */
  mlmLogits: tf.Tensor4D;
};

/**
 * The forward pass over already-stacked batch tensors (see stackRealmBatch); differentiable with
 * respect to the query embedder, the document embedder and the reader.
 */
export function realmForwardTensors(model: RealmModel, inputs: RealmBatchTensors, options: RealmForwardOptions): RealmForwardOutputs {
  const { numCandidates: K } = model.config;
  const training = options.training;
  const embedderOptions = { training: options.embedderTraining ?? training, rng: options.rng };
  const readerOptions = { training, rng: options.rng };
  return tf.tidy(() => {
    const [B, M] = inputs.mlmPositions.shape;
    // ==============================
    // Retrieve.
    // ==============================
    // [B, P]
    // Every BERT call skips the batch's all-padding tail columns (exact; see padding.ts).
    const queryEmbeddings = embedProjected(model.queryEmbedder, trimTrailingPadding(inputs.queryInputs), embedderOptions);
    const P = queryEmbeddings.shape[1];
    // [B·K, P]: all candidates in one batched call
    const flatCandidateEmbeddings = embedProjected(model.documentEmbedder, trimTrailingPadding(inputs.candidateInputs), embedderOptions);
    // [B, K, P]
    const candidateEmbeddings = tf.reshape(flatCandidateEmbeddings, [B, K, P]) as tf.Tensor3D;
    // [B, K]: einsum("BD,BND->BN") as a batched matmul [B, 1, P] × [B, P, K]
    const retrievalScores = tf.reshape(
      tf.matMul(tf.reshape(queryEmbeddings, [B, 1, P]), tf.transpose(candidateEmbeddings, [0, 2, 1])),
      [B, K],
    ) as tf.Tensor2D;
    // ==============================
    // Read.
    // ==============================
    // [B·K, M]: the same positions for every candidate (they address the query part of each joint input)
    const flatPositions = tf.reshape(tf.tile(tf.expandDims(inputs.mlmPositions, 1), [1, K, 1]), [B * K, M]) as tf.Tensor2D;
    // [B·K, ≤ Q+C, H]: the positions address the query part, which the trim never cuts
    const { sequenceOutput } = bertForward(model.reader, trimTrailingPadding(inputs.jointInputs), readerOptions);
    // [B·K, M, V]
    const flatMlmLogits = maskedLmLogits(model.reader, sequenceOutput, flatPositions);
    // [B, K, M, V]
    const mlmLogits = tf.reshape(flatMlmLogits, [B, K, M, model.config.reader.vocab_size]) as tf.Tensor4D;
    return { queryEmbeddings, candidateEmbeddings, retrievalScores, mlmLogits };
  }) as RealmForwardOutputs;
}

/** realmForward on RealmExamples: stacks (and checks) the batch, runs the pass, frees the inputs. */
export function realmForward(model: RealmModel, batch: readonly RealmExample[], options: RealmForwardOptions): RealmForwardOutputs {
  const inputs = stackRealmBatch(batch, model.config);
  try {
    return realmForwardTensors(model, inputs, options);
  } finally {
    disposeRealmBatch(inputs);
  }
}
