// ORQA's span reader head: candidate spans (width-major order), the start/end projection MLP with
// ReLU and LayerNorm, the invalid-span mask and the block's retrieval score added to every span.
// Ports language/orqa/models/orqa_model.py: span_candidates, mask_to_score and the scorer in read().
import * as tf from '@tensorflow/tfjs-core';
import { layerNorm, nextOpSeed, type RandomSource } from '@realm/bert';
import { maskToScore } from '../losses.js';

/**
 * Span-head variable names inside the "reader" variable scope, as tf.layers / Keras name them in
 * ORQA's checkpoints: reader/dense (H → 2·S), reader/layer_normalization (S), reader/dense_1 (S → 1).
 */
export const SPAN_HEAD_NAMES = Object.freeze({
  projectionKernel: 'dense/kernel',
  projectionBias: 'dense/bias',
  layerNormGamma: 'layer_normalization/gamma',
  layerNormBeta: 'layer_normalization/beta',
  outputKernel: 'dense_1/kernel',
  outputBias: 'dense_1/bias',
});

/** The span scorer's variables (owned by the head; free with disposeSpanHead). */
export interface SpanHead {
  /** Hidden size H of the reader BERT it reads. */
  readonly inputSize: number;
  /** span_hidden_size S. */
  readonly hiddenSize: number;
  readonly layerNormEpsilon: number;
  /** By SPAN_HEAD_NAMES value. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
}

export interface SpanHeadOptions {
  inputSize: number;
  hiddenSize: number;
  layerNormEpsilon: number;
  /** Stddev of the truncated-normal kernels (0.02). */
  initializerRange: number;
}

/** The shape of every span-head variable. */
export function spanHeadShapes(inputSize: number, hiddenSize: number): Map<string, number[]> {
  return new Map<string, number[]>([
    [SPAN_HEAD_NAMES.projectionKernel, [inputSize, 2 * hiddenSize]],
    [SPAN_HEAD_NAMES.projectionBias, [2 * hiddenSize]],
    [SPAN_HEAD_NAMES.layerNormGamma, [hiddenSize]],
    [SPAN_HEAD_NAMES.layerNormBeta, [hiddenSize]],
    [SPAN_HEAD_NAMES.outputKernel, [hiddenSize, 1]],
    [SPAN_HEAD_NAMES.outputBias, [1]],
  ]);
}

/**
 * A fresh span head: truncated-normal(σ = initializerRange) kernels drawn from `rng` (projection
 * first, then output), zero biases, LayerNorm γ = 1 and β = 0.
 */
export function createSpanHead(options: SpanHeadOptions, rng: RandomSource): SpanHead {
  const { inputSize, hiddenSize, initializerRange } = options;
  const values = new Map<string, tf.Tensor>();
  for (const [name, shape] of spanHeadShapes(inputSize, hiddenSize)) {
    if (name === SPAN_HEAD_NAMES.projectionKernel || name === SPAN_HEAD_NAMES.outputKernel) {
      values.set(name, tf.truncatedNormal(shape, 0, initializerRange, 'float32', nextOpSeed(rng)));
    } else if (name === SPAN_HEAD_NAMES.layerNormGamma) {
      values.set(name, tf.ones(shape));
    } else {
      values.set(name, tf.zeros(shape));
    }
  }
  return spanHeadFromTensors(options, values);
}

/** Wraps given tensors (one per name, checked shapes) as a span head's variables; takes ownership. */
export function spanHeadFromTensors(options: Omit<SpanHeadOptions, 'initializerRange'>, tensors: ReadonlyMap<string, tf.Tensor>): SpanHead {
  const variables = new Map<string, tf.Variable>();
  for (const [name, shape] of spanHeadShapes(options.inputSize, options.hiddenSize)) {
    const tensor = tensors.get(name);
    if (!tensor) throw new Error(`span head: no value for variable "${name}"`);
    if (!tf.util.arraysEqual(tensor.shape, shape)) throw new Error(`span head: variable "${name}" has shape [${tensor.shape}], expected [${shape}]`);
  }
  for (const name of tensors.keys()) {
    if (!spanHeadShapes(1, 1).has(name)) throw new Error(`span head: unexpected variable "${name}"`);
  }
  for (const [name, tensor] of tensors) {
    if (tensor.dtype !== 'float32') throw new Error(`span head: variable "${name}" is ${tensor.dtype}, expected float32`);
  }
  for (const [name, tensor] of tensors) {
    variables.set(name, tf.variable(tensor, true));
    tensor.dispose();
  }
  return { inputSize: options.inputSize, hiddenSize: options.hiddenSize, layerNormEpsilon: options.layerNormEpsilon, variables };
}

export function disposeSpanHead(head: SpanHead): void {
  for (const variable of head.variables.values()) variable.dispose();
}

/** Candidate spans of a sequence of length T: inclusive starts and ends, all width 1, then width 2, … */
export interface SpanCandidates {
  starts: Int32Array;
  ends: Int32Array;
}

/** Number of candidates for length T and max width W: Σ_{w=1..min(W,T)} (T − w + 1) (3155 for 320 and 10). */
export function numSpanCandidates(seqLen: number, maxSpanWidth: number): number {
  let count = 0;
  for (let w = 1; w <= Math.min(maxSpanWidth, seqLen); w++) count += seqLen - w + 1;
  return count;
}

/** span_candidates' starts and ends: for w = 1..W, s = 0..T−w: (s, s + w − 1). */
export function spanCandidates(seqLen: number, maxSpanWidth: number): SpanCandidates {
  const count = numSpanCandidates(seqLen, maxSpanWidth);
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  let c = 0;
  for (let w = 1; w <= Math.min(maxSpanWidth, seqLen); w++) {
    for (let s = 0; s + w <= seqLen; s++) {
      starts[c] = s;
      ends[c] = s + w - 1;
      c++;
    }
  }
  return { starts, ends };
}

/**
 * The candidate index of span [start, end] (inclusive) in spanCandidates(seqLen, maxSpanWidth)
 * order, or −1 when the span is not a candidate (too wide, reversed or outside the sequence).
 */
export function spanCandidateIndex(start: number, end: number, seqLen: number, maxSpanWidth: number): number {
  const width = end - start + 1;
  if (width < 1 || width > maxSpanWidth || start < 0 || end >= seqLen) return -1;
  // Candidates of widths 1..width−1 come first: Σ_{w<width} (T − w + 1).
  return numSpanCandidates(seqLen, width - 1) + start;
}

/** span_masks: 1 where both ends are block wordpieces. [N, T] int mask → [N, C] float32. */
export function spanMasks(blockMask: tf.Tensor2D, candidates: SpanCandidates): tf.Tensor2D {
  return tf.tidy(() => {
    // [N, T]
    const mask = tf.cast(blockMask, 'float32');
    // [N, C]
    const startMask = tf.gather(mask, tf.tensor1d(candidates.starts, 'int32'), 1);
    // [N, C]
    const endMask = tf.gather(mask, tf.tensor1d(candidates.ends, 'int32'), 1);
    return tf.mul(startMask, endMask) as tf.Tensor2D;
  });
}

/**
 * The reader score of every candidate span, before masking: dense(LayerNorm(ReLU(Ps[s] + Pe[e]))),
 * where [Ps ; Pe] = dense(sequenceOutput). [N, T, H] → [N, C].
 */
export function spanReaderScores(head: SpanHead, sequenceOutput: tf.Tensor3D, candidates: SpanCandidates): tf.Tensor2D {
  const [N, T, H] = sequenceOutput.shape;
  if (H !== head.inputSize) throw new Error(`spanReaderScores: the sequence output has hidden size ${H}, the span head reads ${head.inputSize}`);
  const S = head.hiddenSize;
  const C = candidates.starts.length;
  const v = (name: string): tf.Variable => head.variables.get(name) as tf.Variable;
  return tf.tidy(() => {
    // [N·T, 2S]
    const projection = tf.add(tf.matMul(tf.reshape(sequenceOutput, [N * T, H]), v(SPAN_HEAD_NAMES.projectionKernel)), v(SPAN_HEAD_NAMES.projectionBias));
    // [N, T, 2S]
    const projection3 = tf.reshape(projection, [N, T, 2 * S]);
    // [N, T, S] each: the first S units are the start projection, the last S the end projection
    const startProjection = tf.slice(projection3, [0, 0, 0], [N, T, S]);
    const endProjection = tf.slice(projection3, [0, 0, S], [N, T, S]);
    // [N, C, S]
    const candidateStart = tf.gather(startProjection, tf.tensor1d(candidates.starts, 'int32'), 1);
    // [N, C, S]
    const candidateEnd = tf.gather(endProjection, tf.tensor1d(candidates.ends, 'int32'), 1);
    // [N, C, S]
    const hidden = layerNorm(
      tf.relu(tf.add(candidateStart, candidateEnd)),
      v(SPAN_HEAD_NAMES.layerNormGamma) as tf.Tensor1D,
      v(SPAN_HEAD_NAMES.layerNormBeta) as tf.Tensor1D,
      head.layerNormEpsilon,
    );
    // [N·C, 1]
    const logits = tf.add(tf.matMul(tf.reshape(hidden, [N * C, S]), v(SPAN_HEAD_NAMES.outputKernel)), v(SPAN_HEAD_NAMES.outputBias));
    // [N, C]
    return tf.reshape(logits, [N, C]) as tf.Tensor2D;
  });
}

/**
 * The combined span logits of read(): reader score + mask_to_score(span mask) + the block's
 * retrieval score. sequenceOutput [N, T, H], blockMask [N, T], retrievalScores [N] → [N, C].
 */
export function spanLogits(
  head: SpanHead,
  sequenceOutput: tf.Tensor3D,
  blockMask: tf.Tensor2D,
  retrievalScores: tf.Tensor1D,
  candidates: SpanCandidates,
): tf.Tensor2D {
  const [N, T] = sequenceOutput.shape;
  if (blockMask.shape[0] !== N || blockMask.shape[1] !== T) {
    throw new Error(`spanLogits: blockMask has shape [${blockMask.shape}], expected [${N}, ${T}] as the sequence output`);
  }
  if (retrievalScores.shape[0] !== N) throw new Error(`spanLogits: ${retrievalScores.shape[0]} retrieval scores for ${N} sequences`);
  return tf.tidy(() => {
    // [N, C]
    const readerScores = spanReaderScores(head, sequenceOutput, candidates);
    // [N, C]
    const masked = tf.add(readerScores, maskToScore(spanMasks(blockMask, candidates)));
    // [N, C]: every span of a block gets that block's retrieval score
    return tf.add(masked, tf.expandDims(retrievalScores, 1)) as tf.Tensor2D;
  });
}
