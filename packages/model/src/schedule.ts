// BERT's learning-rate schedule (linear warmup, then linear decay to 0) and REALM's warmup rule.
// Ports google-research/bert optimization.py: create_optimizer (tf.train.polynomial_decay with
// power 1, end 0, cycle False, plus the is_warmup blend) and language/realm/model.py's
// num_warmup_steps = min(10000, max(100, int(num_train_steps / 10))).

/** The three numbers `create_optimizer` takes besides the loss. */
export interface LinearScheduleOptions {
  /** Peak learning rate (init_lr). */
  learningRate: number;
  /** Step at which the rate reaches 0 (num_train_steps); later steps stay at 0. */
  numTrainSteps: number;
  /** Steps of linear warmup from 0 (num_warmup_steps); 0 disables warmup. */
  numWarmupSteps: number;
}

/**
 * REALM's warmup length for a run of `numTrainSteps` (model.py model_fn "Optimization"):
 * min(10000, max(100, int(T / 10))). The paper's 200k steps give 10,000; the launcher's 1,000 give 100.
 */
export function realmWarmupSteps(numTrainSteps: number): number {
  if (!Number.isInteger(numTrainSteps) || numTrainSteps < 1) {
    throw new Error(`realmWarmupSteps: numTrainSteps must be a positive integer, got ${numTrainSteps}`);
  }
  return Math.min(10000, Math.max(100, Math.trunc(numTrainSteps / 10)));
}

/**
 * The rate used by the update at global step `step` (0 for the first update, before the step is
 * incremented, so BERT's first update has rate 0 under warmup):
 * step < warmup → learningRate·step/warmup; otherwise learningRate·(1 − min(step, T)/T).
 */
export function linearWarmupDecay(step: number, options: LinearScheduleOptions): number {
  const { learningRate, numTrainSteps, numWarmupSteps } = options;
  if (!Number.isInteger(step) || step < 0) throw new Error(`linearWarmupDecay: step must be a non-negative integer, got ${step}`);
  if (!Number.isInteger(numTrainSteps) || numTrainSteps < 1) {
    throw new Error(`linearWarmupDecay: numTrainSteps must be a positive integer, got ${numTrainSteps}`);
  }
  if (!Number.isInteger(numWarmupSteps) || numWarmupSteps < 0) {
    throw new Error(`linearWarmupDecay: numWarmupSteps must be a non-negative integer, got ${numWarmupSteps}`);
  }
  if (numWarmupSteps > 0 && step < numWarmupSteps) return (learningRate * step) / numWarmupSteps;
  // polynomial_decay(power=1, end=0, cycle=False): the step is clamped to T.
  return learningRate * (1 - Math.min(step, numTrainSteps) / numTrainSteps);
}

/** A schedule as a function of the global step, for the optimizer. */
export type LearningRateSchedule = (step: number) => number;

/** `linearWarmupDecay` bound to its options. */
export function createLinearWarmupDecay(options: LinearScheduleOptions): LearningRateSchedule {
  linearWarmupDecay(0, options); // validates the options once, up front
  return (step) => linearWarmupDecay(step, options);
}
