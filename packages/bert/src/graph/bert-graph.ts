// The BERT inference graph (embeddings → encoder → pooler → REALM/ORQA projection) written as plain
// TensorFlow ops for tfjs-converter. Mirrors our forward pass op for op (model.ts, embeddings.ts,
// attention.ts, encoder.ts, heads.ts), so the exported graph computes the same float32 values.
import { attentionHeadSize, type BertConfig, type BertHeads, type HiddenActivation } from '../config.js';
import { BERT_LAYER_NORM_EPSILON } from '../layers.js';
import { bertVariableSpecs, layerScope, PROJECTION_NAMES } from '../variables.js';
import { attr, GraphBuilder, shapeJson, type AttrValueJson, type GraphConstant, type GraphDefJson, type TensorInfoJson } from './graph-def.js';

/** Tensors a graph can return, by signature key. */
export const GRAPH_OUTPUTS = ['sequence_output', 'pooled_output', 'projected'] as const;
export type GraphOutputName = (typeof GRAPH_OUTPUTS)[number];

/** Signature keys (and Placeholder names) of the three int32 [batch, seq] inputs. */
export const GRAPH_INPUTS = ['input_ids', 'input_mask', 'token_type_ids'] as const;

/** Every TF op the graph can contain; each one is a built-in of tfjs-converter. */
export const GRAPH_MODEL_OPS = [
  'Placeholder', 'Const', 'Identity', 'Shape', 'GatherV2', 'Range', 'ConcatV2', 'Reshape', 'Transpose', 'ExpandDims', 'Cast',
  'AddV2', 'Sub', 'Mul', 'Pow', 'Square', 'Rsqrt', 'Erf', 'Tanh', 'Relu', 'Mean', 'MatMul', 'BatchMatMulV2', 'Softmax',
] as const;

/** What to build: the model's shape and heads, the outputs, and a fixed sequence length or null. */
export interface BertGraphSpec {
  config: BertConfig;
  heads: BertHeads;
  outputs: readonly GraphOutputName[];
  sequenceLength: number | null;
}

/** The graph, its signature and its Consts (model variables carry no values yet). */
export interface BertGraph {
  graphDef: GraphDefJson;
  signature: { inputs: Record<string, TensorInfoJson>; outputs: Record<string, TensorInfoJson> };
  constants: GraphConstant[];
}

const F32 = attr.type('float32');
const I32 = attr.type('int32');

/** Emits ops with the attrs TensorFlow requires (T, Tidx, …); tfjs reads only some of them. */
class BertGraphEmitter {
  readonly g = new GraphBuilder();
  private readonly shapes: Map<string, number[]>;

  constructor(private readonly config: BertConfig, heads: BertHeads) {
    this.shapes = new Map(bertVariableSpecs(config, heads).map((s) => [s.name, s.shape]));
  }

  /** The Const of model variable `name`; its value is read from the model at export. */
  variable(name: string): string {
    const shape = this.shapes.get(name);
    if (!shape) throw new Error(`the graph needs BERT variable "${name}", which this model's heads do not have`);
    return this.g.constant(name, 'float32', shape);
  }

  binary(name: string, op: 'AddV2' | 'Sub' | 'Mul' | 'Pow', a: string, b: string): string {
    return this.g.op(name, op, [a, b], { T: F32 });
  }

  unary(name: string, op: 'Square' | 'Rsqrt' | 'Erf' | 'Tanh' | 'Relu' | 'Softmax' | 'Identity', x: string): string {
    return this.g.op(name, op, [x], { T: F32 });
  }

  reshape(name: string, x: string, shape: string): string {
    return this.g.op(name, 'Reshape', [x, shape], { T: F32, Tshape: I32 });
  }

  transpose(name: string, x: string, perm: readonly number[]): string {
    return this.g.op(name, 'Transpose', [x, this.g.ints(`const/perm_${perm.join('')}`, perm)], { T: F32, Tperm: I32 });
  }

  gather(name: string, params: string, indices: string, axis: number, dtype: 'float32' | 'int32' = 'float32'): string {
    const attrs: Record<string, AttrValueJson> = { Tparams: attr.type(dtype), Tindices: I32, Taxis: I32, batch_dims: attr.int(0) };
    return this.g.op(name, 'GatherV2', [params, indices, this.g.ints(`const/axis_${axis}`, axis)], attrs);
  }

  concat(name: string, parts: readonly string[]): string {
    return this.g.op(name, 'ConcatV2', [...parts, this.g.ints('const/axis_0', 0)], { T: I32, Tidx: I32, N: attr.int(parts.length) });
  }

  /** tf.layers.dense on a matrix: MatMul then AddV2 bias (layers.ts dense). */
  dense(scope: string, x: string): string {
    const product = this.g.op(`${scope}/MatMul`, 'MatMul', [x, this.variable(`${scope}/kernel`)], { T: F32, transpose_a: attr.bool(false), transpose_b: attr.bool(false) });
    return this.binary(`${scope}/BiasAdd`, 'AddV2', product, this.variable(`${scope}/bias`));
  }

  /** LayerNorm over the last axis in layers.ts layerNorm's op order. */
  layerNorm(scope: string, x: string, gamma: string, beta: string, epsilon: string): string {
    const lastAxis = this.g.ints('const/last_axis', [-1]);
    const mean = this.g.op(`${scope}/moments/mean`, 'Mean', [x, lastAxis], { T: F32, Tidx: I32, keep_dims: attr.bool(true) });
    const centered = this.binary(`${scope}/sub`, 'Sub', x, mean);
    const squared = this.unary(`${scope}/moments/Square`, 'Square', centered);
    const variance = this.g.op(`${scope}/moments/variance`, 'Mean', [squared, lastAxis], { T: F32, Tidx: I32, keep_dims: attr.bool(true) });
    const inverse = this.unary(`${scope}/Rsqrt`, 'Rsqrt', this.binary(`${scope}/add`, 'AddV2', variance, epsilon));
    const normalized = this.binary(`${scope}/mul`, 'Mul', centered, inverse);
    return this.binary(`${scope}/add_1`, 'AddV2', this.binary(`${scope}/mul_1`, 'Mul', normalized, this.variable(gamma)), this.variable(beta));
  }

  /** layers.ts activation(name), op for op. */
  activation(scope: string, name: HiddenActivation, x: string): string {
    const g = this.g;
    switch (name) {
      case 'gelu': {
        const erf = this.unary(`${scope}/Erf`, 'Erf', this.binary(`${scope}/mul`, 'Mul', x, g.scalar('const/sqrt_half', Math.SQRT1_2)));
        const cdf = this.binary(`${scope}/mul_1`, 'Mul', g.scalar('const/half', 0.5), this.binary(`${scope}/add`, 'AddV2', g.scalar('const/one', 1), erf));
        return this.binary(`${scope}/mul_2`, 'Mul', x, cdf);
      }
      case 'gelu_tanh':
      case 'gelu_new': {
        const cubed = this.binary(`${scope}/Pow`, 'Pow', x, g.scalar('const/three', 3));
        const inner = this.binary(`${scope}/add`, 'AddV2', x, this.binary(`${scope}/mul`, 'Mul', g.scalar('const/gelu_cubic', 0.044715), cubed));
        const tanh = this.unary(`${scope}/Tanh`, 'Tanh', this.binary(`${scope}/mul_1`, 'Mul', g.scalar('const/sqrt_two_over_pi', Math.sqrt(2 / Math.PI)), inner));
        const cdf = this.binary(`${scope}/mul_2`, 'Mul', g.scalar('const/half', 0.5), this.binary(`${scope}/add_1`, 'AddV2', g.scalar('const/one', 1), tanh));
        return this.binary(`${scope}/mul_3`, 'Mul', x, cdf);
      }
      case 'relu': return this.unary(`${scope}/Relu`, 'Relu', x);
      case 'tanh': return this.unary(`${scope}/Tanh`, 'Tanh', x);
      case 'linear': return x;
    }
  }

  /** One encoder layer on x [B·T, H] (encoder.ts transformerLayer + attention.ts selfAttention). */
  layer(index: number, x: string, headsShape: string, maskBias: string): string {
    const { config } = this;
    const scope = layerScope(index);
    const H = config.hidden_size;
    const self = `${scope}/attention/self`;
    const epsilon = this.g.scalar('const/layer_norm_epsilon', BERT_LAYER_NORM_EPSILON);
    const flatShape = this.g.ints('const/shape_rows_hidden', [-1, H]);
    const query = this.dense(`${self}/query`, x);
    const key = this.dense(`${self}/key`, x);
    const value = this.dense(`${self}/value`, x);
    // [B, N, T, D]: queries scaled by 1/√D before the scores, as attention.ts
    const scaled = this.binary(`${self}/mul`, 'Mul', query, this.g.scalar('const/attention_scale', 1 / Math.sqrt(attentionHeadSize(config))));
    const queryHeads = this.transpose(`${self}/query_heads`, this.reshape(`${self}/query_split`, scaled, headsShape), [0, 2, 1, 3]);
    // [B, N, D, T]
    const keyHeadsT = this.transpose(`${self}/key_heads_t`, this.reshape(`${self}/key_split`, key, headsShape), [0, 2, 3, 1]);
    // [B, N, T, D]
    const valueHeads = this.transpose(`${self}/value_heads`, this.reshape(`${self}/value_split`, value, headsShape), [0, 2, 1, 3]);
    // [B, N, T, T] + padding bias [B, 1, 1, T]
    const rawScores = this.g.op(`${self}/scores`, 'BatchMatMulV2', [queryHeads, keyHeadsT], { T: F32, adj_x: attr.bool(false), adj_y: attr.bool(false) });
    const probs = this.unary(`${self}/Softmax`, 'Softmax', this.binary(`${self}/masked_scores`, 'AddV2', rawScores, maskBias));
    const contextHeads = this.g.op(`${self}/context`, 'BatchMatMulV2', [probs, valueHeads], { T: F32, adj_x: attr.bool(false), adj_y: attr.bool(false) });
    // [B·T, H]: heads concatenated back along the hidden axis
    const attended = this.reshape(`${self}/context_merged`, this.transpose(`${self}/context_t`, contextHeads, [0, 2, 1, 3]), flatShape);
    const attentionProjected = this.dense(`${scope}/attention/output/dense`, attended);
    const attentionOutput = this.layerNorm(`${scope}/attention/output/LayerNorm`, this.binary(`${scope}/attention/output/residual`, 'AddV2', attentionProjected, x),
      `${scope}/attention/output/LayerNorm/gamma`, `${scope}/attention/output/LayerNorm/beta`, epsilon);
    const intermediate = this.activation(`${scope}/intermediate/activation`, config.hidden_act, this.dense(`${scope}/intermediate/dense`, attentionOutput));
    const layerProjected = this.dense(`${scope}/output/dense`, intermediate);
    return this.layerNorm(`${scope}/output/LayerNorm`, this.binary(`${scope}/output/residual`, 'AddV2', layerProjected, attentionOutput),
      `${scope}/output/LayerNorm/gamma`, `${scope}/output/LayerNorm/beta`, epsilon);
  }
}

/** Checks `spec.outputs` against the heads; errors name the output and the missing head. */
function checkOutputs(spec: BertGraphSpec): void {
  if (spec.outputs.length === 0) throw new Error('graph-model export needs at least one output');
  for (const output of spec.outputs) {
    if (output === 'pooled_output' && !spec.heads.pooler) throw new Error('output "pooled_output" needs a pooler (heads.pooler), which this model lacks');
    if (output === 'projected' && !spec.heads.projection) throw new Error('output "projected" needs the projection head (heads.projection), which this model lacks');
  }
  if (spec.sequenceLength !== null && spec.sequenceLength > spec.config.max_position_embeddings) {
    throw new Error(`sequenceLength ${spec.sequenceLength} exceeds max_position_embeddings ${spec.config.max_position_embeddings}`);
  }
}

/**
 * The BERT inference graph for `spec`: inputs input_ids, input_mask, token_type_ids (int32
 * [batch, seq]; seq fixed when `sequenceLength` is set) and the requested outputs. Only the parts the
 * outputs need are emitted (no pooler for sequence_output alone; never the MLM / NSP heads).
 */
export function buildBertGraph(spec: BertGraphSpec): BertGraph {
  checkOutputs(spec);
  const { config, heads } = spec;
  const H = config.hidden_size;
  const e = new BertGraphEmitter(config, heads);
  const g = e.g;
  const inputShape = [-1, spec.sequenceLength ?? -1];
  const [inputIds, inputMask, tokenTypeIds] = GRAPH_INPUTS.map((name) => g.placeholder(name, 'int32', inputShape));

  // [2] = [B, T] at run time, so the graph serves any batch and sequence length
  const batchAndLength = g.op('bert/input_shape', 'Shape', [inputIds], { T: I32, out_type: I32 });
  const seqLength = e.gather('bert/seq_length', batchAndLength, g.ints('const/index_1', 1), 0, 'int32');

  // Embeddings (embeddings.ts): words + token types, then + positions 0 … T−1, LayerNorm over [B·T, H]
  const words = e.gather('bert/embeddings/word_lookup', e.variable('bert/embeddings/word_embeddings'), inputIds, 0);
  const tokenTypes = e.gather('bert/embeddings/token_type_lookup', e.variable('bert/embeddings/token_type_embeddings'), tokenTypeIds, 0);
  const positionIds = g.op('bert/embeddings/position_ids', 'Range', [g.ints('const/index_0', 0), seqLength, g.ints('const/index_1', 1)], { Tidx: I32 });
  const positions = e.gather('bert/embeddings/position_lookup', e.variable('bert/embeddings/position_embeddings'), positionIds, 0);
  const summed = e.binary('bert/embeddings/add_1', 'AddV2', e.binary('bert/embeddings/add', 'AddV2', words, tokenTypes), positions);
  const flat = e.reshape('bert/embeddings/flatten', summed, g.ints('const/shape_rows_hidden', [-1, H]));
  const embeddings = e.layerNorm('bert/embeddings/LayerNorm', flat, 'bert/embeddings/LayerNorm/gamma', 'bert/embeddings/LayerNorm/beta',
    g.scalar('const/layer_norm_epsilon', BERT_LAYER_NORM_EPSILON));

  // Attention bias (attention.ts attentionMaskBias): (1 − mask)·−10000 as [B, 1, 1, T]
  const maskFloat = g.op('bert/encoder/mask_float', 'Cast', [inputMask], { SrcT: I32, DstT: F32, Truncate: attr.bool(false) });
  const maskBias2d = e.binary('bert/encoder/mask_bias', 'Mul', e.binary('bert/encoder/mask_inverted', 'Sub', g.scalar('const/one', 1), maskFloat), g.scalar('const/mask_penalty', -10000));
  const expand = (name: string, x: string): string => g.op(name, 'ExpandDims', [x, g.ints('const/axis_1', 1)], { T: F32, Tdim: I32 });
  const maskBias = expand('bert/encoder/mask_bias_4d', expand('bert/encoder/mask_bias_3d', maskBias2d));
  // [B, T, N, D], the shape that splits [B·T, H] into heads
  const headsShape = e.concat('bert/encoder/heads_shape', [batchAndLength, g.ints('const/heads_and_head_size', [config.num_attention_heads, attentionHeadSize(config)])]);

  let hidden = embeddings;
  for (let i = 0; i < config.num_hidden_layers; i++) hidden = e.layer(i, hidden, headsShape, maskBias);
  const sequenceShape = e.concat('bert/sequence_shape', [batchAndLength, g.ints('const/hidden', [H])]);
  const sequence = e.reshape('bert/sequence_output', hidden, sequenceShape);

  const produced = new Map<GraphOutputName, string>([['sequence_output', sequence]]);
  if (spec.outputs.includes('pooled_output') || spec.outputs.includes('projected')) {
    // [B, H]: the [CLS] row, then dense + tanh (model.ts)
    const firstToken = e.gather('bert/pooler/first_token', sequence, g.ints('const/index_0', 0), 1);
    const pooled = e.unary('bert/pooler/Tanh', 'Tanh', e.dense('bert/pooler/dense', firstToken));
    produced.set('pooled_output', pooled);
    if (spec.outputs.includes('projected')) {
      // heads.ts projectPooled: dense → LayerNorm with the head's own epsilon (Keras default 1e-3)
      const projected = e.dense('projection/dense', pooled);
      produced.set('projected', e.layerNorm('projection/LayerNorm', projected, PROJECTION_NAMES.gamma, PROJECTION_NAMES.beta,
        g.scalar('const/projection_layer_norm_epsilon', heads.projection!.layerNormEpsilon)));
    }
  }

  const outputShapes: Record<GraphOutputName, number[]> = {
    sequence_output: [-1, spec.sequenceLength ?? -1, H],
    pooled_output: [-1, H],
    projected: [-1, heads.projection?.size ?? -1],
  };
  const signature: BertGraph['signature'] = { inputs: {}, outputs: {} };
  for (const name of GRAPH_INPUTS) signature.inputs[name] = { name: `${name}:0`, dtype: 'DT_INT32', tensorShape: shapeJson(inputShape) };
  for (const name of spec.outputs) {
    // An Identity named after the signature key, so the output is also addressable by node name
    e.unary(name, 'Identity', produced.get(name)!);
    signature.outputs[name] = { name: `${name}:0`, dtype: 'DT_FLOAT', tensorShape: shapeJson(outputShapes[name]) };
  }
  return { graphDef: g.graphDef(), signature, constants: g.constants() };
}
