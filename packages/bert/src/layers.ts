// The small building blocks of bert/modeling.py: gelu/get_activation, tf.layers.dense on a 2-D input,
// layer_norm (tf.contrib.layers.layer_norm over the last axis) and dropout. Functions of tensors
// and variables only; callers run them inside tf.tidy.
import * as tf from '@tensorflow/tfjs-core';
import type { HiddenActivation } from './config.js';
import { nextOpSeed, type RandomSource } from './random.js';

/** LayerNorm epsilon of google-research/bert (tf.contrib.layers.layer_norm's 1e-12). */
export const BERT_LAYER_NORM_EPSILON = 1e-12;

const SQRT_HALF = Math.SQRT1_2;
const SQRT_TWO_OVER_PI = Math.sqrt(2 / Math.PI);

/** Exact GELU: 0.5·x·(1 + erf(x/√2)) (google-research/bert as released; HF "gelu"). */
export function geluErf(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    // cdf: same shape as x
    const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, SQRT_HALF))));
    return tf.mul(x, cdf);
  });
}

/** Tanh-approximate GELU (google-research/bert HEAD modeling.py gelu; HF "gelu_new"). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    // inner = √(2/π)·(x + 0.044715·x³): same shape as x
    const inner = tf.mul(SQRT_TWO_OVER_PI, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    const cdf = tf.mul(0.5, tf.add(1, tf.tanh(inner)));
    return tf.mul(x, cdf);
  });
}

/** modeling.py get_activation: the function a `hidden_act` name selects. */
export function activation(name: HiddenActivation): (x: tf.Tensor) => tf.Tensor {
  switch (name) {
    case 'gelu': return geluErf;
    case 'gelu_tanh':
    case 'gelu_new': return geluTanh;
    case 'relu': return (x) => tf.relu(x);
    case 'tanh': return (x) => tf.tanh(x);
    case 'linear': return (x) => x;
  }
}

/** tf.layers.dense on a matrix: [N, in] × kernel [in, out] + bias [out] → [N, out]. */
export function dense(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    // [N, out]
    return tf.add(tf.matMul(x, kernel), bias);
  });
}

/** LayerNorm over the last axis: (x − mean)·rsqrt(var + eps)·gamma + beta (biased variance, as tf.nn.moments). */
export function layerNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): T {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    // [..., 1]
    const mean = tf.mean(x, axis, true);
    // [..., H]
    const centered = tf.sub(x, mean);
    // [..., 1]
    const variance = tf.mean(tf.square(centered), axis, true);
    // [..., H]
    const normalized = tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon)));
    return tf.add(tf.mul(normalized, gamma), beta) as T;
  });
}

/** How randomness is used in one forward pass: no dropout at inference; seeded dropout in training. */
export interface DropoutContext {
  training: boolean;
  rng?: RandomSource;
}

/** modeling.py dropout: identity at inference or for rate 0; else tf.dropout with a seed from the context's rng. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, context: DropoutContext): T {
  if (!context.training || rate === 0) return x;
  if (!context.rng) throw new Error('dropout in training needs an rng (pass { training: true, rng })');
  return tf.dropout(x, rate, undefined, nextOpSeed(context.rng)) as T;
}
