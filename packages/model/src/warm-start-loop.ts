// The loop shared by the warm starts that run before REALM training (ICT for the embedder, masked
// LM for the reader): one batch per step, gradients of its loss over named variables, BERT's
// AdamW, a progress report, until numTrainSteps or maxSeconds (whichever comes first).
import * as tf from '@tensorflow/tfjs-core';
import type { AdamWeightDecayOptimizer } from './optimizer.js';

/** One step's work: the loss to differentiate, then (after the update) its batch accuracy. */
export interface WarmStartStep {
  /** The batch loss; it may tf.keep tensors that `accuracy` reads. */
  loss(): tf.Scalar;
  /** Accuracy of the batch, from what `loss` kept (the prediction before the update). */
  accuracy(): number;
  /** Frees what `loss` kept. */
  dispose(): void;
}

/** Progress of one step. */
export interface WarmStartReport {
  step: number;
  loss: number;
  /** The step's batch accuracy, before the update. */
  accuracy: number;
  learningRate: number;
  /** Global L2 norm of the gradients before clipping. */
  globalNorm: number;
  elapsedSeconds: number;
}

/** One loss and accuracy per step. */
export interface WarmStartResult {
  losses: number[];
  accuracy: number[];
  steps: number;
  seconds: number;
}

/**
 * Runs `nextStep` batches through `optimizer` (built over `variables`, keyed by the names it
 * knows) until it has taken `numTrainSteps` steps, `maxSeconds` have passed or `signal` aborts
 * (checked between steps); disposes the
 * optimizer at the end. Variables that get no gradient (off the loss path) are not updated.
 */
export async function runWarmStartLoop(
  variables: ReadonlyMap<string, tf.Variable>,
  optimizer: AdamWeightDecayOptimizer,
  limits: { numTrainSteps: number; maxSeconds: number | null; signal?: AbortSignal },
  nextStep: () => WarmStartStep,
  onProgress?: (report: WarmStartReport) => void,
): Promise<WarmStartResult> {
  const nameOf = new Map([...variables].map(([name, variable]) => [variable.name, name]));
  const losses: number[] = [];
  const accuracy: number[] = [];
  const start = performance.now();
  const elapsed = (): number => (performance.now() - start) / 1000;
  try {
    while (optimizer.step < limits.numTrainSteps && (limits.maxSeconds === null || elapsed() < limits.maxSeconds) && !limits.signal?.aborted) {
      const step = nextStep();
      const { value, grads } = tf.variableGrads(() => step.loss(), [...variables.values()]);
      const gradients = new Map<string, tf.Tensor>();
      for (const [engineName, gradient] of Object.entries(grads)) if (gradient !== null) gradients.set(nameOf.get(engineName) as string, gradient);
      try {
        const update = optimizer.applyGradients(gradients);
        const report: WarmStartReport = {
          step: update.step,
          loss: value.dataSync()[0],
          accuracy: step.accuracy(),
          learningRate: update.learningRate,
          globalNorm: update.globalNorm,
          elapsedSeconds: elapsed(),
        };
        losses.push(report.loss);
        accuracy.push(report.accuracy);
        onProgress?.(report);
      } finally {
        tf.dispose([value, ...gradients.values()]);
        step.dispose();
      }
      // Let timers and I/O run between steps (progress, signals).
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    optimizer.dispose();
  }
  return { losses, accuracy, steps: losses.length, seconds: elapsed() };
}
