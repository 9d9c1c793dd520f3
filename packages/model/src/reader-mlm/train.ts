// The reader's masked-LM warm start: BERT pre-training (masked-LM loss only, BERT's AdamW with
// warmup and linear decay, global-norm clip) over corpus sentences paired with their blocks, until
// numTrainSteps or maxSeconds. Ports the training side of google-research/bert run_pretraining.py
// (get_masked_lm_output's loss, create_optimizer) for the one reader REALM starts from.
import * as tf from '@tensorflow/tfjs-core';
import { bertMaskedLm, maskedLmLoss, type BertModel, type RandomSource } from '@realm/bert';
import { AdamWeightDecayOptimizer } from '../optimizer.js';
import { maskedAccuracy } from '../metrics.js';
import { flatInputTensors } from '../padding.js';
import { createLinearWarmupDecay } from '../schedule.js';
import { runWarmStartLoop, type WarmStartReport, type WarmStartResult } from '../warm-start-loop.js';
import { sampleReaderMlmBatch, type ReaderMlmBatch, type ReaderMlmVocab, type SentenceBlock } from '@realm/data';
import { ReaderMlmConfigSchema, type ReaderMlmConfigInput } from './config.js';

/** The warm-start config plus the vocabulary the masking draws from. */
export type ReaderMlmTrainOptions = ReaderMlmConfigInput & { vocab: ReaderMlmVocab; /** Stops training between steps. */ signal?: AbortSignal };

/** Progress of one step (accuracy: argmax = the original piece, before the update). */
export type ReaderMlmStepReport = WarmStartReport;

export type ReaderMlmTrainResult = WarmStartResult;

/**
 * Masked-LM loss (scalar) and logits [B, M, V] of `reader` on `batch` (M = `maxMasks`), as new
 * tensors owned by the caller. Dropout only with `{ training: true, rng }`.
 */
export function readerMlmForward(reader: BertModel, batch: ReaderMlmBatch, maxMasks: number, options: { training?: boolean; rng?: RandomSource } = {}): { loss: tf.Scalar; logits: tf.Tensor3D } {
  const rows = batch.positions.length / maxMasks;
  if (!Number.isInteger(rows) || batch.targets.length !== batch.positions.length || batch.weights.length !== batch.positions.length) {
    throw new Error(`readerMlmForward: ${batch.positions.length} positions, ${batch.targets.length} targets and ${batch.weights.length} weights do not form rows of ${maxMasks}`);
  }
  const inputs = flatInputTensors(batch.inputs, rows);
  try {
    return tf.tidy(() => {
      // [B, M]
      const positions = tf.tensor2d(batch.positions, [rows, maxMasks], 'int32');
      // [B, M, V]
      const logits = bertMaskedLm(reader, inputs, positions, options);
      // []
      const loss = maskedLmLoss(logits, tf.tensor2d(batch.targets, [rows, maxMasks], 'int32'), tf.tensor2d(batch.weights, [rows, maxMasks], 'float32'));
      return { loss, logits };
    });
  } finally {
    tf.dispose([inputs.inputIds, inputs.inputMask!, inputs.tokenTypeIds!]);
  }
}

/** Fraction of the weighted predictions whose argmax over `logits` [B, M, V] is the target. */
export function maskedLmAccuracy(logits: tf.Tensor3D, batch: ReaderMlmBatch): number {
  const [B, M] = logits.shape;
  // []
  const accuracy = tf.tidy(() => maskedAccuracy(tf.argMax(logits, 2) as tf.Tensor2D, tf.tensor2d(batch.targets, [B, M], 'int32'), tf.tensor2d(batch.weights, [B, M], 'float32')));
  const value = accuracy.dataSync()[0];
  accuracy.dispose();
  return value;
}

/**
 * Trains `reader` (a BertModel with the masked-LM head) on `blocks` until numTrainSteps or
 * maxSeconds, whichever comes first; the schedule runs over numTrainSteps. Batches, masking and
 * dropout all draw from `rng`.
 */
export async function trainReaderMlm(
  reader: BertModel,
  blocks: readonly SentenceBlock[],
  options: ReaderMlmTrainOptions,
  rng: RandomSource,
  onProgress?: (report: ReaderMlmStepReport) => void,
): Promise<ReaderMlmTrainResult> {
  const { vocab, signal, ...configInput } = options;
  const config = ReaderMlmConfigSchema.parse(configInput);
  if (!reader.heads.maskedLm) throw new Error('trainReaderMlm: the reader has no masked-LM head (cls/predictions)');
  const length = config.querySeqLen + config.candidateSeqLen;
  if (length > reader.config.max_position_embeddings) {
    throw new Error(`trainReaderMlm: querySeqLen + candidateSeqLen = ${length} exceeds the reader's max_position_embeddings ${reader.config.max_position_embeddings}`);
  }
  if (config.numTrainSteps === 0) return { losses: [], accuracy: [], steps: 0, seconds: 0 };
  const variables = new Map(reader.variables);
  const schedule = createLinearWarmupDecay({ learningRate: config.learningRate, numTrainSteps: config.numTrainSteps, numWarmupSteps: config.numWarmupSteps });
  const optimizer = new AdamWeightDecayOptimizer(variables, {
    learningRate: schedule,
    weightDecayRate: config.weightDecayRate,
    clipNorm: config.clipNorm,
    biasCorrection: config.adamBiasCorrection,
  });
  const exampleOptions = { ...config, vocab };
  return runWarmStartLoop(variables, optimizer, { ...config, signal }, () => {
    const batch = sampleReaderMlmBatch(blocks, config.batchSize, rng, exampleOptions);
    let logits: tf.Tensor3D | undefined;
    return {
      loss: () => {
        const out = readerMlmForward(reader, batch, config.maxMasks, { training: config.dropoutInTraining, rng });
        logits = tf.keep(out.logits);
        return out.loss;
      },
      accuracy: () => maskedLmAccuracy(logits as tf.Tensor3D, batch),
      dispose: () => logits?.dispose(),
    };
  }, onProgress);
}
