// Heads on top of the encoder: the masked-LM head (bert/run_pretraining.py get_masked_lm_output,
// computed only at the masked positions) and the REALM/ORQA embedder projection
// (language/orqa/models/ict_model.py module_fn, the `projected` signature).
import * as tf from '@tensorflow/tfjs-core';
import { activation, BERT_LAYER_NORM_EPSILON, dense, dropout, layerNorm } from './layers.js';
import { bertForward, dropoutContext, type BertInputs, type ForwardOptions } from './model.js';
import { getVariable, PROJECTION_NAMES, type BertModel } from './variables.js';

/** Rows of `sequenceOutput` [B, T, H] at `positions` [B, M] (int32): [B·M, H]. Ports gather_indexes. */
export function gatherPositions(sequenceOutput: tf.Tensor3D, positions: tf.Tensor2D): tf.Tensor2D {
  const [B, T, H] = sequenceOutput.shape;
  const M = positions.shape[1];
  if (positions.shape[0] !== B) throw new Error(`positions has batch ${positions.shape[0]}, sequence output has batch ${B}`);
  return tf.tidy(() => {
  // [B, 1]: offset of each sequence in the flattened [B·T] rows
  const offsets = tf.reshape(tf.mul(tf.range(0, B, 1, 'int32'), tf.scalar(T, 'int32')), [B, 1]);
  // [B·M]
  const flatPositions = tf.reshape(tf.add(tf.cast(positions, 'int32'), offsets), [B * M]);
  // [B·M, H]
  return tf.gather(tf.reshape(sequenceOutput, [B * T, H]), flatPositions) as tf.Tensor2D;
  });
}

/**
 * Masked-LM logits [B, M, V] at `positions` [B, M] (int32) of `sequenceOutput` [B, T, H]: transform
 * dense + activation + LayerNorm, then · word_embeddingsᵀ + output_bias. Only the M gathered rows go
 * through the head. The result belongs to the caller.
 */
export function maskedLmLogits(model: BertModel, sequenceOutput: tf.Tensor3D, positions: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
  const { config } = model;
  const [B, M] = positions.shape;
  const v1 = (name: string): tf.Tensor1D => getVariable(model, `cls/predictions/${name}`) as tf.Tensor1D;
  // [B·M, H]
  const gathered = gatherPositions(sequenceOutput, positions);
  // [B·M, H]
  const transformed = activation(config.hidden_act)(dense(gathered, getVariable(model, 'cls/predictions/transform/dense/kernel') as tf.Tensor2D, v1('transform/dense/bias'))) as tf.Tensor2D;
  // [B·M, H]
  const normalized = layerNorm(transformed, v1('transform/LayerNorm/gamma'), v1('transform/LayerNorm/beta'), BERT_LAYER_NORM_EPSILON);
  // [H, V]: the output layer is tied to the input word embeddings
  const outputWeights = tf.transpose(getVariable(model, 'bert/embeddings/word_embeddings'));
  // [B·M, V]
  const logits = tf.add(tf.matMul(normalized, outputWeights), v1('output_bias'));
  return tf.reshape(logits, [B, M, config.vocab_size]) as tf.Tensor3D;
  });
}

/**
 * The `mlm` signature: BERT on `inputs`, then MLM logits [B, M, V] at `positions` [B, M].
 * Dropout only with `{ training: true, rng }`.
 */
export function bertMaskedLm(model: BertModel, inputs: BertInputs, positions: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
  return tf.tidy(() => maskedLmLogits(model, bertForward(model, inputs, options).sequenceOutput, positions));
}

/**
 * Weighted mean cross-entropy of MLM `logits` [B, M, V] against `labelIds` [B, M] with
 * `labelWeights` [B, M] (1 real, 0 padding): Σ w·(−log p(label)) / (Σ w + 1e-5), as
 * run_pretraining.py get_masked_lm_output. Returns a scalar owned by the caller.
 */
export function maskedLmLoss(logits: tf.Tensor3D, labelIds: tf.Tensor2D, labelWeights: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [B, M, V] = logits.shape;
    // [B·M, V]
    const logProbs = tf.logSoftmax(tf.reshape(logits, [B * M, V]));
    // [B·M]
    const perExampleLoss = tf.neg(tf.sum(tf.mul(logProbs, tf.oneHot(tf.reshape(tf.cast(labelIds, 'int32'), [B * M]), V)), -1));
    // [B·M]
    const weights = tf.reshape(tf.cast(labelWeights, 'float32'), [B * M]);
    // []
    return tf.div(tf.sum(tf.mul(weights, perExampleLoss)), tf.add(tf.sum(weights), 1e-5)) as tf.Scalar;
  });
}

/**
 * The embedder head on `pooledOutput` [B, H]: dense → LayerNorm → dropout (training only) → [B, P].
 * The result belongs to the caller.
 */
export function projectPooled(model: BertModel, pooledOutput: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
  const context = dropoutContext(options);
  const head = model.heads.projection;
  if (!head) throw new Error('this BERT model has no projection head (create or load it with heads.projection)');
  const v = (name: string): tf.Tensor => getVariable(model, name);
  return tf.tidy(() => {
  // [B, P]
  const projected = dense(pooledOutput, v(PROJECTION_NAMES.kernel) as tf.Tensor2D, v(PROJECTION_NAMES.bias) as tf.Tensor1D);
  // [B, P]: Keras LayerNormalization (epsilon 1e-3 by default)
  const normalized = layerNorm(projected, v(PROJECTION_NAMES.gamma) as tf.Tensor1D, v(PROJECTION_NAMES.beta) as tf.Tensor1D, head.layerNormEpsilon);
  return dropout(normalized, head.dropoutProb, context);
  });
}

/** The `projected` signature (REALM/ORQA retriever embedding): BERT pooled output → projection, [B, P]. */
export function embedProjected(model: BertModel, inputs: BertInputs, options: ForwardOptions = {}): tf.Tensor2D {
  return tf.tidy(() => {
    const { pooledOutput } = bertForward(model, inputs, options);
    if (!pooledOutput) throw new Error('the projection head needs a pooler (heads.pooler)');
    return projectPooled(model, pooledOutput, options);
  });
}

/**
 * Next-sentence logits [B, 2] from `pooledOutput` [B, H]: pooled · output_weightsᵀ + output_bias
 * (run_pretraining.py get_next_sentence_output). The result belongs to the caller.
 */
export function nextSentenceLogits(model: BertModel, pooledOutput: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    // [H, 2]
    const weights = tf.transpose(getVariable(model, 'cls/seq_relationship/output_weights'));
    // [B, 2]
    return tf.add(tf.matMul(pooledOutput, weights), getVariable(model, 'cls/seq_relationship/output_bias')) as tf.Tensor2D;
  });
}
