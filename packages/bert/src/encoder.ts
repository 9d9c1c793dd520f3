// The Transformer encoder stack: per layer, self-attention → dense → dropout → residual LayerNorm,
// then feed-forward (intermediate dense + activation, output dense) → dropout → residual LayerNorm.
// Ports bert/modeling.py transformer_model.
import * as tf from '@tensorflow/tfjs-core';
import { selfAttention } from './attention.js';
import { activation, BERT_LAYER_NORM_EPSILON, dense, dropout, layerNorm, type DropoutContext } from './layers.js';
import { getVariable, layerScope, type BertModel } from './variables.js';

/** One encoder layer on `x` [B·T, H]; returns [B·T, H]. Call inside tf.tidy. */
export function transformerLayer(model: BertModel, index: number, x: tf.Tensor2D, batchSize: number, maskBias: tf.Tensor3D, context: DropoutContext): tf.Tensor2D {
  return tf.tidy(() => {
    const { config } = model;
    const scope = layerScope(index);
    const v1 = (name: string): tf.Tensor1D => getVariable(model, `${scope}/${name}`) as tf.Tensor1D;
    const v2 = (name: string): tf.Tensor2D => getVariable(model, `${scope}/${name}`) as tf.Tensor2D;
    // [B·T, H]
    const attended = selfAttention(model, scope, x, batchSize, maskBias, context);
    // [B·T, H]
    const attentionProjected = dropout(dense(attended, v2('attention/output/dense/kernel'), v1('attention/output/dense/bias')), config.hidden_dropout_prob, context);
    // [B·T, H]
    const attentionOutput = layerNorm(tf.add(attentionProjected, x) as tf.Tensor2D, v1('attention/output/LayerNorm/gamma'), v1('attention/output/LayerNorm/beta'), BERT_LAYER_NORM_EPSILON);
    // [B·T, I]
    const intermediate = activation(config.hidden_act)(dense(attentionOutput, v2('intermediate/dense/kernel'), v1('intermediate/dense/bias'))) as tf.Tensor2D;
    // [B·T, H]
    const layerProjected = dropout(dense(intermediate, v2('output/dense/kernel'), v1('output/dense/bias')), config.hidden_dropout_prob, context);
    // [B·T, H]
    return layerNorm(tf.add(layerProjected, attentionOutput) as tf.Tensor2D, v1('output/LayerNorm/gamma'), v1('output/LayerNorm/beta'), BERT_LAYER_NORM_EPSILON);
  });
}

/** All layers in order on the embeddings [B·T, H]; returns the last layer's output [B·T, H] (owned by the caller). */
export function transformerEncoder(model: BertModel, embeddings: tf.Tensor2D, batchSize: number, maskBias: tf.Tensor3D, context: DropoutContext): tf.Tensor2D {
  let hidden = embeddings;
  for (let i = 0; i < model.config.num_hidden_layers; i++) {
    // [B·T, H]: each layer in its own tidy scope, so only the running hidden state stays alive
    const next = transformerLayer(model, i, hidden, batchSize, maskBias, context);
    if (hidden !== embeddings) hidden.dispose();
    hidden = next;
  }
  return hidden === embeddings ? tf.clone(embeddings) : hidden;
}
