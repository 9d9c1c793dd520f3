// REALM's marginal-likelihood loss over retrieved candidates and ORQA's marginal log loss.
// Ports language/realm/model.py: model_fn ("Retrieve" softmax, "Compute marginal log-likelihood")
// and language/orqa/models/orqa_model.py: marginal_log_loss + mask_to_score + compute_loss's gating.
import * as tf from '@tensorflow/tfjs-core';

/** How the per-mask likelihoods are combined over candidates (realm-spec §2.5). */
export type RealmLossForm = 'per_token' | 'per_span';

/** The tensors the REALM loss needs; shapes with B batch, K candidates, M masks, V vocab. */
export interface RealmLossInputs {
  /** [B, K] retrieval scores f(x, z) = Embed(x)·Embed(z); candidate 0 is the null document. */
  retrievalScores: tf.Tensor2D;
  /** [B, K, M, V] reader MLM logits at the masked positions of each joint input. */
  mlmLogits: tf.Tensor4D;
  /** [B, M] int32 gold wordpiece ids (0 in padding slots). */
  mlmTargets: tf.Tensor2D;
  /** [B, M] 1 for real masks, 0 for padding (REALM's mlm_mask). */
  mlmMask: tf.Tensor2D;
}

/** Named outputs of `computeRealmLoss`; every tensor belongs to the caller (a type alias so tf.dispose accepts it). */
export type RealmLossOutputs = {
  /** [] the loss to minimise. */
  loss: tf.Scalar;
  /** [B, K] log p(z|x). */
  candidateLogProbs: tf.Tensor2D;
  /** [B, K, M] log p(y_j|z, x). */
  goldLogProbs: tf.Tensor3D;
  /** [B, M] per-token marginal log p̃(y_j|x) = logsumexp_z[log p(z|x) + log p(y_j|z, x)]. */
  marginalGoldLogProbs: tf.Tensor2D;
};

/**
 * logsumexp over the last axis, [..., V] → [...], whose gradient is dy·softmax(x). tf.logSumExp
 * subtracts max(x) for stability and differentiates through that shift too: the terms cancel
 * exactly, but tfjs still runs an Equal over the whole input (on wasm ~20 ms for the reader's
 * [16, 2, 6, 1356] logits, a tenth of a training step's non-matmul time).
 */
export const logSumExpLastAxis: (x: tf.Tensor) => tf.Tensor = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  // customGrad passes the inputs, then the save function.
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  // [...]
  const value = tf.logSumExp(x, -1);
  save([x]);
  return {
    value,
    // [..., V]: dy · softmax(x) (the softmax kernel shifts by the max, so it stays exact for large x)
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(tf.expandDims(dy, -1), tf.softmax(saved[0], -1)),
  };
}) as (x: tf.Tensor) => tf.Tensor;

/** log p(z|x) = log_softmax over the K candidate scores: [B, K] → [B, K]. */
export function retrievalLogProbs(retrievalScores: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.logSoftmax(retrievalScores, -1) as tf.Tensor2D);
}

/**
 * log p(y_j|z, x): the reader's log-softmax at each gold target, [B, K, M, V] logits and [B, M]
 * targets → [B, K, M]. Computed as logit[target] − logsumexp(logits), which equals model.py's
 * batch_gather on log_softmax without materialising the [B, K, M, V] log-probabilities twice.
 */
export function readerGoldLogProbs(mlmLogits: tf.Tensor4D, mlmTargets: tf.Tensor2D): tf.Tensor3D {
  const [B, K, M, V] = mlmLogits.shape;
  if (mlmTargets.shape[0] !== B || mlmTargets.shape[1] !== M) {
    throw new Error(`readerGoldLogProbs: mlmTargets has shape [${mlmTargets.shape}], expected [${B}, ${M}] to match mlmLogits [${mlmLogits.shape}]`);
  }
  return tf.tidy(() => {
    // [B, 1, M]: the same targets for every candidate (model.py tiles them over K)
    const targets = tf.reshape(tf.cast(mlmTargets, 'int32'), [B, 1, M]);
    // [B, K, M]: row r of the flattened [B·K·M, V] logits starts at r·V
    const rowOffsets = tf.reshape(tf.mul(tf.range(0, B * K * M, 1, 'int32'), tf.scalar(V, 'int32')), [B, K, M]);
    // [B·K·M]
    const flatIndices = tf.reshape(tf.add(rowOffsets, targets), [B * K * M]);
    // [B·K·M]
    const goldLogits = tf.gather(tf.reshape(mlmLogits, [B * K * M * V]), flatIndices);
    // [B, K, M]
    const logNormalizers = logSumExpLastAxis(mlmLogits);
    // [B, K, M]
    return tf.sub(tf.reshape(goldLogits, [B, K, M]), logNormalizers) as tf.Tensor3D;
  });
}

/**
 * Per-token marginalisation (the released code and the HF port):
 * log p̃(y_j|x) = logsumexp_z[log p(z|x) + log p(y_j|z, x)]; [B, K] and [B, K, M] → [B, M].
 */
export function marginalGoldLogProbs(candidateLogProbs: tf.Tensor2D, goldLogProbs: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    // [B, K, M]
    const joint = tf.add(tf.expandDims(candidateLogProbs, -1), goldLogProbs);
    // [B, M]
    return tf.logSumExp(joint, 1) as tf.Tensor2D;
  });
}

/**
 * Per-span marginalisation (the paper's equation): log p(y|x) = logsumexp_z[log p(z|x) +
 * Σ_j mask_j · log p(y_j|z, x)]; [B, K], [B, K, M], [B, M] → [B]. A query without masks gets
 * logsumexp_z log p(z|x) = 0.
 */
export function spanMarginalLogProbs(candidateLogProbs: tf.Tensor2D, goldLogProbs: tf.Tensor3D, mlmMask: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    // [B, 1, M]
    const mask = tf.expandDims(tf.cast(mlmMask, 'float32'), 1);
    // [B, K]: log Π_j p(y_j|z, x) over the real masks
    const spanLogProbs = tf.sum(tf.mul(goldLogProbs, mask), -1);
    // [B]
    return tf.logSumExp(tf.add(candidateLogProbs, spanLogProbs), 1) as tf.Tensor1D;
  });
}

/** numerator / denominator, 0 where the denominator is 0 (tf.div_no_nan); same shapes in and out. */
export function divNoNan(numerator: tf.Tensor, denominator: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    // [...]
    const isZero = tf.equal(denominator, 0);
    // [...]: a safe denominator of 1 where it is 0, then the quotient is zeroed there
    const quotient = tf.div(numerator, tf.where(isZero, tf.onesLike(denominator), denominator));
    return tf.where(isZero, tf.zerosLike(quotient), quotient);
  });
}

/** Σ values·weights / Σ weights with div_no_nan, as model.py averages over real masks: []. */
export function weightedMean(values: tf.Tensor, weights: tf.Tensor): tf.Scalar {
  return tf.tidy(() => divNoNan(tf.sum(tf.mul(values, weights)), tf.sum(weights)) as tf.Scalar);
}

/**
 * REALM's loss and the intermediate log-probabilities. 'per_token' is model.py's
 * L = −Σ mask·log p̃(y_j|x) / Σ mask. 'per_span' is the paper's −Σ_b log p(y_b|x_b) / Σ mask: it is
 * divided by the same number of real masked tokens so the two forms coincide when every span is one
 * wordpiece and stay on one per-token scale otherwise.
 */
export function computeRealmLoss(inputs: RealmLossInputs, form: RealmLossForm = 'per_token'): RealmLossOutputs {
  const { retrievalScores, mlmLogits, mlmTargets, mlmMask } = inputs;
  const [B, K] = retrievalScores.shape;
  if (mlmLogits.shape[0] !== B || mlmLogits.shape[1] !== K) {
    throw new Error(`computeRealmLoss: mlmLogits has shape [${mlmLogits.shape}], expected [${B}, ${K}, M, V] to match retrievalScores [${retrievalScores.shape}]`);
  }
  if (mlmMask.shape[0] !== B || mlmMask.shape[1] !== mlmLogits.shape[2]) {
    throw new Error(`computeRealmLoss: mlmMask has shape [${mlmMask.shape}], expected [${B}, ${mlmLogits.shape[2]}]`);
  }
  return tf.tidy(() => {
    // [B, K]
    const candidateLogProbs = retrievalLogProbs(retrievalScores);
    // [B, K, M]
    const goldLogProbs = readerGoldLogProbs(mlmLogits, mlmTargets);
    // [B, M]
    const marginal = marginalGoldLogProbs(candidateLogProbs, goldLogProbs);
    // [B, M]
    const floatMask = tf.cast(mlmMask, 'float32');
    let loss: tf.Scalar;
    if (form === 'per_token') {
      // []
      loss = tf.neg(weightedMean(marginal, floatMask));
    } else {
      // [B]
      const spanLogProbs = spanMarginalLogProbs(candidateLogProbs, goldLogProbs, floatMask as tf.Tensor2D);
      // []
      loss = tf.neg(divNoNan(tf.sum(spanLogProbs), tf.sum(floatMask))) as tf.Scalar;
    }
    return { loss, candidateLogProbs, goldLogProbs, marginalGoldLogProbs: marginal };
  });
}

/** ORQA's mask_to_score: 0 where the mask is 1, −10000 where it is 0 (not −∞). */
export function maskToScore(mask: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.sub(1, tf.cast(mask, 'float32')), -10000));
}

/**
 * ORQA's marginal_log_loss over the last axis: logsumexp(logits) − logsumexp(logits +
 * mask_to_score(isCorrect)), i.e. −log Σ_{correct} softmax(logits). Rows with no correct entry give
 * 0, which folds in compute_loss's `* any_correct` gate (without it they would cost ≈ 10000).
 * [..., N] logits and isCorrect (bool or 0/1) → [...] per-row losses.
 */
export function marginalLogLoss(logits: tf.Tensor, isCorrect: tf.Tensor): tf.Tensor {
  if (logits.shape.join(',') !== isCorrect.shape.join(',')) {
    throw new Error(`marginalLogLoss: isCorrect has shape [${isCorrect.shape}], expected logits' shape [${logits.shape}]`);
  }
  return tf.tidy(() => {
    // [...]
    const logNumerator = tf.logSumExp(tf.add(logits, maskToScore(isCorrect)), -1);
    // [...]
    const logDenominator = tf.logSumExp(logits, -1);
    // [...]: 1 where at least one entry is correct
    const anyCorrect = tf.cast(tf.greater(tf.max(tf.cast(isCorrect, 'float32'), -1), 0), 'float32');
    // [...]
    return tf.mul(tf.sub(logDenominator, logNumerator), anyCorrect);
  });
}
