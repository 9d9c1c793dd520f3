// The ORQA fine-tuning step: retrieve the top c blocks (MIPS, outside the gradient), recompute their
// logits with gradient, read the top k, minimise retrieval + reader marginal losses and apply BERT's
// AdamW with warmup/decay and global-norm clipping. Ports language/orqa/models/orqa_model.py model_fn
// (TRAIN mode) with bert/optimization.py create_optimizer.
import * as tf from '@tensorflow/tfjs-core';
import type { RandomSource } from '@realm/bert';
import type { LearningRateSchedule } from '../schedule.js';
import { TrainerCore, type TrainerStateScope } from '../trainer-core.js';
import { resolveOrqaWarmupSteps } from './config.js';
import { orqaForward, prepareOrqaBatch, type OrqaBlockSource, type OrqaExample, type OrqaRetrievalIndex, type PreparedOrqaBatch } from './forward.js';
import { orqaLoss } from './losses.js';
import { ORQA_VARIABLE_PREFIXES, orqaVariables, type OrqaModel } from './orqa-model.js';
import { evaluateOrqa, type OrqaEvaluatedQuestion } from './predict.js';

/** Metrics of one training step (the batch's, before the update). */
export interface OrqaStepMetrics {
  /** Global step of this update (0 for the first). */
  step: number;
  learningRate: number;
  /** Global gradient norm before clipping. */
  globalNorm: number;
  /** Mean over questions of retrieval + reader loss. */
  loss: number;
  retrievalLoss: number;
  readerLoss: number;
  /** Fraction of questions with an answer-bearing block among the top c (retrieval loss active). */
  recallInTopC: number;
  /** Fraction of questions with a gold span in the top k blocks (reader loss active). */
  readerOracle: number;
}

/** Name of the dropout-stream seed in exported state. */
export const ORQA_DROPOUT_SEED_NAME = 'realm_ts/orqa_dropout_seed';

const WHOLE_STATE: TrainerStateScope = { includeVariables: true };
const OPTIMIZER_STATE: TrainerStateScope = { includeVariables: false };

/** Fraction of the B groups of `size` values that hold a nonzero value. */
function fractionWithAny(values: Float32Array, groups: number, size: number): number {
  let count = 0;
  for (let g = 0; g < groups; g++) {
    for (let i = g * size; i < (g + 1) * size; i++) {
      if (values[i]) {
        count++;
        break;
      }
    }
  }
  return count / groups;
}

/**
 * Fine-tunes an OrqaModel against a frozen block index: the question encoder, the reader BERT and
 * the span head (plus the document embedder with config.trainDocumentEmbedder). Hyper-parameters
 * come from model.config. Dropout masks of step n depend only on (the seed drawn from `rng`, n).
 */
export class OrqaTrainer {
  readonly schedule: LearningRateSchedule;
  readonly numWarmupSteps: number;
  /** The prefixed ORQA variables, their optimizer, the dropout seed and the state export/import. */
  private readonly core: TrainerCore;

  constructor(
    readonly model: OrqaModel,
    readonly index: OrqaRetrievalIndex,
    readonly blocks: OrqaBlockSource,
    rng: RandomSource,
  ) {
    const config = model.config;
    if (config.trainDocumentEmbedder && !blocks.documentInputs) {
      throw new Error('OrqaTrainer: trainDocumentEmbedder needs a block source with documentInputs(id)');
    }
    this.numWarmupSteps = resolveOrqaWarmupSteps(config);
    this.core = new TrainerCore(
      orqaVariables(model),
      { ...config, numWarmupSteps: this.numWarmupSteps },
      { prefixes: [ORQA_VARIABLE_PREFIXES.questionEmbedder, ORQA_VARIABLE_PREFIXES.documentEmbedder], multiplier: config.questionEmbedderLearningRateMultiplier },
      rng,
      ORQA_DROPOUT_SEED_NAME,
    );
    this.schedule = this.core.schedule;
  }

  /** Number of updates applied so far (the global step). */
  get globalStep(): number {
    return this.core.step;
  }

  /** The trained variables by prefixed name (the model's own). */
  get trainedVariables(): ReadonlyMap<string, tf.Variable> {
    return this.core.variables;
  }

  /** Blocks retrieved per question in training: retrieverBeamSize, capped at the index size. */
  get numRetrieved(): number {
    return Math.min(this.model.config.retrieverBeamSize, this.index.size);
  }

  /**
   * Retrieval and labels for `examples` at `step`, with the question-encoder dropout of that step
   * (so the search sees the h_q the gradient pass recomputes).
   */
  async prepare(examples: readonly OrqaExample[], step: number = this.globalStep): Promise<PreparedOrqaBatch> {
    const k = this.model.config.readerBeamSize;
    const c = this.numRetrieved;
    if (k > c) throw new Error(`OrqaTrainer: readerBeamSize ${k} exceeds the ${c} blocks in the index`);
    return prepareOrqaBatch(this.model, examples, this.index, this.blocks, { numRetrieved: c, numRead: k }, this.forwardOptions(step));
  }

  private forwardOptions(step: number): { training: boolean; rng: RandomSource; questionEmbedderTraining: boolean } {
    return { training: true, rng: this.core.stepRandom(step), questionEmbedderTraining: this.model.config.questionEmbedderDropout };
  }

  /**
   * Loss and gradients of a prepared batch without applying them (gradients by prefixed name;
   * variables the loss does not reach are absent). Everything returned belongs to the caller.
   */
  computeGradients(batch: PreparedOrqaBatch, step: number = this.globalStep): { loss: tf.Scalar; retrievalLoss: tf.Scalar; readerLoss: tf.Scalar; gradients: Map<string, tf.Tensor> } {
    let retrievalLoss: tf.Scalar | undefined;
    let readerLoss: tf.Scalar | undefined;
    const { numQuestions: B, numRetrieved: c, numRead: k } = batch;
    const { value, grads } = tf.variableGrads(() => {
      const forward = orqaForward(this.model, batch, this.blocks, this.forwardOptions(step));
      const C = forward.readerLogits.shape[2];
      const outputs = orqaLoss({
        retrievalLogits: forward.retrievalLogits,
        retrievalCorrect: tf.tensor2d(batch.retrievalCorrect, [B, c]),
        readerLogits: forward.readerLogits,
        readerCorrect: tf.tensor3d(batch.readerCorrect, [B, k, C]),
      });
      retrievalLoss = tf.keep(outputs.retrievalLoss);
      readerLoss = tf.keep(outputs.readerLoss);
      return outputs.loss;
    }, this.core.variableList);
    return { loss: value, retrievalLoss: retrievalLoss as tf.Scalar, readerLoss: readerLoss as tf.Scalar, gradients: this.core.namedGradients(grads) };
  }

  /** One update on a batch of questions; returns the batch's metrics and the update's rate and norm. */
  async step(examples: readonly OrqaExample[]): Promise<OrqaStepMetrics> {
    const step = this.globalStep;
    const batch = await this.prepare(examples, step);
    const result = this.computeGradients(batch, step);
    try {
      const update = this.core.optimizer.applyGradients(result.gradients);
      return {
        step,
        learningRate: update.learningRate,
        globalNorm: update.globalNorm,
        loss: result.loss.dataSync()[0],
        retrievalLoss: result.retrievalLoss.dataSync()[0],
        readerLoss: result.readerLoss.dataSync()[0],
        recallInTopC: fractionWithAny(batch.retrievalCorrect, batch.numQuestions, batch.numRetrieved),
        readerOracle: fractionWithAny(batch.readerCorrect, batch.numQuestions, batch.readerCorrect.length / batch.numQuestions),
      };
    } finally {
      tf.dispose([result.loss, result.retrievalLoss, result.readerLoss, ...result.gradients.values()]);
    }
  }

  /** EVAL mode (dropout off, no update): predictions and per-question metrics (see evaluateOrqa). */
  async evaluate(examples: readonly OrqaExample[], options: { isRegex?: boolean } = {}): Promise<OrqaEvaluatedQuestion[]> {
    return evaluateOrqa(this.model, examples, this.index, this.blocks, options);
  }

  /**
   * The whole training state as named tensors (copies owned by the caller), as RealmTrainer's:
   * every trained variable under its prefixed name (ORQA_VARIABLE_PREFIXES), the optimizer slots
   * `<name>/adam_m`, `<name>/adam_v`, `global_step` and the dropout seed. A trainer of the same
   * config over the same index and blocks that imports it takes exactly the steps this one would.
   */
  exportState(): Map<string, tf.Tensor> {
    return this.core.exportState(WHOLE_STATE);
  }

  /** Restores exportState output; every variable (with its shape), slot and counter must be present and nothing else. */
  importState(state: ReadonlyMap<string, tf.Tensor>): void {
    this.core.importState('OrqaTrainer.importState', state, WHOLE_STATE);
  }

  /** exportState without the variables (slots, global_step, dropout seed): saveOrqaModel's trainer.ckpt, whose weights are saved beside it. */
  exportOptimizerState(): Map<string, tf.Tensor> {
    return this.core.exportState(OPTIMIZER_STATE);
  }

  /** Restores exportOptimizerState output (every slot, global_step and the seed must be present); the variables are left as they are. */
  importOptimizerState(state: ReadonlyMap<string, tf.Tensor>): void {
    this.core.importState('OrqaTrainer.importOptimizerState', state, OPTIMIZER_STATE);
  }

  /** Frees the optimizer slots (the model, index and blocks belong to the caller). */
  dispose(): void {
    this.core.dispose();
  }
}
