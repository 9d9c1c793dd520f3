// Exports a @realm/bert embedder (BERT → pooler → REALM/ORQA projection, the `projected` signature
// of ict_model.py) as an opset-17 ONNX model. Mirrors @realm/bert's forward pass (model.ts,
// embeddings.ts, attention.ts, encoder.ts, heads.ts) and its graph-model exporter graph/bert-graph.ts.
import { attentionHeadSize, BERT_LAYER_NORM_EPSILON, getVariable, layerScope, PROJECTION_NAMES, type BertModel, type HiddenActivation } from '@realm/bert';
import { OnnxGraphBuilder } from './onnx-graph.js';

/** Graph input names (int32 [batch, seq]) and the output name (float32 [batch, projection size]). */
export const ONNX_EMBEDDER_INPUTS = ['input_ids', 'input_mask', 'token_type_ids'] as const;
export const ONNX_EMBEDDER_OUTPUT = 'projected';

/** The exported bytes and what they contain. */
export interface OnnxEmbedder {
  bytes: Uint8Array;
  opTypes: string[];
}

/** Emits the BERT ops on [B, T, H] activations, reading weights from a @realm/bert model. */
class BertOnnxEmitter {
  readonly g = new OnnxGraphBuilder();

  constructor(private readonly model: BertModel) {}

  /** Initializer holding model variable `name` (read back from the tfjs backend). */
  variable(name: string): string {
    const variable = getVariable(this.model, name);
    if (variable.dtype !== 'float32') throw new Error(`BERT variable "${name}" is ${variable.dtype}; the ONNX export writes float32 only`);
    return this.g.weight(name, variable.shape, variable.dataSync() as Float32Array);
  }

  /** tf.layers.dense on the last axis: MatMul (broadcast over [B, T]) then Add bias. */
  dense(scope: string, x: string): string {
    const product = this.g.op(`${scope}/MatMul`, 'MatMul', [x, this.variable(`${scope}/kernel`)]);
    return this.g.op(`${scope}/BiasAdd`, 'Add', [product, this.variable(`${scope}/bias`)]);
  }

  /**
   * LayerNorm over the last axis. ONNX LayerNormalization (opset 17) computes the same biased-variance
   * normalization as layers.ts layerNorm, (x − mean)/√(var + ε)·γ + β, in one kernel.
   */
  layerNorm(scope: string, x: string, gamma: string, beta: string, epsilon: number): string {
    return this.g.op(`${scope}/LayerNormalization`, 'LayerNormalization', [x, this.variable(gamma), this.variable(beta)],
      { axis: { int: -1 }, epsilon: { float: epsilon } });
  }

  /** layers.ts activation(name), op for op. */
  activation(scope: string, name: HiddenActivation, x: string): string {
    const g = this.g;
    const half = g.scalar('const/half', 0.5);
    const one = g.scalar('const/one', 1);
    switch (name) {
      case 'gelu': {
        const erf = g.op(`${scope}/Erf`, 'Erf', [g.op(`${scope}/mul`, 'Mul', [x, g.scalar('const/sqrt_half', Math.SQRT1_2)])]);
        const cdf = g.op(`${scope}/mul_1`, 'Mul', [half, g.op(`${scope}/add`, 'Add', [one, erf])]);
        return g.op(`${scope}/mul_2`, 'Mul', [x, cdf]);
      }
      case 'gelu_tanh':
      case 'gelu_new': {
        const cubed = g.op(`${scope}/Pow`, 'Pow', [x, g.scalar('const/three', 3)]);
        const inner = g.op(`${scope}/add`, 'Add', [x, g.op(`${scope}/mul`, 'Mul', [g.scalar('const/gelu_cubic', 0.044715), cubed])]);
        const tanh = g.op(`${scope}/Tanh`, 'Tanh', [g.op(`${scope}/mul_1`, 'Mul', [g.scalar('const/sqrt_two_over_pi', Math.sqrt(2 / Math.PI)), inner])]);
        const cdf = g.op(`${scope}/mul_2`, 'Mul', [half, g.op(`${scope}/add_1`, 'Add', [one, tanh])]);
        return g.op(`${scope}/mul_3`, 'Mul', [x, cdf]);
      }
      case 'relu': return g.op(`${scope}/Relu`, 'Relu', [x]);
      case 'tanh': return g.op(`${scope}/Tanh`, 'Tanh', [x]);
      case 'linear': return x;
    }
  }

  /** One encoder layer on x [B, T, H] (encoder.ts transformerLayer + attention.ts selfAttention). */
  layer(index: number, x: string, maskBias: string): string {
    const { config } = this.model;
    const g = this.g;
    const scope = layerScope(index);
    const self = `${scope}/attention/self`;
    const N = config.num_attention_heads;
    const D = attentionHeadSize(config);
    // Reshape's 0 copies that input dimension, so [B, T, H] ↔ [B, T, N, D] without a Shape op
    const headsShape = g.int64('const/heads_shape', [0, 0, N, D]);
    const mergedShape = g.int64('const/merged_shape', [0, 0, config.hidden_size]);
    const split = (name: string, t: string, perm: number[]): string =>
      g.op(`${self}/${name}_t`, 'Transpose', [g.op(`${self}/${name}_split`, 'Reshape', [t, headsShape])], { perm: { ints: perm } });
    // [B, T, H] each
    const query = this.dense(`${self}/query`, x);
    const key = this.dense(`${self}/key`, x);
    const value = this.dense(`${self}/value`, x);
    // [B, N, T, D]: queries scaled by 1/√D before the scores, as attention.ts
    const queryHeads = split('query', g.op(`${self}/scale`, 'Mul', [query, g.scalar('const/attention_scale', 1 / Math.sqrt(D))]), [0, 2, 1, 3]);
    // [B, N, D, T]
    const keyHeadsT = split('key', key, [0, 2, 3, 1]);
    // [B, N, T, D]
    const valueHeads = split('value', value, [0, 2, 1, 3]);
    // [B, N, T, T] + padding bias [B, 1, 1, T], softmax over keys
    const scores = g.op(`${self}/masked_scores`, 'Add', [g.op(`${self}/scores`, 'MatMul', [queryHeads, keyHeadsT]), maskBias]);
    const probs = g.op(`${self}/Softmax`, 'Softmax', [scores], { axis: { int: -1 } });
    // [B, N, T, D] → [B, T, N, D] → [B, T, H]
    const contextHeads = g.op(`${self}/context`, 'MatMul', [probs, valueHeads]);
    const attended = g.op(`${self}/context_merged`, 'Reshape', [g.op(`${self}/context_t`, 'Transpose', [contextHeads], { perm: { ints: [0, 2, 1, 3] } }), mergedShape]);
    const attentionProjected = this.dense(`${scope}/attention/output/dense`, attended);
    const attentionOutput = this.layerNorm(`${scope}/attention/output/LayerNorm`, g.op(`${scope}/attention/output/residual`, 'Add', [attentionProjected, x]),
      `${scope}/attention/output/LayerNorm/gamma`, `${scope}/attention/output/LayerNorm/beta`, BERT_LAYER_NORM_EPSILON);
    const intermediate = this.activation(`${scope}/intermediate/activation`, config.hidden_act, this.dense(`${scope}/intermediate/dense`, attentionOutput));
    const layerProjected = this.dense(`${scope}/output/dense`, intermediate);
    return this.layerNorm(`${scope}/output/LayerNorm`, g.op(`${scope}/output/residual`, 'Add', [layerProjected, attentionOutput]),
      `${scope}/output/LayerNorm/gamma`, `${scope}/output/LayerNorm/beta`, BERT_LAYER_NORM_EPSILON);
  }
}

/**
 * The ONNX embedder of `model` (which needs the pooler and projection heads): inputs input_ids,
 * input_mask, token_type_ids (int32 [batch, seq], both dimensions symbolic), output `projected`
 * (float32 [batch, P]). Weights are copied out of the tfjs backend, so call after the backend is set.
 */
export function exportOnnxEmbedder(model: BertModel): OnnxEmbedder {
  const { config, heads } = model;
  if (!heads.pooler || !heads.projection) throw new Error('ONNX embedder export needs a model with the pooler and projection heads (heads.projection)');
  const e = new BertOnnxEmitter(model);
  const g = e.g;
  const [inputIds, inputMask, tokenTypeIds] = ONNX_EMBEDDER_INPUTS.map((name) => g.input(name, 'INT32', ['batch', 'sequence']));

  // Embeddings (embeddings.ts): words + token types, then + positions 0 … T−1 (the table's first T rows)
  const words = g.op('bert/embeddings/word_lookup', 'Gather', [e.variable('bert/embeddings/word_embeddings'), inputIds], { axis: { int: 0 } });
  const tokenTypes = g.op('bert/embeddings/token_type_lookup', 'Gather', [e.variable('bert/embeddings/token_type_embeddings'), tokenTypeIds], { axis: { int: 0 } });
  // [1] = T, sliced out of Shape(input_ids) = [B, T]
  const seqLength = g.op('bert/embeddings/seq_length', 'Slice', [g.op('bert/input_shape', 'Shape', [inputIds]), g.int64('const/index_1', [1]), g.int64('const/index_2', [2])]);
  const positions = g.op('bert/embeddings/positions', 'Slice', [e.variable('bert/embeddings/position_embeddings'), g.int64('const/index_0', [0]), seqLength, g.int64('const/index_0', [0])]);
  const summed = g.op('bert/embeddings/add_1', 'Add', [g.op('bert/embeddings/add', 'Add', [words, tokenTypes]), positions]);
  const embeddings = e.layerNorm('bert/embeddings/LayerNorm', summed, 'bert/embeddings/LayerNorm/gamma', 'bert/embeddings/LayerNorm/beta', BERT_LAYER_NORM_EPSILON);

  // Attention bias (attention.ts attentionMaskBias): (1 − mask)·−10000 as [B, 1, 1, T]
  const maskFloat = g.op('bert/encoder/mask_float', 'Cast', [inputMask], { to: { int: 1 } });
  const maskBias2d = g.op('bert/encoder/mask_bias', 'Mul', [g.op('bert/encoder/mask_inverted', 'Sub', [g.scalar('const/one', 1), maskFloat]), g.scalar('const/mask_penalty', -10000)]);
  const maskBias = g.op('bert/encoder/mask_bias_4d', 'Unsqueeze', [maskBias2d, g.int64('const/axes_1_2', [1, 2])]);

  let hidden = embeddings;
  for (let i = 0; i < config.num_hidden_layers; i++) hidden = e.layer(i, hidden, maskBias);

  // Pooler (model.ts): the [CLS] row [B, H], dense, tanh
  const firstToken = g.op('bert/pooler/first_token', 'Gather', [hidden, g.int64('const/scalar_0', [0], [])], { axis: { int: 1 } });
  const pooled = g.op('bert/pooler/Tanh', 'Tanh', [e.dense('bert/pooler/dense', firstToken)]);
  // heads.ts projectPooled: dense → LayerNorm with the head's own epsilon (Keras default 1e-3)
  const projected = e.layerNorm('projection/LayerNorm', e.dense('projection/dense', pooled), PROJECTION_NAMES.gamma, PROJECTION_NAMES.beta, heads.projection.layerNormEpsilon);
  g.output(ONNX_EMBEDDER_OUTPUT, projected, 'FLOAT', ['batch', heads.projection.size]);

  const doc = `REALM/ORQA embedder: BERT L${config.num_hidden_layers} H${config.hidden_size} A${config.num_attention_heads} (${config.hidden_act}) + pooler + projection ${heads.projection.size}`;
  return { bytes: g.encodeModel('realm_embedder', doc), opTypes: g.opTypes() };
}
