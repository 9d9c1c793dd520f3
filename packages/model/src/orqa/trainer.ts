// The ORQA fine-tuning step: retrieve the top c blocks (MIPS, outside the gradient), recompute their
// logits with gradient, read the top k, minimise retrieval + reader marginal losses and apply BERT's
// AdamW with warmup/decay and global-norm clipping. Ports language/orqa/models/orqa_model.py model_fn
// (TRAIN mode) with bert/optimization.py create_optimizer.
import * as tf from '@tensorflow/tfjs-core';
import type { RandomSource } from '@realm/bert';
import { AdamWeightDecayOptimizer, GLOBAL_STEP_NAME } from '../optimizer.js';
import { drawSeed, stepRandomSource } from '../realm/step-random.js';
import { createLinearWarmupDecay, type LearningRateSchedule } from '../schedule.js';
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
  private readonly variables: Map<string, tf.Variable>;
  private readonly variableList: tf.Variable[];
  private readonly orqaNameOf = new Map<string, string>();
  private readonly optimizer: AdamWeightDecayOptimizer;
  private dropoutSeed: number;

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
    this.variables = orqaVariables(model);
    this.variableList = [...this.variables.values()];
    for (const [name, variable] of this.variables) this.orqaNameOf.set(variable.name, name);
    this.numWarmupSteps = resolveOrqaWarmupSteps(config);
    this.schedule = createLinearWarmupDecay({ learningRate: config.learningRate, numTrainSteps: config.numTrainSteps, numWarmupSteps: this.numWarmupSteps });
    this.optimizer = new AdamWeightDecayOptimizer(this.variables, {
      learningRate: this.schedule,
      weightDecayRate: config.weightDecayRate,
      beta1: config.adamBeta1,
      beta2: config.adamBeta2,
      epsilon: config.adamEpsilon,
      excludeFromWeightDecay: config.excludeFromWeightDecay,
      clipNorm: config.clipNorm,
      learningRateMultipliers: [
        { prefix: ORQA_VARIABLE_PREFIXES.questionEmbedder, multiplier: config.questionEmbedderLearningRateMultiplier },
        { prefix: ORQA_VARIABLE_PREFIXES.documentEmbedder, multiplier: config.questionEmbedderLearningRateMultiplier },
      ],
    });
    this.dropoutSeed = drawSeed(rng);
  }

  get globalStep(): number {
    return this.optimizer.step;
  }

  /** The trained variables by prefixed name (the model's own). */
  get trainedVariables(): ReadonlyMap<string, tf.Variable> {
    return this.variables;
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
    return { training: true, rng: stepRandomSource(this.dropoutSeed, step), questionEmbedderTraining: this.model.config.questionEmbedderDropout };
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
    }, this.variableList);
    const gradients = new Map<string, tf.Tensor>();
    for (const [engineName, gradient] of Object.entries(grads)) {
      if (gradient === null) continue;
      gradients.set(this.orqaNameOf.get(engineName) as string, gradient);
    }
    return { loss: value, retrievalLoss: retrievalLoss as tf.Scalar, readerLoss: readerLoss as tf.Scalar, gradients };
  }

  /** One update on a batch of questions; returns the batch's metrics and the update's rate and norm. */
  async step(examples: readonly OrqaExample[]): Promise<OrqaStepMetrics> {
    const step = this.globalStep;
    const batch = await this.prepare(examples, step);
    const result = this.computeGradients(batch, step);
    try {
      const update = this.optimizer.applyGradients(result.gradients);
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

  /** Optimizer slots, global_step and the dropout seed as named tensors (copies owned by the caller); the weights are saved with saveOrqaModel. */
  exportState(): Map<string, tf.Tensor> {
    const state = this.optimizer.exportState();
    state.set(ORQA_DROPOUT_SEED_NAME, tf.scalar(this.dropoutSeed, 'int32'));
    return state;
  }

  /** Restores exportState output (every slot, global_step and the seed must be present). */
  importState(state: ReadonlyMap<string, tf.Tensor>): void {
    const seed = state.get(ORQA_DROPOUT_SEED_NAME);
    if (seed === undefined || seed.size !== 1) throw new Error(`OrqaTrainer.importState: missing scalar "${ORQA_DROPOUT_SEED_NAME}"`);
    const optimizerState = new Map<string, tf.Tensor>();
    for (const [name, tensor] of state) {
      if (name === GLOBAL_STEP_NAME || /\/adam_[mv]$/.test(name)) optimizerState.set(name, tensor);
      else if (name !== ORQA_DROPOUT_SEED_NAME) throw new Error(`OrqaTrainer.importState: unexpected tensor "${name}"`);
    }
    this.optimizer.importState(optimizerState);
    this.dropoutSeed = seed.dataSync()[0];
  }

  /** Frees the optimizer slots (the model, index and blocks belong to the caller). */
  dispose(): void {
    this.optimizer.dispose();
  }
}
