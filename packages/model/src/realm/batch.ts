// Stacks generator → trainer RealmExamples into the trainer's batched int32 tensors, checking every
// leaf's length. The counterpart of the reference's tf.data parse + batch(drop_remainder=True)
// (language/realm/model.py get_dynamic_dataset) for examples already held in memory.
import * as tf from '@tensorflow/tfjs-core';
import type { BertInputs as FlatBertInputs, RealmExample } from '@realm/data';
import type { BertInputs } from '@realm/bert';
import type { RealmModelConfig } from './config.js';

/** The dimensions a batch must have (RealmModelConfig carries them). */
export type RealmDims = Pick<RealmModelConfig, 'querySeqLen' | 'candidateSeqLen' | 'numCandidates' | 'maxMasks'>;

/** A batch as tensors; B examples, K candidates, Q/C lengths, M masks. Owned by the caller (disposeRealmBatch). */
export type RealmBatchTensors = {
  /** [B, Q] each */
  queryInputs: BertInputs;
  /** [B·K, C] each: candidates flattened as model.py flatten_bert_inputs */
  candidateInputs: BertInputs;
  /** [B·K, Q+C] each */
  jointInputs: BertInputs;
  /** [B, M] int32 */
  mlmPositions: tf.Tensor2D;
  /** [B, M] int32 */
  mlmTargets: tf.Tensor2D;
  /** [B, M] int32 */
  mlmMask: tf.Tensor2D;
};

/** Concatenates one field of every example, checking its length; `where` names it in errors. */
function concatField(batch: readonly RealmExample[], pick: (e: RealmExample) => Int32Array, length: number, where: string): Int32Array {
  const out = new Int32Array(batch.length * length);
  batch.forEach((example, b) => {
    const values = pick(example);
    if (values.length !== length) throw new Error(`REALM batch example ${b}: ${where} has ${values.length} values, expected ${length}`);
    out.set(values, b * length);
  });
  return out;
}

function stackBertInputs(batch: readonly RealmExample[], pick: (e: RealmExample) => FlatBertInputs, rows: number, width: number, where: string): BertInputs {
  const shape: [number, number] = [batch.length * rows, width];
  // Every length is checked before any tensor exists, so a bad example leaks nothing.
  const ids = concatField(batch, (e) => pick(e).tokenIds, rows * width, `${where}.tokenIds`);
  const mask = concatField(batch, (e) => pick(e).mask, rows * width, `${where}.mask`);
  const segments = concatField(batch, (e) => pick(e).segmentIds, rows * width, `${where}.segmentIds`);
  return {
    inputIds: tf.tensor2d(ids, shape, 'int32'),
    inputMask: tf.tensor2d(mask, shape, 'int32'),
    tokenTypeIds: tf.tensor2d(segments, shape, 'int32'),
  };
}

/**
 * The batch as tensors, every length checked against `dims` (errors name the example and field).
 * Candidate and joint inputs come flattened to [B·K, …] rows, ready for one batched BERT call.
 */
export function stackRealmBatch(batch: readonly RealmExample[], dims: RealmDims): RealmBatchTensors {
  if (batch.length === 0) throw new Error('REALM batch is empty');
  const { querySeqLen: Q, candidateSeqLen: C, numCandidates: K, maxMasks: M } = dims;
  const tensors: tf.Tensor[] = [];
  try {
    const track = <T extends BertInputs>(inputs: T): T => {
      tensors.push(inputs.inputIds, inputs.inputMask!, inputs.tokenTypeIds!);
      return inputs;
    };
    const slots = (pick: (e: RealmExample) => Int32Array, where: string): tf.Tensor2D => {
      const tensor = tf.tensor2d(concatField(batch, pick, M, where), [batch.length, M], 'int32');
      tensors.push(tensor);
      return tensor;
    };
    return {
      queryInputs: track(stackBertInputs(batch, (e) => e.queryInputs, 1, Q, 'queryInputs')),
      candidateInputs: track(stackBertInputs(batch, (e) => e.candidateInputs, K, C, 'candidateInputs')),
      jointInputs: track(stackBertInputs(batch, (e) => e.jointInputs, K, Q + C, 'jointInputs')),
      mlmPositions: slots((e) => e.mlmPositions, 'mlmPositions'),
      mlmTargets: slots((e) => e.mlmTargets, 'mlmTargets'),
      mlmMask: slots((e) => e.mlmMask, 'mlmMask'),
    };
  } catch (error) {
    tf.dispose(tensors);
    throw error;
  }
}

/** Frees every tensor of a stacked batch. */
export function disposeRealmBatch(inputs: RealmBatchTensors): void {
  for (const bert of [inputs.queryInputs, inputs.candidateInputs, inputs.jointInputs]) tf.dispose([bert.inputIds, bert.inputMask!, bert.tokenTypeIds!]);
  tf.dispose([inputs.mlmPositions, inputs.mlmTargets, inputs.mlmMask]);
}
