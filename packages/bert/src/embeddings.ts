// BERT input embeddings: word + token type + position, then LayerNorm and dropout.
// Ports bert/modeling.py embedding_lookup and embedding_postprocessor.
import * as tf from '@tensorflow/tfjs-core';
import { BERT_LAYER_NORM_EPSILON, dropout, layerNorm, type DropoutContext } from './layers.js';
import { getVariable, type BertModel } from './variables.js';

/**
 * Embeds `inputIds` [B, T] with `tokenTypeIds` [B, T] (both int32). Returns [B·T, H], the row-major
 * matrix view of [B, T, H] that the encoder works on. Call inside tf.tidy.
 */
export function embeddingOutput(model: BertModel, inputIds: tf.Tensor2D, tokenTypeIds: tf.Tensor2D, context: DropoutContext): tf.Tensor2D {
  return tf.tidy(() => {
    const { config } = model;
    const [B, T] = inputIds.shape;
    const H = config.hidden_size;
    if (T > config.max_position_embeddings) {
      throw new Error(`sequence length ${T} exceeds max_position_embeddings ${config.max_position_embeddings}`);
    }
    const v = (name: string): tf.Variable => getVariable(model, `bert/embeddings/${name}`);
    // [B·T]
    const flatIds = tf.reshape(inputIds, [B * T]);
    // [B, T, H]
    const words = tf.reshape(tf.gather(v('word_embeddings'), flatIds), [B, T, H]);
    // [B, T, H] (BERT multiplies a one-hot matrix by the table; a gather gives the same rows exactly)
    const tokenTypes = tf.reshape(tf.gather(v('token_type_embeddings'), tf.reshape(tokenTypeIds, [B * T])), [B, T, H]);
    // [T, H]: positions 0 … T−1 of the table, broadcast over the batch
    const positions = tf.slice(v('position_embeddings'), [0, 0], [T, H]);
    // [B, T, H], summed in modeling.py's order: words + token types, then + positions
    const summed = tf.add(tf.add(words, tokenTypes), positions);
    // [B·T, H]
    const normalized = layerNorm(tf.reshape(summed, [B * T, H]) as tf.Tensor2D, v('LayerNorm/gamma') as tf.Tensor1D, v('LayerNorm/beta') as tf.Tensor1D, BERT_LAYER_NORM_EPSILON);
    return dropout(normalized, config.hidden_dropout_prob, context);
  });
}
