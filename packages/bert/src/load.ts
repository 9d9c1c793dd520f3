// Builds a BertModel from the tensors of a TF checkpoint or a Hugging Face safetensors file, by name
// (names.ts), checking every shape and reporting missing, unexpected and ignored variables by name.
// The counterpart of modeling.py get_assignment_map_from_checkpoint + tf.train.init_from_checkpoint.
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointReader } from '@realm/data';
import { BertHeadsSchema, ProjectionHeadConfigSchema, type BertConfig, type BertHeads, type BertHeadsInput } from './config.js';
import { mapHuggingFaceNames, mapTfCheckpointNames, type NameMapping } from './names.js';
import type { RandomSource } from './random.js';
import { readSafetensors } from './safetensors.js';
import { bertVariableSpecs, createBertModel, disposeBertModel, modelFromTensors, PROJECTION_NAMES, type BertModel } from './variables.js';

/** What a load found, by name. */
export interface LoadReport {
  /** Scope / module prefix the BERT variables were read from. */
  scope: string;
  /** Canonical names read from the file. */
  loaded: string[];
  /** Canonical names the model needs but the file lacks (freshly initialized when allowed). */
  missing: string[];
  /** Source names that belong to no variable of the model (e.g. cls/seq_relationship, another head). */
  unexpected: string[];
  /** Source names skipped by design (optimizer slots, global_step, buffers, tied copies). */
  ignored: string[];
}

export interface LoadOptions {
  /** Which heads the model gets; 'auto' (default) takes each head the file has. */
  heads?: BertHeadsInput | 'auto';
  /** Which BERT to read when a file holds several (TF scope such as "reader/module/", HF prefix such as "embedder.realm."). */
  scope?: string;
  /** Initialize variables the file lacks from this rng instead of failing (e.g. a new projection head). */
  initializeMissing?: RandomSource;
  /** Fail when the file has variables the model does not use. */
  strict?: boolean;
}

/** A loaded model with its report. */
export interface LoadedBert {
  model: BertModel;
  report: LoadReport;
}

/** One source tensor: its stored shape and a way to read its float32 values. */
interface SourceTensor {
  shape: number[];
  read: () => Promise<Float32Array>;
}

function resolveHeads(option: LoadOptions['heads'], mapping: NameMapping, shapeOf: (source: string) => number[]): BertHeads {
  if (option !== undefined && option !== 'auto') return BertHeadsSchema.parse(option);
  const has = (prefix: string): boolean => [...mapping.mapped.keys()].some((name) => name.startsWith(prefix));
  const kernel = mapping.mapped.get(PROJECTION_NAMES.kernel);
  const projection = kernel ? ProjectionHeadConfigSchema.parse({ size: shapeOf(kernel.source)[1] }) : null;
  return BertHeadsSchema.parse({
    pooler: has('bert/pooler/') || projection !== null || has('cls/seq_relationship/'),
    maskedLm: has('cls/predictions/'),
    nextSentence: has('cls/seq_relationship/'),
    projection,
  });
}

/** [rows, cols] row-major → [cols, rows] row-major. */
function transposeMatrix(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  }
  return out;
}

const formatShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Assembles a model from mapped source tensors; `file` names the source in errors. */
async function assemble(config: BertConfig, mapping: NameMapping, sources: Map<string, SourceTensor>, options: LoadOptions, file: string): Promise<LoadedBert> {
  const shapeOf = (source: string): number[] => sources.get(source)!.shape;
  const heads = resolveHeads(options.heads, mapping, shapeOf);
  const specs = bertVariableSpecs(config, heads);
  const wanted = new Set(specs.map((s) => s.name));
  const missing = specs.filter((s) => !mapping.mapped.has(s.name)).map((s) => s.name);
  const unexpected = [
    ...[...mapping.mapped].filter(([canonical]) => !wanted.has(canonical)).map(([, m]) => m.source),
    ...mapping.unrecognized,
  ].sort();
  if (missing.length > 0 && !options.initializeMissing) {
    throw new Error(`${file}: ${missing.length} BERT variable(s) missing under scope "${mapping.scope}": ${missing.join(', ')}`);
  }
  if (unexpected.length > 0 && options.strict) {
    throw new Error(`${file}: ${unexpected.length} variable(s) not used by the model (strict): ${unexpected.join(', ')}`);
  }
  // Check every shape before reading any values, so a wrong config fails fast and names the variable.
  for (const spec of specs) {
    const source = mapping.mapped.get(spec.name);
    if (!source) continue;
    const stored = shapeOf(source.source);
    const shape = source.transpose && stored.length === 2 ? [stored[1], stored[0]] : stored;
    if (!tf.util.arraysEqual(shape, spec.shape)) {
      const via = source.source === spec.name ? '' : ` (from "${source.source}"${source.transpose ? ', transposed' : ''})`;
      throw new Error(`${file}: shape mismatch for "${spec.name}"${via}: the config needs ${formatShape(spec.shape)}, the file has ${formatShape(shape)}`);
    }
  }
  const tensors = new Map<string, tf.Tensor>();
  let fresh: BertModel | undefined;
  try {
    if (missing.length > 0) fresh = createBertModel(config, { rng: options.initializeMissing!, heads });
    for (const spec of specs) {
      const source = mapping.mapped.get(spec.name);
      if (source) {
        const stored = shapeOf(source.source);
        let values = await sources.get(source.source)!.read();
        if (source.transpose) values = transposeMatrix(values, stored[0], stored[1]);
        tensors.set(spec.name, tf.tensor(values, spec.shape, 'float32'));
      } else {
        tensors.set(spec.name, tf.clone(fresh!.variables.get(spec.name)!));
      }
    }
  } catch (error) {
    for (const t of tensors.values()) t.dispose();
    throw error;
  } finally {
    if (fresh) disposeBertModel(fresh);
  }
  const loaded = specs.map((s) => s.name).filter((n) => mapping.mapped.has(n));
  return { model: modelFromTensors(config, heads, tensors), report: { scope: mapping.scope, loaded, missing, unexpected, ignored: [...mapping.ignored].sort() } };
}

/**
 * Loads BERT from a TF checkpoint `prefix` (google-research/bert names, optionally nested in
 * REALM/ORQA hub scopes; see mapTfCheckpointNames). Values are CRC-checked by the reader.
 */
export async function loadBertFromTfCheckpoint(prefix: string, config: BertConfig, options: LoadOptions = {}): Promise<LoadedBert> {
  const reader = await CheckpointReader.open(prefix);
  try {
    const entries = reader.list();
    const mapping = mapTfCheckpointNames(entries.map((e) => e.name), { scope: options.scope });
    const sources = new Map<string, SourceTensor>(entries.map((e) => [e.name, { shape: e.shape, read: () => reader.readFloat32(e.name) }]));
    return await assemble(config, mapping, sources, options, reader.indexPath);
  } finally {
    await reader.close();
  }
}

/** Loads BERT from a Hugging Face .safetensors file (see mapHuggingFaceNames for the names). */
export async function loadBertFromSafetensors(path: string, config: BertConfig, options: LoadOptions = {}): Promise<LoadedBert> {
  const tensors = await readSafetensors(path);
  const mapping = mapHuggingFaceNames([...tensors.keys()], { scope: options.scope });
  const sources = new Map<string, SourceTensor>();
  for (const [name, tensor] of tensors) {
    sources.set(name, {
      shape: tensor.shape,
      read: async () => {
        if (!tensor.values) throw new Error(`${path}: tensor "${name}" is ${tensor.dtype}, not a floating-point tensor`);
        return tensor.values;
      },
    });
  }
  return assemble(config, mapping, sources, options, path);
}
