// UnsortedSegmentSum for tfjs-backend-wasm, which has none (so the gradient of tf.gather, e.g. an
// embedding lookup, fails there). Semantics of tf.math.unsorted_segment_sum / tfjs-backend-cpu:
// out[s, ...] = Σ x[i, ...] over i with segmentIds[i] = s; ids outside [0, numSegments) are dropped.
import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { asWasmBackend } from './wasm-internals.js';

/**
 * x [...idsShape, ...inner] and segmentIds [...idsShape] (int32) → [numSegments, ...inner].
 * A row-scatter loop straight on the wasm heap: one pass over x, O(x.size), no temporaries.
 */
export function realmUnsortedSegmentSum(args: { inputs: { x: TensorInfo; segmentIds: TensorInfo }; backend: unknown; attrs: { numSegments: number } }): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, segmentIds } = args.inputs;
  const { numSegments } = args.attrs;
  if (!Number.isInteger(numSegments) || numSegments < 0) throw new Error(`UnsortedSegmentSum: numSegments must be a non-negative integer, got ${numSegments}`);
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum on wasm supports float32 and int32 x, got ${x.dtype}`);
  if (segmentIds.dtype !== 'int32') throw new Error(`UnsortedSegmentSum: segmentIds must be int32, got ${segmentIds.dtype}`);
  const idsRank = segmentIds.shape.length;
  if (!util.arraysEqual(x.shape.slice(0, idsRank), segmentIds.shape)) {
    throw new Error(`UnsortedSegmentSum: segmentIds shape [${segmentIds.shape.join(', ')}] must be a prefix of x shape [${x.shape.join(', ')}]`);
  }
  const innerShape = x.shape.slice(idsRank);
  const rowSize = util.sizeFromShape(innerShape);
  const out = backend.makeOutput([numSegments, ...innerShape], x.dtype);
  // Views are taken after makeOutput: its malloc may grow (and so replace) the heap buffer.
  const output = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const values = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ids = backend.typedArrayFromHeap(segmentIds) as Int32Array;
  output.fill(0);
  for (let row = 0; row < ids.length; row++) {
    const segment = ids[row];
    if (segment < 0 || segment >= numSegments) continue;
    const source = row * rowSize;
    const target = segment * rowSize;
    for (let j = 0; j < rowSize; j++) output[target + j] += values[source + j];
  }
  return out;
}

/** Kernel config adding UnsortedSegmentSum to tfjs-backend-wasm. */
export const realmUnsortedSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: realmUnsortedSegmentSum as unknown as KernelFunc,
};
