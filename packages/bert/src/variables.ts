// The named variable tree: every trainable tensor of a BERT model under google-research/bert's scope
// path (the checkpoint schema, modeling.py get_assignment_map_from_checkpoint), plus our names for
// the REALM/ORQA embedder projection. Ports the tf.get_variable / tf.layers.dense initializers.
import * as tf from '@tensorflow/tfjs-core';
import { BertHeadsSchema, type BertConfig, type BertHeads, type BertHeadsInput } from './config.js';
import { nextOpSeed, type RandomSource } from './random.js';

/** How a variable is initialized (modeling.py create_initializer; tf.layers.dense defaults). */
export type VariableInit = 'truncated_normal' | 'glorot_uniform' | 'zeros' | 'ones';

/** One variable of the tree: canonical name, shape and initializer. */
export interface VariableSpec {
  name: string;
  shape: number[];
  init: VariableInit;
}

/**
 * Canonical names of the embedder projection (ict_model.py module_fn: tf.layers.dense then Keras
 * LayerNormalization). REALM/ORQA hub checkpoints store them as module/…/dense/{kernel,bias} and
 * module/…/LayerNorm/{gamma,beta}; see tf-names.ts for the mapping.
 */
export const PROJECTION_NAMES = Object.freeze({
  kernel: 'projection/dense/kernel',
  bias: 'projection/dense/bias',
  gamma: 'projection/LayerNorm/gamma',
  beta: 'projection/LayerNorm/beta',
});

/** Scope of encoder layer `index`: bert/encoder/layer_N. */
export function layerScope(index: number): string {
  return `bert/encoder/layer_${index}`;
}

function denseSpecs(scope: string, inputs: number, units: number, kernelInit: VariableInit = 'truncated_normal'): VariableSpec[] {
  return [
    { name: `${scope}/kernel`, shape: [inputs, units], init: kernelInit },
    { name: `${scope}/bias`, shape: [units], init: 'zeros' },
  ];
}

function layerNormSpecs(scope: string, width: number): VariableSpec[] {
  return [
    { name: `${scope}/gamma`, shape: [width], init: 'ones' },
    { name: `${scope}/beta`, shape: [width], init: 'zeros' },
  ];
}

/** Every variable of a model with `config` and `heads`, in google-research/bert's creation order. */
export function bertVariableSpecs(config: BertConfig, headsInput: BertHeadsInput = {}): VariableSpec[] {
  const heads = BertHeadsSchema.parse(headsInput);
  const H = config.hidden_size;
  const specs: VariableSpec[] = [
    { name: 'bert/embeddings/word_embeddings', shape: [config.vocab_size, H], init: 'truncated_normal' },
    { name: 'bert/embeddings/token_type_embeddings', shape: [config.type_vocab_size, H], init: 'truncated_normal' },
    { name: 'bert/embeddings/position_embeddings', shape: [config.max_position_embeddings, H], init: 'truncated_normal' },
    ...layerNormSpecs('bert/embeddings/LayerNorm', H),
  ];
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const scope = layerScope(i);
    specs.push(
      ...denseSpecs(`${scope}/attention/self/query`, H, H),
      ...denseSpecs(`${scope}/attention/self/key`, H, H),
      ...denseSpecs(`${scope}/attention/self/value`, H, H),
      ...denseSpecs(`${scope}/attention/output/dense`, H, H),
      ...layerNormSpecs(`${scope}/attention/output/LayerNorm`, H),
      ...denseSpecs(`${scope}/intermediate/dense`, H, config.intermediate_size),
      ...denseSpecs(`${scope}/output/dense`, config.intermediate_size, H),
      ...layerNormSpecs(`${scope}/output/LayerNorm`, H),
    );
  }
  if (heads.pooler) specs.push(...denseSpecs('bert/pooler/dense', H, H));
  if (heads.maskedLm) {
    specs.push(
      ...denseSpecs('cls/predictions/transform/dense', H, H),
      ...layerNormSpecs('cls/predictions/transform/LayerNorm', H),
      { name: 'cls/predictions/output_bias', shape: [config.vocab_size], init: 'zeros' },
    );
  }
  if (heads.nextSentence) {
    // run_pretraining.py get_next_sentence_output: weights stored [2, H] (used transposed).
    specs.push(
      { name: 'cls/seq_relationship/output_weights', shape: [2, H], init: 'truncated_normal' },
      { name: 'cls/seq_relationship/output_bias', shape: [2], init: 'zeros' },
    );
  }
  if (heads.projection) {
    // tf.layers.dense without kernel_initializer: glorot_uniform (ict_model.py module_fn).
    specs.push(
      { name: PROJECTION_NAMES.kernel, shape: [H, heads.projection.size], init: 'glorot_uniform' },
      { name: PROJECTION_NAMES.bias, shape: [heads.projection.size], init: 'zeros' },
      { name: PROJECTION_NAMES.gamma, shape: [heads.projection.size], init: 'ones' },
      { name: PROJECTION_NAMES.beta, shape: [heads.projection.size], init: 'zeros' },
    );
  }
  return specs;
}

/**
 * A BERT model: its config, its heads and its variables by canonical name. The variables are owned
 * by the model; free them with `disposeBertModel`.
 */
export interface BertModel {
  readonly config: BertConfig;
  readonly heads: BertHeads;
  readonly variables: ReadonlyMap<string, tf.Variable>;
}

/** The variable `name` of `model`; throws naming the variable when the model lacks it. */
export function getVariable(model: BertModel, name: string): tf.Variable {
  const found = model.variables.get(name);
  if (!found) throw new Error(`BERT model has no variable "${name}" (it has ${model.variables.size}; heads: ${JSON.stringify(model.heads)})`);
  return found;
}

function initialTensor(spec: VariableSpec, config: BertConfig, rng: RandomSource): tf.Tensor {
  switch (spec.init) {
    case 'zeros': return tf.zeros(spec.shape);
    case 'ones': return tf.ones(spec.shape);
    case 'truncated_normal':
      // tf.truncated_normal_initializer(stddev=initializer_range): redraws beyond 2 stddev, as TF.
      return tf.truncatedNormal(spec.shape, 0, config.initializer_range, 'float32', nextOpSeed(rng));
    case 'glorot_uniform': {
      const limit = Math.sqrt(6 / (spec.shape[0] + spec.shape[1]));
      return tf.randomUniform(spec.shape, -limit, limit, 'float32', nextOpSeed(rng));
    }
  }
}

/** Wraps already-built tensors (one per spec, same order) as a model's variables; takes ownership. */
export function modelFromTensors(config: BertConfig, heads: BertHeads, tensors: Map<string, tf.Tensor>, trainable = true): BertModel {
  const variables = new Map<string, tf.Variable>();
  for (const spec of bertVariableSpecs(config, heads)) {
    const tensor = tensors.get(spec.name);
    if (!tensor) throw new Error(`no value for BERT variable "${spec.name}"`);
    if (!tf.util.arraysEqual(tensor.shape, spec.shape)) {
      throw new Error(`BERT variable "${spec.name}": expected shape [${spec.shape.join(', ')}], got [${tensor.shape.join(', ')}]`);
    }
    // Unnamed: tfjs variable names are global, and two models may hold the same canonical names.
    variables.set(spec.name, tf.variable(tensor, trainable));
    tensor.dispose();
  }
  return { config, heads, variables };
}

/**
 * A freshly initialized model (modeling.py initializers: truncated normal with stddev
 * initializer_range for kernels and embeddings, zeros for biases, LayerNorm gamma 1 and beta 0).
 * All randomness comes from `rng`, one op seed per variable in spec order.
 */
export function createBertModel(config: BertConfig, options: { rng: RandomSource; heads?: BertHeadsInput }): BertModel {
  const heads = BertHeadsSchema.parse(options.heads ?? {});
  const tensors = new Map<string, tf.Tensor>();
  for (const spec of bertVariableSpecs(config, heads)) tensors.set(spec.name, initialTensor(spec, config, options.rng));
  return modelFromTensors(config, heads, tensors);
}

/** Frees every variable of `model`. */
export function disposeBertModel(model: BertModel): void {
  for (const variable of model.variables.values()) variable.dispose();
}

/** The model's variables in spec order (e.g. as `varList` for optimizer.minimize). */
export function trainableVariables(model: BertModel): tf.Variable[] {
  return [...model.variables.values()];
}
