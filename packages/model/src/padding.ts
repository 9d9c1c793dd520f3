// Trailing-padding trim for BERT inputs packed as [CLS] … [SEP] then zeros: the columns past the
// longest row's last real token change no output at the real positions (their keys get the −10000
// attention bias, whose softmax weight is exactly 0 in float32), so a batch can skip them. A
// realm-ts speed-up with no upstream counterpart (the reference always runs the full length).
import * as tf from '@tensorflow/tfjs-core';
import type { BertInputs } from '@realm/bert';
import type { BertInputs as FlatBertInputs } from '@realm/data';

/** One past the last position whose mask is 1 in any row of the row-major `mask` [rows, width] (at least 1). */
export function usedLength(mask: ArrayLike<number>, rows: number, width: number): number {
  if (mask.length !== rows * width) throw new Error(`usedLength: mask has ${mask.length} values, expected ${rows}×${width}`);
  let used = 1;
  for (let row = 0; row < rows; row++) {
    const start = row * width;
    for (let t = width - 1; t >= used; t--) {
      if (mask[start + t] !== 0) {
        used = t + 1;
        break;
      }
    }
  }
  return used;
}

/**
 * `inputs` [N, T] cut to their first usedLength(inputMask) columns (new tensors owned by the
 * caller), or the same tensors when no column is all padding. Inputs without a mask are returned
 * as they are (every position is real).
 */
export function trimTrailingPadding(inputs: BertInputs): BertInputs {
  const { inputIds, inputMask, tokenTypeIds } = inputs;
  if (!inputMask) return inputs;
  const [rows, width] = inputIds.shape;
  const used = usedLength(inputMask.dataSync(), rows, width);
  if (used === width) return inputs;
  const cut = (tensor: tf.Tensor2D): tf.Tensor2D => tf.slice(tensor, [0, 0], [rows, used]);
  return { inputIds: cut(inputIds), inputMask: cut(inputMask), tokenTypeIds: tokenTypeIds ? cut(tokenTypeIds) : undefined };
}

/**
 * Row-major int32 `inputs` of `rows` equal-length sequences as [rows, width] tensors trimmed by
 * trimTrailingPadding. Only the returned tensors stay allocated (owned by the caller).
 */
export function flatInputTensors(inputs: FlatBertInputs, rows: number): BertInputs {
  const width = inputs.tokenIds.length / rows;
  if (!Number.isInteger(width) || inputs.mask.length !== rows * width || inputs.segmentIds.length !== rows * width) {
    throw new Error(`flatInputTensors: ${inputs.tokenIds.length} token ids, ${inputs.mask.length} mask and ${inputs.segmentIds.length} segment values do not form ${rows} equal rows`);
  }
  const shape: [number, number] = [rows, width];
  const full: BertInputs = {
    inputIds: tf.tensor2d(inputs.tokenIds, shape, 'int32'),
    inputMask: tf.tensor2d(inputs.mask, shape, 'int32'),
    tokenTypeIds: tf.tensor2d(inputs.segmentIds, shape, 'int32'),
  };
  const trimmed = trimTrailingPadding(full);
  if (trimmed !== full) tf.dispose([full.inputIds, full.inputMask!, full.tokenTypeIds!]);
  return trimmed;
}
