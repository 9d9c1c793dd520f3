// The embedding workload both runtimes get: seeded random REALM-style document inputs and the
// tfjs path the index refresher takes today (@realm/model realm/embed.ts embedFlat).
import * as tf from '@tensorflow/tfjs-core';
import { embedProjected, type BertModel } from '@realm/bert';
import type { Rng } from '@realm/tokenizer';
import type { FlatInputs } from './ort-embedder.js';

const CLS_ID = 101;
const SEP_ID = 102;

/**
 * `batch` packed documents of `seqLen` tokens, shaped like the refresher's blocks:
 * [CLS] title [SEP] body [SEP] then padding, segment 0 for [CLS] title [SEP] and 1 for the body,
 * each document's real length drawn from [seqLen/2, seqLen] so the mask has padding to respect.
 */
export function randomDocuments(rng: Rng, batch: number, seqLen: number, vocabSize: number): FlatInputs {
  if (seqLen < 4) throw new Error(`randomDocuments: seqLen must be at least 4, got ${seqLen}`);
  const tokenIds = new Int32Array(batch * seqLen);
  const mask = new Int32Array(batch * seqLen);
  const segmentIds = new Int32Array(batch * seqLen);
  const draw = (low: number, high: number): number => low + Math.floor(rng.next() * (high - low + 1));
  // Small vocabularies (the random test configs) have no room for BERT's special ids
  const cls = vocabSize > SEP_ID ? CLS_ID : 1;
  const sep = vocabSize > SEP_ID ? SEP_ID : 2;
  for (let b = 0; b < batch; b++) {
    const row = b * seqLen;
    const length = draw(Math.ceil(seqLen / 2), seqLen);
    const titleEnd = draw(2, Math.max(2, Math.min(8, length - 2)));
    for (let t = 0; t < length; t++) {
      const isSeparator = t === titleEnd || t === length - 1;
      tokenIds[row + t] = t === 0 ? cls : isSeparator ? sep : draw(3, vocabSize - 1);
      mask[row + t] = 1;
      segmentIds[row + t] = t > titleEnd ? 1 : 0;
    }
  }
  return { tokenIds, mask, segmentIds };
}

/** The refresher's tfjs path: flat inputs → tensors → embedProjected (inference) → [batch, P]. */
export function embedWithTfjs(model: BertModel, inputs: FlatInputs, batch: number, seqLen: number): Float32Array {
  const output = tf.tidy(() =>
    embedProjected(model, {
      inputIds: tf.tensor2d(inputs.tokenIds, [batch, seqLen], 'int32'),
      inputMask: tf.tensor2d(inputs.mask, [batch, seqLen], 'int32'),
      tokenTypeIds: tf.tensor2d(inputs.segmentIds, [batch, seqLen], 'int32'),
    }),
  );
  try {
    return output.dataSync() as Float32Array;
  } finally {
    output.dispose();
  }
}

/** Largest |a − b| over two equally long arrays. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths differ (${a.length} vs ${b.length})`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= max)) max = d; // NaN propagates as the maximum
  }
  return max;
}
