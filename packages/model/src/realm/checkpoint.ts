// REALM trainer checkpoints: one TF tensor-bundle checkpoint with every variable (prefixed names),
// the AdamW slots, global_step and the dropout seed, plus config.json beside it, written to a temp
// sibling directory and renamed into place. The counterpart of the Estimator's model.ckpt-N files
// (language/common/utils/experiment_utils.py) and its params.json.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeDirectoryAtomically } from '@realm/data';
import { z } from 'zod';
import { readJsonFile, readStateCheckpoint, restoreTrainerState, writeJsonFile, writeStateCheckpoint } from '../checkpoint-io.js';
import { GLOBAL_STEP_NAME } from '../optimizer.js';
import { RealmModelConfigSchema, type RealmModelConfig } from './config.js';
import { createRealmModel, disposeRealmModel, type RealmModel } from './realm-model.js';
import { stepRandomSource } from './step-random.js';
import { DROPOUT_SEED_NAME, RealmTrainer, type RealmTrainerOptions } from './trainer.js';

/** File names inside a checkpoint directory. */
export const REALM_CHECKPOINT_FILES = Object.freeze({
  checkpoint: 'realm.ckpt',
  config: 'config.json',
});

const TrainerOptionsSchema = z
  .strictObject({
    learningRate: z.number().describe('Peak learning rate'),
    numTrainSteps: z.int().describe('Steps at which the rate reaches 0'),
    numWarmupSteps: z.int().describe('Resolved warmup steps'),
    weightDecayRate: z.number().describe('Decoupled weight decay'),
    adamBeta1: z.number().describe('Adam β1'),
    adamBeta2: z.number().describe('Adam β2'),
    adamEpsilon: z.number().describe('Adam ε'),
    adamBiasCorrection: z.boolean().default(false).describe("Adam's bias correction (absent in checkpoints written before it existed: BERT's none)"),
    excludeFromWeightDecay: z.array(z.string()).describe('Weight-decay exclusion regexes'),
    clipNorm: z.number().describe('Global-norm clip'),
    embedderLearningRateMultiplier: z.number().describe('Embedder learning-rate factor'),
    embedderDropoutInTraining: z.boolean().describe('Dropout in the training embeddings'),
    lossForm: z.enum(['per_token', 'per_span']).describe('Marginalisation form'),
  })
  .describe('The resolved RealmTrainer options');

/** config.json of a REALM checkpoint directory. */
export const RealmCheckpointConfigSchema = z
  .strictObject({
    format: z.literal('realm-ts/realm-checkpoint').describe('Identifies a realm-ts REALM trainer checkpoint'),
    formatVersion: z.literal(1).describe('Version of this directory layout'),
    globalStep: z.int().min(0).describe('Updates applied when the checkpoint was written (also the global_step tensor)'),
    model: RealmModelConfigSchema.describe('The REALM model config'),
    trainer: TrainerOptionsSchema,
    extra: z.unknown().describe("The caller's own JSON (e.g. the app's resolved run config)"),
  })
  .readonly();

export type RealmCheckpointConfig = z.infer<typeof RealmCheckpointConfigSchema>;

/** Atomic directory replacement lives in @realm/data; re-exported here for existing callers. */
export { writeDirectoryAtomically };

/**
 * Saves the trainer's whole state to directory `dir`: realm.ckpt.{index,data-00000-of-00001} and
 * config.json (model config, resolved trainer options, global step and `extra`). `dir` is built as
 * a temp sibling and renamed into place, so it never holds a partial checkpoint.
 */
export async function saveRealmCheckpoint(dir: string, trainer: RealmTrainer, extra: unknown = null): Promise<void> {
  const state = trainer.exportState();
  try {
    const config: RealmCheckpointConfig = {
      format: 'realm-ts/realm-checkpoint',
      formatVersion: 1,
      globalStep: trainer.globalStep,
      model: trainer.model.config,
      trainer: { ...trainer.options, excludeFromWeightDecay: [...trainer.options.excludeFromWeightDecay] },
      extra,
    };
    await writeDirectoryAtomically(dir, async (temp) => {
      await writeStateCheckpoint(join(temp, REALM_CHECKPOINT_FILES.checkpoint), state, [GLOBAL_STEP_NAME, DROPOUT_SEED_NAME], 'saveRealmCheckpoint');
      await writeJsonFile(join(temp, REALM_CHECKPOINT_FILES.config), config);
    });
  } finally {
    tf.dispose([...state.values()]);
  }
}

/** A loaded checkpoint: its config and the state tensors (owned by the caller; see RealmTrainer.importState). */
export interface LoadedRealmCheckpoint {
  config: RealmCheckpointConfig;
  state: Map<string, tf.Tensor>;
}

/** Reads a checkpoint directory written by saveRealmCheckpoint (CRC-checked). */
export async function loadRealmCheckpoint(dir: string): Promise<LoadedRealmCheckpoint> {
  const config = await readJsonFile(join(dir, REALM_CHECKPOINT_FILES.config), RealmCheckpointConfigSchema, 'REALM checkpoint config');
  const state = await readStateCheckpoint(join(dir, REALM_CHECKPOINT_FILES.checkpoint), 'a REALM checkpoint');
  const step = state.get(GLOBAL_STEP_NAME);
  if (step && step.dataSync()[0] !== config.globalStep) {
    tf.dispose([...state.values()]);
    throw new Error(`${dir}: global_step ${step.dataSync()[0]} in the checkpoint disagrees with globalStep ${config.globalStep} in ${REALM_CHECKPOINT_FILES.config}`);
  }
  return { config, state };
}

/** A model and trainer rebuilt from a checkpoint. */
export interface RestoredRealmTrainer {
  model: RealmModel;
  trainer: RealmTrainer;
  config: RealmCheckpointConfig;
}

/**
 * Rebuilds the model and trainer a checkpoint was written from and restores their state, so the
 * next step is the one an uninterrupted run would take. `overrides` replace stored trainer
 * options (e.g. a longer numTrainSteps); the model config always comes from the checkpoint.
 */
export async function restoreRealmTrainer(dir: string, overrides: RealmTrainerOptions = {}): Promise<RestoredRealmTrainer> {
  const { config, state } = await loadRealmCheckpoint(dir);
  // Fresh weights are overwritten by importState, so their initialization stream is irrelevant.
  const model = createRealmModel(config.model as RealmModelConfig, stepRandomSource(0, 0));
  const trainer = await restoreTrainerState(dir, 'REALM trainer', {
    readState: async () => state,
    createTrainer: () => new RealmTrainer(model, { ...config.trainer, ...overrides }, stepRandomSource(0, 0)),
    importState: (created, loaded) => created.importState(loaded),
    disposeModel: () => disposeRealmModel(model),
  });
  return { model, trainer, config };
}
