// The ICT objective: embed pseudo-queries and blocks with the `projected` embedder, score every
// query against every block of the batch (Q·Bᵀ) and take softmax cross-entropy with each query's
// own block (the diagonal) as the label. Ports language/orqa/models/ict_model.py model_fn
// (non-TPU branch: labels = range(batch)).
import * as tf from '@tensorflow/tfjs-core';
import { embedProjected, type BertModel, type ForwardOptions } from '@realm/bert';
import { flatInputTensors } from '../padding.js';
import type { IctBatch } from './examples.js';

/** The two encoders; the same model twice when shared (ORQA's released ICT module). */
export interface IctEncoders {
  query: BertModel;
  block: BertModel;
}

/** A BertModel (shared) or separate query/block encoders, as IctEncoders. */
export function ictEncoders(embedders: BertModel | IctEncoders): IctEncoders {
  return 'query' in embedders ? embedders : { query: embedders, block: embedders };
}

/** In-batch retrieval logits [B, B]: row i scores query i against every block of the batch. Owned by the caller. */
export function ictLogits(encoders: IctEncoders, batch: IctBatch, options: ForwardOptions = {}): tf.Tensor2D {
  const B = batch.blockIndices.length;
  return tf.tidy(() => {
    // [B, P]
    const queryEmbeddings = embedProjected(encoders.query, flatInputTensors(batch.queries, B), options);
    // [B, P]
    const blockEmbeddings = embedProjected(encoders.block, flatInputTensors(batch.blocks, B), options);
    // [B, B]
    return tf.matMul(queryEmbeddings, tf.transpose(blockEmbeddings));
  });
}

/** Mean softmax cross-entropy of `logits` [B, B] with label i for row i (sparse_softmax_cross_entropy): []. */
export function ictLoss(logits: tf.Tensor2D): tf.Scalar {
  const [B, N] = logits.shape;
  if (B !== N) throw new Error(`ictLoss: logits must be square [B, B] (in-batch negatives), got [${logits.shape}]`);
  return tf.tidy(() => {
    // [B, B]
    const logProbs = tf.logSoftmax(logits, -1);
    // [B]: the diagonal log p(own block | query)
    const own = tf.sum(tf.mul(logProbs, tf.eye(B)), -1);
    // []
    return tf.neg(tf.mean(own)) as tf.Scalar;
  });
}

/** Per-row correctness of argmax(logits) = own block, [B, B] → number[] of 0/1. */
export function ictCorrect(logits: tf.Tensor2D): number[] {
  const predictions = tf.tidy(() => tf.argMax(logits, -1));
  try {
    return Array.from(predictions.dataSync(), (prediction, row) => (prediction === row ? 1 : 0));
  } finally {
    predictions.dispose();
  }
}
