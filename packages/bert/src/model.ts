// The BERT forward pass: embeddings → encoder → pooler, returning sequence_output [B, T, H] and
// pooled_output [B, H]. Ports bert/modeling.py BertModel.__init__ (dropout off unless training).
import * as tf from '@tensorflow/tfjs-core';
import { attentionMaskBias } from './attention.js';
import { embeddingOutput } from './embeddings.js';
import { transformerEncoder } from './encoder.js';
import { dense, type DropoutContext } from './layers.js';
import type { RandomSource } from './random.js';
import { getVariable, type BertModel } from './variables.js';

/** int32 inputs, each [B, T]. A missing mask means all ones; missing token types mean all zeros. */
export interface BertInputs {
  inputIds: tf.Tensor2D;
  inputMask?: tf.Tensor2D;
  tokenTypeIds?: tf.Tensor2D;
}

/** Inference by default; `training: true` turns dropout on, seeded from `rng`. */
export interface ForwardOptions {
  training?: boolean;
  rng?: RandomSource;
}

/** Outputs owned by the caller (dispose them). `pooledOutput` is null for a model without a pooler. */
export interface BertOutputs {
  sequenceOutput: tf.Tensor3D;
  pooledOutput: tf.Tensor2D | null;
}

/** The dropout context of one call; rejects training without an rng up front. */
export function dropoutContext(options: ForwardOptions): DropoutContext {
  const training = options.training ?? false;
  if (training && !options.rng) throw new Error('training: true needs an rng for dropout (e.g. createRng(seed) from @realm/tokenizer)');
  return { training, rng: options.rng };
}

function checkInputs(inputs: BertInputs): void {
  const { inputIds, inputMask, tokenTypeIds } = inputs;
  if (inputIds.rank !== 2) throw new Error(`inputIds must be [batch, seq], got shape [${inputIds.shape.join(', ')}]`);
  if (inputIds.dtype !== 'int32') throw new Error(`inputIds must be int32, got ${inputIds.dtype}`);
  for (const [name, tensor] of [['inputMask', inputMask], ['tokenTypeIds', tokenTypeIds]] as const) {
    if (tensor && !tf.util.arraysEqual(tensor.shape, inputIds.shape)) {
      throw new Error(`${name} shape [${tensor.shape.join(', ')}] differs from inputIds shape [${inputIds.shape.join(', ')}]`);
    }
    if (tensor && tensor.dtype !== 'int32') throw new Error(`${name} must be int32, got ${tensor.dtype}`);
  }
}

/**
 * Runs BERT on `inputs`: sequence_output [B, T, H] and pooled_output [B, H] (null without a pooler).
 * Dropout only with `{ training: true, rng }`. The returned tensors belong to the caller.
 */
export function bertForward(model: BertModel, inputs: BertInputs, options: ForwardOptions = {}): BertOutputs {
  const context = dropoutContext(options);
  checkInputs(inputs);
  return tf.tidy(() => forward(model, inputs, context) as unknown as tf.TensorContainerObject) as unknown as BertOutputs;
}

function forward(model: BertModel, inputs: BertInputs, context: DropoutContext): BertOutputs {
  const [B, T] = inputs.inputIds.shape;
  const H = model.config.hidden_size;
  // [B, T]
  const inputMask = inputs.inputMask ?? tf.ones([B, T], 'int32');
  const tokenTypeIds = inputs.tokenTypeIds ?? tf.zeros([B, T], 'int32');
  // [B, 1, T]
  const maskBias = attentionMaskBias(inputMask as tf.Tensor2D);
  // [B·T, H]
  const embeddings = embeddingOutput(model, inputs.inputIds, tokenTypeIds as tf.Tensor2D, context);
  // [B·T, H]
  const encoded = transformerEncoder(model, embeddings, B, maskBias, context);
  // [B, T, H]
  const sequenceOutput = tf.reshape(encoded, [B, T, H]) as tf.Tensor3D;
  if (!model.heads.pooler) return { sequenceOutput, pooledOutput: null };
  // [B, H]: the hidden state of the first token ([CLS]) of each sequence
  const firstToken = tf.reshape(tf.slice(sequenceOutput, [0, 0, 0], [B, 1, H]), [B, H]) as tf.Tensor2D;
  // [B, H]
  const pooledOutput = tf.tanh(dense(firstToken, getVariable(model, 'bert/pooler/dense/kernel') as tf.Tensor2D, getVariable(model, 'bert/pooler/dense/bias') as tf.Tensor1D));
  return { sequenceOutput, pooledOutput };
}
