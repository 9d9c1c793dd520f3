// What the REALM and ORQA trainers share: bert/optimization.py create_optimizer over their named
// variables (linear warmup/decay + AdamW, embedders at their own rate factor), gradient renaming
// from tfjs engine names, the per-step dropout stream, and the named state (variables, AdamW slots,
// global_step, dropout seed) that exact resume exports and imports (the Estimator's model.ckpt-N).
import * as tf from '@tensorflow/tfjs-core';
import type { RandomSource } from '@realm/bert';
import { AdamWeightDecayOptimizer, GLOBAL_STEP_NAME } from './optimizer.js';
import { drawSeed, stepRandomSource } from './realm/step-random.js';
import { createLinearWarmupDecay, type LearningRateSchedule } from './schedule.js';

/** create_optimizer's hyper-parameters (both trainers' configs carry them under these names). */
export interface BertOptimizerSettings {
  learningRate: number;
  numTrainSteps: number;
  /** Resolved (never null). */
  numWarmupSteps: number;
  weightDecayRate: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEpsilon: number;
  excludeFromWeightDecay: readonly string[];
  clipNorm: number;
  /** Adam's bias correction (off: BERT's optimizer). */
  adamBiasCorrection?: boolean;
}

/** The embedder variables (by name prefix) and the factor on their learning rate. */
export interface EmbedderLearningRate {
  prefixes: readonly string[];
  multiplier: number;
}

/** Which state a call covers: the model variables too, or only the optimizer side (slots, global_step, seed). */
export interface TrainerStateScope {
  includeVariables: boolean;
}

/**
 * The named variables of a trainer with their optimizer and dropout seed; the model (and so the
 * variables) belong to the caller. Dropout masks of step n come from (seed, n) only, so a core
 * restored with importState continues exactly as an uninterrupted one.
 */
export class TrainerCore {
  readonly schedule: LearningRateSchedule;
  readonly optimizer: AdamWeightDecayOptimizer;
  readonly variableList: tf.Variable[];
  /** tfjs's engine name of each variable → its prefixed name. */
  private readonly nameOf = new Map<string, string>();
  private dropoutSeed: number;

  /** `rng` gives the dropout seed; `seedName` is its tensor's name in the exported state. */
  constructor(
    readonly variables: Map<string, tf.Variable>,
    settings: BertOptimizerSettings,
    embedderRate: EmbedderLearningRate,
    rng: RandomSource,
    private readonly seedName: string,
  ) {
    this.variableList = [...variables.values()];
    for (const [name, variable] of variables) this.nameOf.set(variable.name, name);
    this.schedule = createLinearWarmupDecay({ learningRate: settings.learningRate, numTrainSteps: settings.numTrainSteps, numWarmupSteps: settings.numWarmupSteps });
    this.optimizer = new AdamWeightDecayOptimizer(variables, {
      learningRate: this.schedule,
      weightDecayRate: settings.weightDecayRate,
      beta1: settings.adamBeta1,
      beta2: settings.adamBeta2,
      epsilon: settings.adamEpsilon,
      excludeFromWeightDecay: settings.excludeFromWeightDecay,
      clipNorm: settings.clipNorm,
      biasCorrection: settings.adamBiasCorrection ?? false,
      learningRateMultipliers: embedderRate.prefixes.map((prefix) => ({ prefix, multiplier: embedderRate.multiplier })),
    });
    this.dropoutSeed = drawSeed(rng);
  }

  /** Updates applied so far (the global step). */
  get step(): number {
    return this.optimizer.step;
  }

  /** The dropout stream of `step`. */
  stepRandom(step: number): RandomSource {
    return stepRandomSource(this.dropoutSeed, step);
  }

  /** tf.variableGrads' gradients by prefixed name; variables the loss does not reach (null gradient) are absent. */
  namedGradients(grads: Readonly<Record<string, tf.Tensor | null>>): Map<string, tf.Tensor> {
    const gradients = new Map<string, tf.Tensor>();
    for (const [engineName, gradient] of Object.entries(grads)) {
      if (gradient === null) continue;
      gradients.set(this.nameOf.get(engineName) as string, gradient);
    }
    return gradients;
  }

  /**
   * Named copies (owned by the caller): with includeVariables every variable under its prefixed
   * name, then `<name>/adam_m`, `<name>/adam_v`, `global_step` and the seed (int32 scalar).
   */
  exportState(scope: TrainerStateScope): Map<string, tf.Tensor> {
    const state = new Map<string, tf.Tensor>();
    if (scope.includeVariables) for (const [name, variable] of this.variables) state.set(name, tf.clone(variable));
    for (const [name, tensor] of this.optimizer.exportState()) state.set(name, tensor);
    state.set(this.seedName, tf.scalar(this.dropoutSeed, 'int32'));
    return state;
  }

  /**
   * Checks and restores exportState output of the same scope (`owner` prefixes the errors): every
   * variable (with its shape), slot and counter must be present and nothing else. Nothing is
   * assigned unless all checks pass.
   */
  importState(owner: string, state: ReadonlyMap<string, tf.Tensor>, scope: TrainerStateScope): void {
    if (scope.includeVariables) {
      for (const [name, variable] of this.variables) {
        const value = state.get(name);
        if (value === undefined) throw new Error(`${owner}: missing variable "${name}"`);
        if (!tf.util.arraysEqual(value.shape, variable.shape)) {
          throw new Error(`${owner}: "${name}" has shape [${value.shape}], the model has [${variable.shape}]`);
        }
      }
    }
    const seed = state.get(this.seedName);
    if (seed === undefined || seed.size !== 1) throw new Error(`${owner}: missing scalar "${this.seedName}"`);
    const optimizerState = new Map<string, tf.Tensor>();
    for (const [name, tensor] of state) {
      if (name === GLOBAL_STEP_NAME || /\/adam_[mv]$/.test(name)) optimizerState.set(name, tensor);
      else if (name !== this.seedName && !(scope.includeVariables && this.variables.has(name))) throw new Error(`${owner}: unexpected tensor "${name}"`);
    }
    this.optimizer.importState(optimizerState);
    if (scope.includeVariables) {
      for (const [name, variable] of this.variables) {
        tf.tidy(() => variable.assign(tf.cast(state.get(name) as tf.Tensor, 'float32')));
      }
    }
    this.dropoutSeed = seed.dataSync()[0];
  }

  /** Frees the optimizer slots. */
  dispose(): void {
    this.optimizer.dispose();
  }
}
