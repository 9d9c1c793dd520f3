// Multi-head self-attention with BERT's additive padding mask. Ports bert/modeling.py
// create_attention_mask_from_input_mask and attention_layer (from_tensor = to_tensor).
// Written as 2-D matmuls for the projections and rank-3 batched matmuls over B·heads, with explicit
// transposes instead of transposeA/transposeB flags (the fast paths on tfjs-wasm).
import * as tf from '@tensorflow/tfjs-core';
import { attentionHeadSize } from './config.js';
import { dense, dropout, type DropoutContext } from './layers.js';
import { getVariable, type BertModel } from './variables.js';

/**
 * The additive attention bias from `inputMask` [B, T] (1 = attend, 0 = padding):
 * (1 − mask)·−10000 as [B, 1, T], broadcast over query positions and heads. Computing it once per
 * forward pass matches modeling.py, whose [B, T, T] mask only varies along the key axis.
 */
export function attentionMaskBias(inputMask: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, T] = inputMask.shape;
    // [B, 1, T]
    return tf.mul(tf.sub(1, tf.cast(tf.reshape(inputMask, [B, 1, T]), 'float32')), -10000) as tf.Tensor3D;
  });
}

/**
 * Self-attention of layer `scope` over `x` [B·T, H] (the matrix view of [B, T, H]). `maskBias` is
 * [B, 1, T] from attentionMaskBias. Returns the context [B·T, H] (before attention/output/dense).
 */
export function selfAttention(model: BertModel, scope: string, x: tf.Tensor2D, batchSize: number, maskBias: tf.Tensor3D, context: DropoutContext): tf.Tensor2D {
  return tf.tidy(() => {
    const { config } = model;
    const B = batchSize;
    const H = config.hidden_size;
    const T = x.shape[0] / B;
    const N = config.num_attention_heads;
    const D = attentionHeadSize(config);
    const v = (name: string): tf.Variable => getVariable(model, `${scope}/attention/self/${name}`);
    // [B·T, H] each: one 2-D matmul per projection
    const query = dense(x, v('query/kernel') as tf.Tensor2D, v('query/bias') as tf.Tensor1D);
    const key = dense(x, v('key/kernel') as tf.Tensor2D, v('key/bias') as tf.Tensor1D);
    const value = dense(x, v('value/kernel') as tf.Tensor2D, v('value/bias') as tf.Tensor1D);
    // [B·N, T, D]: queries scaled by 1/√D up front (B·T·H multiplies instead of B·N·T·T)
    const queryHeads = tf.reshape(tf.transpose(tf.reshape(tf.mul(query, 1 / Math.sqrt(D)), [B, T, N, D]), [0, 2, 1, 3]), [B * N, T, D]);
    // [B·N, D, T]: keys transposed explicitly so the scores are a plain batched matmul
    const keyHeadsT = tf.reshape(tf.transpose(tf.reshape(key, [B, T, N, D]), [0, 2, 3, 1]), [B * N, D, T]);
    // [B·N, T, D]
    const valueHeads = tf.reshape(tf.transpose(tf.reshape(value, [B, T, N, D]), [0, 2, 1, 3]), [B * N, T, D]);
    // [B, N·T, T]: query·key / √D for every head and query position, then + the padding bias [B, 1, T]
    const scores = tf.add(tf.reshape(tf.matMul(queryHeads, keyHeadsT), [B, N * T, T]), maskBias);
    // [B·N, T, T]
    const probs = dropout(tf.reshape(tf.softmax(scores), [B * N, T, T]), config.attention_probs_dropout_prob, context);
    // [B·N, T, D]
    const contextHeads = tf.matMul(probs, valueHeads);
    // [B·T, H]: heads concatenated back along the hidden axis
    return tf.reshape(tf.transpose(tf.reshape(contextHeads, [B, N, T, D]), [0, 2, 1, 3]), [B * T, H]);
  });
}
