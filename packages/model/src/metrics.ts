// REALM pre-training metrics: retrieval_utility and off_policy_delay_mins (language/realm/model.py:
// model_fn "Evaluation" + add_mean_metric's tf.metrics.mean), plus masked-token accuracies, which
// model.py does not compute (realm-spec §6.1) and are added here as diagnostics.
import * as tf from '@tensorflow/tfjs-core';
import { weightedMean } from './losses.js';

/**
 * retrieval_utility: mean over real masks of log p̃(y_j|x) − log p(y_j|∅, x), where candidate 0 is
 * the null document. [B, M], [B, K, M], [B, M] → []. Positive when retrieval helps.
 */
export function retrievalUtility(marginalGoldLogProbs: tf.Tensor2D, goldLogProbs: tf.Tensor3D, mlmMask: tf.Tensor2D): tf.Scalar {
  const [B, K, M] = goldLogProbs.shape;
  if (K < 1) throw new Error('retrievalUtility: goldLogProbs has no candidates (candidate 0 must be the null document)');
  return tf.tidy(() => {
    // [B, M]: log p(y_j|∅, x)
    const nullGoldLogProbs = tf.reshape(tf.slice(goldLogProbs, [0, 0, 0], [B, 1, M]), [B, M]);
    // [B, M]
    const utility = tf.sub(marginalGoldLogProbs, nullGoldLogProbs);
    // []
    return weightedMean(utility, tf.cast(mlmMask, 'float32'));
  });
}

/**
 * The most likely wordpiece under the marginal predictive distribution
 * p̃(v|x) = Σ_z p(z|x) p(v|z, x): argmax_v logsumexp_z[log p(z|x) + log_softmax(logits)_v].
 * [B, K] and [B, K, M, V] → [B, M] int32.
 */
export function marginalPredictions(candidateLogProbs: tf.Tensor2D, mlmLogits: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    // [B, K, M, V]
    const readerLogProbs = tf.logSoftmax(mlmLogits, -1);
    // [B, K, 1, 1]
    const retrieval = tf.reshape(candidateLogProbs, [...candidateLogProbs.shape, 1, 1]);
    // [B, M, V]
    const marginal = tf.logSumExp(tf.add(readerLogProbs, retrieval), 1);
    // [B, M]
    return tf.argMax(marginal, -1) as tf.Tensor2D;
  });
}

/** The reader's prediction given the null document (candidate 0) alone: [B, K, M, V] → [B, M] int32. */
export function nullDocumentPredictions(mlmLogits: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, , M, V] = mlmLogits.shape;
    // [B, M, V]
    const nullLogits = tf.reshape(tf.slice(mlmLogits, [0, 0, 0, 0], [B, 1, M, V]), [B, M, V]);
    // [B, M]
    return tf.argMax(nullLogits, -1) as tf.Tensor2D;
  });
}

/** Fraction of real masks whose prediction equals the target (0 when there are none): []. */
export function maskedAccuracy(predictions: tf.Tensor2D, mlmTargets: tf.Tensor2D, mlmMask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    // [B, M]
    const correct = tf.cast(tf.equal(tf.cast(predictions, 'int32'), tf.cast(mlmTargets, 'int32')), 'float32');
    // []
    return weightedMean(correct, tf.cast(mlmMask, 'float32'));
  });
}

/** Per-batch REALM metrics; every tensor belongs to the caller. */
export type RealmMetrics = {
  /** [] model.py's retrieval_utility (the best-export criterion). */
  retrievalUtility: tf.Scalar;
  /** [] masked-token accuracy of the marginal over all K candidates. */
  accuracyWithRetrieval: tf.Scalar;
  /** [] masked-token accuracy of the reader given the null document only. */
  accuracyNullDocument: tf.Scalar;
};

/** All per-batch metrics from the loss intermediates and the reader logits. */
export function computeRealmMetrics(
  tensors: { candidateLogProbs: tf.Tensor2D; goldLogProbs: tf.Tensor3D; marginalGoldLogProbs: tf.Tensor2D },
  mlmLogits: tf.Tensor4D,
  mlmTargets: tf.Tensor2D,
  mlmMask: tf.Tensor2D,
): RealmMetrics {
  return tf.tidy(() => ({
    retrievalUtility: retrievalUtility(tensors.marginalGoldLogProbs, tensors.goldLogProbs, mlmMask),
    accuracyWithRetrieval: maskedAccuracy(marginalPredictions(tensors.candidateLogProbs, mlmLogits), mlmTargets, mlmMask),
    accuracyNullDocument: maskedAccuracy(nullDocumentPredictions(mlmLogits), mlmTargets, mlmMask),
  }));
}

/**
 * off_policy_delay_mins per example: (now − export_timestamp) / 60, and 0 for examples retrieved
 * with the initial index (timestamp 0). Timestamps and `nowSeconds` are Unix seconds.
 */
export function offPolicyDelayMins(exportTimestamps: ArrayLike<number>, nowSeconds: number): Float64Array {
  const delays = new Float64Array(exportTimestamps.length);
  for (let i = 0; i < exportTimestamps.length; i++) {
    const timestamp = exportTimestamps[i];
    delays[i] = timestamp > 0 ? (nowSeconds - timestamp) / 60 : 0;
  }
  return delays;
}

/**
 * tf.metrics.mean: a running weighted mean of every value passed to `update` since the last
 * `reset` (model.py feeds it one per-batch scalar, or one value per example for the delay).
 * `result()` is 0 before any update, as div_no_nan gives.
 */
export class MeanMetric {
  private total = 0;
  private count = 0;

  constructor(readonly name: string) {}

  /** Adds values (a number or every element of an array), each with `weight`. */
  update(values: number | ArrayLike<number>, weight = 1): void {
    const list = typeof values === 'number' ? [values] : values;
    for (let i = 0; i < list.length; i++) {
      this.total += list[i] * weight;
      this.count += weight;
    }
  }

  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }

  reset(): void {
    this.total = 0;
    this.count = 0;
  }
}
