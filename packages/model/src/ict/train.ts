// ICT training loop: sample a batch of distinct blocks, make pseudo-queries, minimise the in-batch
// softmax loss with BERT's AdamW (warmup + linear decay, global-norm clip). Ports the training side
// of language/orqa/models/ict_model.py (create_optimizer with ict's warmup rule).
import * as tf from '@tensorflow/tfjs-core';
import type { BertModel, RandomSource } from '@realm/bert';
import { AdamWeightDecayOptimizer } from '../optimizer.js';
import { createLinearWarmupDecay, realmWarmupSteps } from '../schedule.js';
import { runWarmStartLoop, type WarmStartReport, type WarmStartResult } from '../warm-start-loop.js';
import { IctConfigSchema, type IctConfigInput } from './config.js';
import { sampleIctBatch, type IctBlock, type IctSpecialIds } from './examples.js';
import { ictCorrect, ictEncoders, ictLogits, ictLoss, type IctEncoders } from './ict-model.js';

/** The ICT config plus the vocabulary's [CLS]/[SEP] ids. */
export type IctTrainOptions = IctConfigInput & { ids: IctSpecialIds; /** Stops training between steps. */ signal?: AbortSignal };

/** Progress of one ICT step (accuracy: in-batch, argmax = own block, before the update). */
export type IctStepReport = WarmStartReport;

/** What trainIct did: one loss and accuracy per step. */
export type IctTrainResult = WarmStartResult;

/** Variables of the encoders by name: 'embedder/…' when shared, else 'query_embedder/…' and 'embedder/…' (the block side). */
export function ictVariables(encoders: IctEncoders): Map<string, tf.Variable> {
  const named = new Map<string, tf.Variable>();
  const add = (prefix: string, model: BertModel): void => {
    for (const [name, variable] of model.variables) named.set(`${prefix}${name}`, variable);
  };
  add('embedder/', encoders.block);
  if (encoders.query !== encoders.block) add('query_embedder/', encoders.query);
  return named;
}

/**
 * Trains `embedders` (one shared BertModel with a projection head, or {query, block}) on ICT over
 * `blocks` until `numTrainSteps` or `maxSeconds`, whichever comes first. The schedule runs over
 * numTrainSteps. All randomness (batches, masking, dropout) comes from `rng`.
 */
export async function trainIct(
  embedders: BertModel | IctEncoders,
  blocks: readonly IctBlock[],
  options: IctTrainOptions,
  rng: RandomSource,
  onProgress?: (report: IctStepReport) => void,
): Promise<IctTrainResult> {
  const { ids, signal, ...configInput } = options;
  const config = IctConfigSchema.parse(configInput);
  const encoders = ictEncoders(embedders);
  const variables = ictVariables(encoders);
  const schedule = createLinearWarmupDecay({
    learningRate: config.learningRate,
    numTrainSteps: config.numTrainSteps,
    numWarmupSteps: config.numWarmupSteps ?? realmWarmupSteps(config.numTrainSteps),
  });
  const optimizer = new AdamWeightDecayOptimizer(variables, { learningRate: schedule, weightDecayRate: config.weightDecayRate, clipNorm: config.clipNorm });
  const exampleOptions = { querySeqLen: config.querySeqLen, blockSeqLen: config.blockSeqLen, maskRate: config.maskRate, queryMaskProb: config.queryMaskProb, ids };
  return runWarmStartLoop(variables, optimizer, { ...config, signal }, () => {
    const batch = sampleIctBatch(blocks, config.batchSize, rng, exampleOptions);
    let logits: tf.Tensor2D | undefined;
    return {
      loss: () => {
        const scores = ictLogits(encoders, batch, { training: config.dropoutInTraining, rng });
        logits = tf.keep(scores);
        return ictLoss(scores);
      },
      accuracy: () => {
        const correct = ictCorrect(logits as tf.Tensor2D);
        return correct.reduce((a, b) => a + b, 0) / correct.length;
      },
      dispose: () => logits?.dispose(),
    };
  }, onProgress);
}
