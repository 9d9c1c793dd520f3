// The REALM training step: forward (retrieve + read), the marginal-likelihood loss, gradients for
// the embedder(s) and the reader, and BERT's AdamW with warmup/decay and global-norm clipping.
// Ports language/realm/model.py model_fn ("Compute marginal log-likelihood", "Optimization",
// "Evaluation") with bert/optimization.py create_optimizer.
import * as tf from '@tensorflow/tfjs-core';
import type { RandomSource } from '@realm/bert';
import type { RealmExample } from '@realm/data';
import { RealmTrainConfigSchema, resolveWarmupSteps, type RealmTrainConfig } from '../config.js';
import { computeRealmLoss, type RealmLossOutputs } from '../losses.js';
import { computeRealmMetrics } from '../metrics.js';
import type { LearningRateSchedule } from '../schedule.js';
import { TrainerCore } from '../trainer-core.js';
import { disposeRealmBatch, stackRealmBatch, type RealmBatchTensors } from './batch.js';
import { realmForwardTensors } from './forward.js';
import { REALM_VARIABLE_PREFIXES, realmVariables, type RealmModel } from './realm-model.js';

/** The RealmTrainConfig fields the trainer uses; a whole RealmTrainConfig fits. Missing fields take the schema defaults. */
export type RealmTrainerOptions = Partial<
  Pick<
    RealmTrainConfig,
    | 'learningRate'
    | 'numTrainSteps'
    | 'numWarmupSteps'
    | 'weightDecayRate'
    | 'adamBeta1'
    | 'adamBeta2'
    | 'adamEpsilon'
    | 'adamBiasCorrection'
    | 'excludeFromWeightDecay'
    | 'clipNorm'
    | 'embedderLearningRateMultiplier'
    | 'embedderDropoutInTraining'
    | 'lossForm'
  >
>;

/** The options with every default filled in (as stored in a checkpoint's config.json). */
export type ResolvedRealmTrainerOptions = Required<Omit<RealmTrainerOptions, 'numWarmupSteps'>> & { numWarmupSteps: number };

/** Metrics of one batch, as numbers (model.py's loss and retrieval_utility plus the accuracy diagnostics). */
export interface RealmEvalMetrics {
  loss: number;
  retrievalUtility: number;
  accuracyWithRetrieval: number;
  accuracyNullDocument: number;
}

/** Metrics of one training step; learningRate and globalNorm are those the update used. */
export interface RealmStepMetrics extends RealmEvalMetrics {
  /** Global step of this update (0 for the first). */
  step: number;
  learningRate: number;
  /** Global gradient norm before clipping. */
  globalNorm: number;
}

/** Name of the dropout-stream seed in exported state. */
export const DROPOUT_SEED_NAME = 'realm_ts/dropout_seed';

/** Fills in the schema defaults of every trainer field. */
export function resolveRealmTrainerOptions(options: RealmTrainerOptions): ResolvedRealmTrainerOptions {
  const defaults = RealmTrainConfigSchema.parse({});
  const pick = <K extends keyof RealmTrainerOptions>(key: K): ResolvedRealmTrainerOptions[K] =>
    (options[key] ?? defaults[key]) as ResolvedRealmTrainerOptions[K];
  const resolved: ResolvedRealmTrainerOptions = {
    learningRate: pick('learningRate'),
    numTrainSteps: pick('numTrainSteps'),
    numWarmupSteps: resolveWarmupSteps({ numWarmupSteps: options.numWarmupSteps ?? null, numTrainSteps: pick('numTrainSteps') }),
    weightDecayRate: pick('weightDecayRate'),
    adamBeta1: pick('adamBeta1'),
    adamBeta2: pick('adamBeta2'),
    adamEpsilon: pick('adamEpsilon'),
    adamBiasCorrection: pick('adamBiasCorrection'),
    excludeFromWeightDecay: pick('excludeFromWeightDecay'),
    clipNorm: pick('clipNorm'),
    embedderLearningRateMultiplier: pick('embedderLearningRateMultiplier'),
    embedderDropoutInTraining: pick('embedderDropoutInTraining'),
    lossForm: pick('lossForm'),
  };
  return resolved;
}

type KeptForward = Pick<RealmLossOutputs, 'candidateLogProbs' | 'goldLogProbs' | 'marginalGoldLogProbs'> & { mlmLogits: tf.Tensor4D };

/** Reads the scalar metrics and frees them. */
function readMetrics(loss: tf.Scalar, kept: KeptForward, inputs: RealmBatchTensors): RealmEvalMetrics {
  const metrics = computeRealmMetrics(kept, kept.mlmLogits, inputs.mlmTargets, inputs.mlmMask);
  try {
    return {
      loss: loss.dataSync()[0],
      retrievalUtility: metrics.retrievalUtility.dataSync()[0],
      accuracyWithRetrieval: metrics.accuracyWithRetrieval.dataSync()[0],
      accuracyNullDocument: metrics.accuracyNullDocument.dataSync()[0],
    };
  } finally {
    tf.dispose(metrics);
  }
}

/**
 * Trains a RealmModel on batches of RealmExamples. Each step re-embeds the query and its K
 * candidates with the current weights (so the document embedder gets gradients, REALM's
 * p(z|x) ∝ exp(Embed(x)·Embed(z))), reads every joint input, minimises the marginal loss and
 * applies BERT's AdamW. Dropout masks of step n come from (the seed drawn from `rng`, n), so a
 * trainer restored with importState continues exactly as an uninterrupted one.
 */
export class RealmTrainer {
  readonly options: ResolvedRealmTrainerOptions;
  readonly schedule: LearningRateSchedule;
  /** The prefixed REALM variables, their optimizer, the dropout seed and the state export/import. */
  private readonly core: TrainerCore;

  constructor(
    readonly model: RealmModel,
    options: RealmTrainerOptions,
    rng: RandomSource,
  ) {
    this.options = resolveRealmTrainerOptions(options);
    this.core = new TrainerCore(
      realmVariables(model),
      this.options,
      { prefixes: [REALM_VARIABLE_PREFIXES.queryEmbedder, REALM_VARIABLE_PREFIXES.documentEmbedder], multiplier: this.options.embedderLearningRateMultiplier },
      rng,
      DROPOUT_SEED_NAME,
    );
    this.schedule = this.core.schedule;
  }

  /** Number of updates applied so far (the global step). */
  get globalStep(): number {
    return this.core.step;
  }

  /** The variables being trained, by prefixed name (the model's own variables). */
  get trainedVariables(): ReadonlyMap<string, tf.Variable> {
    return this.core.variables;
  }

  /** The scheduled learning rate at `step` (the reader's; embedder variables get it × embedderLearningRateMultiplier). */
  learningRateAt(step: number = this.globalStep): number {
    return this.schedule(step);
  }

  /**
   * Loss and gradients of one batch without applying them: gradients by prefixed variable name
   * (variables that do not influence the loss are absent), plus the kept forward tensors. Everything
   * returned belongs to the caller.
   */
  computeGradients(inputs: RealmBatchTensors, rng: RandomSource): { loss: tf.Scalar; gradients: Map<string, tf.Tensor>; kept: KeptForward } {
    let kept: KeptForward | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const forward = realmForwardTensors(this.model, inputs, {
        training: true,
        rng,
        embedderTraining: this.options.embedderDropoutInTraining,
      });
      const outputs = computeRealmLoss(
        { retrievalScores: forward.retrievalScores, mlmLogits: forward.mlmLogits, mlmTargets: inputs.mlmTargets, mlmMask: inputs.mlmMask },
        this.options.lossForm,
      );
      // Kept past the gradient tape's tidy for the metrics, which use the pre-update weights as model.py's do.
      kept = {
        candidateLogProbs: tf.keep(outputs.candidateLogProbs),
        goldLogProbs: tf.keep(outputs.goldLogProbs),
        marginalGoldLogProbs: tf.keep(outputs.marginalGoldLogProbs),
        mlmLogits: tf.keep(forward.mlmLogits),
      };
      return outputs.loss;
    }, this.core.variableList);
    return { loss: value, gradients: this.core.namedGradients(grads), kept: kept as KeptForward };
  }

  /** One training update on `batch`; returns the batch's metrics (before the update) and the update's rate and norm. */
  step(batch: readonly RealmExample[]): RealmStepMetrics {
    const inputs = stackRealmBatch(batch, this.model.config);
    const step = this.globalStep;
    let result: ReturnType<RealmTrainer['computeGradients']> | undefined;
    try {
      result = this.computeGradients(inputs, this.core.stepRandom(step));
      const update = this.core.optimizer.applyGradients(result.gradients);
      const metrics = readMetrics(result.loss, result.kept, inputs);
      return { ...metrics, step, learningRate: update.learningRate, globalNorm: update.globalNorm };
    } finally {
      if (result) tf.dispose([result.loss, ...result.gradients.values(), ...Object.values(result.kept)]);
      disposeRealmBatch(inputs);
    }
  }

  /** Loss and metrics of `batch` with dropout off and no update (the reference's EVAL mode). */
  evaluate(batch: readonly RealmExample[]): RealmEvalMetrics {
    const inputs = stackRealmBatch(batch, this.model.config);
    try {
      const { loss, kept } = tf.tidy(() => {
        const forward = realmForwardTensors(this.model, inputs, { training: false });
        const outputs = computeRealmLoss(
          { retrievalScores: forward.retrievalScores, mlmLogits: forward.mlmLogits, mlmTargets: inputs.mlmTargets, mlmMask: inputs.mlmMask },
          this.options.lossForm,
        );
        const keptForward: KeptForward = {
          candidateLogProbs: outputs.candidateLogProbs,
          goldLogProbs: outputs.goldLogProbs,
          marginalGoldLogProbs: outputs.marginalGoldLogProbs,
          mlmLogits: forward.mlmLogits,
        };
        return { loss: outputs.loss, kept: keptForward } as unknown as tf.TensorContainerObject;
      }) as unknown as { loss: tf.Scalar; kept: KeptForward };
      try {
        return readMetrics(loss, kept, inputs);
      } finally {
        tf.dispose([loss, ...Object.values(kept)]);
      }
    } finally {
      disposeRealmBatch(inputs);
    }
  }

  /**
   * The whole training state as named tensors (copies owned by the caller): every model variable
   * under its prefixed name, the optimizer slots `<name>/adam_m`, `<name>/adam_v`, `global_step`
   * and the dropout seed.
   */
  exportState(): Map<string, tf.Tensor> {
    return this.core.exportState({ includeVariables: true });
  }

  /** Restores exportState output (or a loaded checkpoint); every variable, slot and counter must be present. */
  importState(state: ReadonlyMap<string, tf.Tensor>): void {
    this.core.importState('RealmTrainer.importState', state, { includeVariables: true });
  }

  /** Frees the optimizer slots (the model belongs to the caller). */
  dispose(): void {
    this.core.dispose();
  }
}
