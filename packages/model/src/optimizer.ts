// BERT's AdamWeightDecayOptimizer (Adam without bias correction, decoupled weight decay) with
// create_optimizer's clip_by_global_norm, over named variables. Ports google-research/bert
// optimization.py: AdamWeightDecayOptimizer.apply_gradients and create_optimizer.
import * as tf from '@tensorflow/tfjs-core';
import type { LearningRateSchedule } from './schedule.js';

/** A per-variable-group learning-rate factor: every variable whose name starts with `prefix`. */
export interface LearningRateMultiplier {
  prefix: string;
  multiplier: number;
}

export interface AdamWeightDecayOptions {
  /** A constant rate or a schedule of the global step (see createLinearWarmupDecay). */
  learningRate: number | LearningRateSchedule;
  /** Decoupled weight decay added to the update (BERT 0.01). */
  weightDecayRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Regex sources; a variable whose name matches any (re.search) gets no weight decay. */
  excludeFromWeightDecay?: readonly string[];
  /** Global-norm clip applied to all gradients before the update (BERT 1.0); null disables it. */
  clipNorm?: number | null;
  /** Rate factors by name prefix; the longest matching prefix wins, unmatched variables get 1. */
  learningRateMultipliers?: readonly LearningRateMultiplier[];
  /**
   * Divide m by 1 − β1^t and v by 1 − β2^t (Adam as published; torch.optim.AdamW). Off by default:
   * BERT's optimizer applies none, which makes the first few hundred updates 2–6× the nominal rate.
   */
  biasCorrection?: boolean;
}

/** What one update did, for logging. */
export interface ApplyGradientsResult {
  /** Global step the update used (before it was incremented). */
  step: number;
  /** Base learning rate at that step (before per-group multipliers). */
  learningRate: number;
  /** Global L2 norm of the gradients before clipping. */
  globalNorm: number;
}

/** BERT's exclusion list: LayerNorm (BERT), layer_norm (Keras, e.g. the ICT projection) and biases. */
export const BERT_WEIGHT_DECAY_EXCLUSIONS: readonly string[] = Object.freeze(['LayerNorm', 'layer_norm', 'bias']);

/** Name of the step counter in exported optimizer state (BERT's global_step variable). */
export const GLOBAL_STEP_NAME = 'global_step';

/**
 * tf.clip_by_global_norm: every tensor times clipNorm / max(globalNorm, clipNorm), where globalNorm
 * = sqrt(Σ‖t‖²). A non-finite global norm turns every output into NaN, as in TF. The clipped
 * tensors and the norm ([]) belong to the caller.
 */
export function clipByGlobalNorm(tensors: readonly tf.Tensor[], clipNorm: number): { clipped: tf.Tensor[]; globalNorm: tf.Scalar } {
  if (!(clipNorm > 0)) throw new Error(`clipByGlobalNorm: clipNorm must be > 0, got ${clipNorm}`);
  return tf.tidy(() => {
    // []
    const sumOfSquares = tensors.reduce<tf.Scalar>((sum, t) => tf.add(sum, tf.sum(tf.square(t))), tf.scalar(0));
    // []
    const globalNorm = tf.sqrt(sumOfSquares);
    // []: NaN when the norm is inf or NaN, so the update is poisoned visibly rather than silently
    const usableNorm = tf.where(tf.isFinite(globalNorm), globalNorm, tf.scalar(NaN));
    // []: clipNorm · min(1/norm, 1/clipNorm)
    const scale = tf.mul(clipNorm, tf.minimum(tf.div(1, usableNorm), 1 / clipNorm));
    return { clipped: tensors.map((t) => tf.mul(t, scale)), globalNorm: globalNorm as tf.Scalar };
  });
}

/** A non-trainable zero variable shaped like `like` (the initial tensor is freed; the variable keeps its data). */
function zeroSlot(like: tf.Tensor): tf.Variable {
  const zeros = tf.zerosLike(like);
  const slot = tf.variable(zeros, false);
  zeros.dispose();
  return slot;
}

/**
 * Adam without bias correction: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², update = m/(√v + ε)
 * (+ weightDecayRate·param unless the name is excluded), param ← param − lr·multiplier·update.
 * Slots `<name>/adam_m` and `<name>/adam_v` exist for every variable from the start, as in BERT.
 */
export class AdamWeightDecayOptimizer {
  private readonly slots = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  private globalStep = 0;
  private readonly weightDecayRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly exclusions: RegExp[];
  private readonly clipNorm: number | null;
  private readonly multipliers: LearningRateMultiplier[];
  private readonly schedule: LearningRateSchedule;
  private readonly biasCorrection: boolean;

  constructor(
    private readonly variables: ReadonlyMap<string, tf.Variable>,
    options: AdamWeightDecayOptions,
  ) {
    this.weightDecayRate = options.weightDecayRate ?? 0.01;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-6;
    this.exclusions = (options.excludeFromWeightDecay ?? BERT_WEIGHT_DECAY_EXCLUSIONS).map((source) => new RegExp(source));
    this.clipNorm = options.clipNorm === undefined ? 1.0 : options.clipNorm;
    this.biasCorrection = options.biasCorrection ?? false;
    this.multipliers = [...(options.learningRateMultipliers ?? [])].sort((a, b) => b.prefix.length - a.prefix.length);
    for (const { prefix, multiplier } of this.multipliers) {
      if (!(multiplier >= 0)) throw new Error(`AdamWeightDecayOptimizer: learning-rate multiplier for prefix "${prefix}" must be ≥ 0, got ${multiplier}`);
    }
    const rate = options.learningRate;
    this.schedule = typeof rate === 'number' ? () => rate : rate;
    for (const [name, variable] of variables) {
      if (variable.dtype !== 'float32') throw new Error(`AdamWeightDecayOptimizer: variable "${name}" has dtype ${variable.dtype}; only float32 is trained`);
      // Slot variables get engine-generated names so several optimizers can coexist.
      this.slots.set(name, { m: zeroSlot(variable), v: zeroSlot(variable) });
    }
  }

  /** The global step: number of updates applied so far. */
  get step(): number {
    return this.globalStep;
  }

  /** Whether `name` gets weight decay (BERT's _do_use_weight_decay). */
  usesWeightDecay(name: string): boolean {
    if (!this.weightDecayRate) return false;
    return !this.exclusions.some((pattern) => pattern.test(name));
  }

  /** The learning-rate factor of `name` (longest matching prefix, else 1). */
  learningRateMultiplier(name: string): number {
    return this.multipliers.find(({ prefix }) => name.startsWith(prefix))?.multiplier ?? 1;
  }

  /**
   * One update from named gradients. Variables without a gradient are left alone (BERT skips
   * None gradients); clipping uses the norm of the gradients given. Increments the step.
   */
  applyGradients(gradients: ReadonlyMap<string, tf.Tensor>): ApplyGradientsResult {
    const names = [...gradients.keys()];
    for (const name of names) {
      const variable = this.variables.get(name);
      if (variable === undefined) throw new Error(`AdamWeightDecayOptimizer: gradient for unknown variable "${name}"`);
      const gradient = gradients.get(name) as tf.Tensor;
      if (gradient.shape.join(',') !== variable.shape.join(',')) {
        throw new Error(`AdamWeightDecayOptimizer: gradient for "${name}" has shape [${gradient.shape}], variable has [${variable.shape}]`);
      }
    }
    const step = this.globalStep;
    const learningRate = this.schedule(step);
    const globalNorm = tf.tidy(() => {
      const raw = names.map((name) => gradients.get(name) as tf.Tensor);
      let grads = raw;
      let norm: tf.Scalar | null = null;
      if (this.clipNorm !== null) {
        const clipped = clipByGlobalNorm(raw, this.clipNorm);
        grads = clipped.clipped;
        norm = clipped.globalNorm;
      }
      names.forEach((name, i) => this.updateVariable(name, grads[i], learningRate * this.learningRateMultiplier(name), step + 1));
      // []
      return norm ?? tf.sqrt(raw.reduce<tf.Scalar>((sum, g) => tf.add(sum, tf.sum(tf.square(g))), tf.scalar(0)));
    });
    const norm = globalNorm.dataSync()[0];
    globalNorm.dispose();
    this.globalStep = step + 1;
    return { step, learningRate, globalNorm: norm };
  }

  /** `t` counts updates from 1, as Adam's bias-correction terms do. */
  private updateVariable(name: string, grad: tf.Tensor, learningRate: number, t: number): void {
    const param = this.variables.get(name) as tf.Variable;
    const { m, v } = this.slots.get(name) as { m: tf.Variable; v: tf.Variable };
    // [param shape]
    const nextM = tf.add(tf.mul(this.beta1, m), tf.mul(1 - this.beta1, grad));
    // [param shape]
    const nextV = tf.add(tf.mul(this.beta2, v), tf.mul(1 - this.beta2, tf.square(grad)));
    // [param shape]: no bias correction, exactly as BERT, unless asked for
    const mHat = this.biasCorrection ? tf.div(nextM, 1 - this.beta1 ** t) : nextM;
    const vHat = this.biasCorrection ? tf.div(nextV, 1 - this.beta2 ** t) : nextV;
    let update = tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon));
    if (this.usesWeightDecay(name)) update = tf.add(update, tf.mul(this.weightDecayRate, param));
    // [param shape]
    param.assign(tf.sub(param, tf.mul(learningRate, update)));
    m.assign(nextM);
    v.assign(nextV);
  }

  /**
   * The optimizer state as named tensors for a checkpoint: `<var>/adam_m`, `<var>/adam_v` (BERT's
   * slot names) and `global_step` (int32 []). The tensors are copies owned by the caller.
   */
  exportState(): Map<string, tf.Tensor> {
    const state = new Map<string, tf.Tensor>();
    for (const [name, { m, v }] of this.slots) {
      state.set(`${name}/adam_m`, tf.clone(m));
      state.set(`${name}/adam_v`, tf.clone(v));
    }
    state.set(GLOBAL_STEP_NAME, tf.scalar(this.globalStep, 'int32'));
    return state;
  }

  /** Restores `exportState` output; every slot must be present with its variable's shape. */
  importState(state: ReadonlyMap<string, tf.Tensor>): void {
    const expected = new Set<string>([GLOBAL_STEP_NAME]);
    for (const [name, variable] of this.variables) {
      for (const slot of ['adam_m', 'adam_v']) {
        const key = `${name}/${slot}`;
        expected.add(key);
        const value = state.get(key);
        if (value === undefined) throw new Error(`AdamWeightDecayOptimizer.importState: missing "${key}"`);
        if (value.shape.join(',') !== variable.shape.join(',')) {
          throw new Error(`AdamWeightDecayOptimizer.importState: "${key}" has shape [${value.shape}], variable has [${variable.shape}]`);
        }
      }
    }
    for (const key of state.keys()) {
      if (!expected.has(key)) throw new Error(`AdamWeightDecayOptimizer.importState: unexpected tensor "${key}"`);
    }
    const stepTensor = state.get(GLOBAL_STEP_NAME);
    if (stepTensor === undefined || stepTensor.size !== 1) throw new Error(`AdamWeightDecayOptimizer.importState: missing scalar "${GLOBAL_STEP_NAME}"`);
    const step = stepTensor.dataSync()[0];
    if (!Number.isInteger(step) || step < 0) throw new Error(`AdamWeightDecayOptimizer.importState: "${GLOBAL_STEP_NAME}" must be a non-negative integer, got ${step}`);
    for (const [name, { m, v }] of this.slots) {
      tf.tidy(() => {
        m.assign(tf.cast(state.get(`${name}/adam_m`) as tf.Tensor, 'float32'));
        v.assign(tf.cast(state.get(`${name}/adam_v`) as tf.Tensor, 'float32'));
      });
    }
    this.globalStep = step;
  }

  /** Frees the slot variables (the trained variables belong to the caller). */
  dispose(): void {
    for (const { m, v } of this.slots.values()) {
      m.dispose();
      v.dispose();
    }
    this.slots.clear();
  }
}
