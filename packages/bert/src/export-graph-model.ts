// Exports a BERT encoder (optionally with pooler and REALM/ORQA projection) as TF.js graph-model
// artifacts: model.json (GraphDef JSON + weights manifest + signature) and ≤ 4 MiB binary shards,
// loadable by @tensorflow/tfjs-converter's loadGraphModel with no realm-ts code. Counterpart of
// tensorflowjs_converter's tf_saved_model → tfjs_graph_model output (write_weights.py sharding).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDirectoryAtomically } from '@realm/data';
import { z } from 'zod';
import { bertConfigToJson } from './config.js';
import { buildBertGraph, GRAPH_OUTPUTS, type BertGraph, type GraphOutputName } from './graph/bert-graph.js';
import type { GraphDefJson, WeightDtype } from './graph/graph-def.js';
import { getVariable, type BertModel } from './variables.js';

export { buildBertGraph, GRAPH_INPUTS, GRAPH_MODEL_OPS, GRAPH_OUTPUTS, type BertGraph, type BertGraphSpec, type GraphOutputName } from './graph/bert-graph.js';
export type { AttrValueJson, GraphConstant, GraphDefJson, NodeDefJson, TensorInfoJson, TfDataType, WeightDtype } from './graph/graph-def.js';

/** tensorflowjs_converter's default shard size (write_weights.py: 4 MiB). */
export const DEFAULT_SHARD_SIZE_BYTES = 4 * 1024 * 1024;

/** File name of the topology + manifest inside an export directory. */
export const GRAPH_MODEL_JSON = 'model.json';

export const GraphModelExportOptionsSchema = z
  .strictObject({
    outputs: z.array(z.enum(GRAPH_OUTPUTS)).min(1).optional()
      .describe('Signature outputs in order; default the last stage the model has: ["projected"] with a projection head, else ["pooled_output"] with a pooler, else ["sequence_output"]'),
    sequenceLength: z.number().int().positive().nullable().default(null)
      .describe('Fixed sequence length written into the input shapes [-1, T]; null (default) accepts any length up to max_position_embeddings'),
    shardSizeBytes: z.number().int().positive().multipleOf(4).default(DEFAULT_SHARD_SIZE_BYTES)
      .describe('Largest weight shard file in bytes, a multiple of 4 (tensorflowjs_converter default 4 MiB); a weight may span shards'),
    overwrite: z.boolean().default(false).describe('Replace an existing export directory'),
  })
  .readonly();

export type GraphModelExportOptions = z.input<typeof GraphModelExportOptionsSchema>;

/** One entry of weightsManifest[].weights. */
export interface GraphWeightSpec {
  name: string;
  shape: number[];
  dtype: WeightDtype;
}

/** The model.json object (tfjs io.ModelJSON for a graph model). */
export interface GraphModelJson {
  format: 'graph-model';
  generatedBy: string;
  convertedBy: string;
  modelTopology: GraphDefJson;
  weightsManifest: Array<{ paths: string[]; weights: GraphWeightSpec[] }>;
  signature: BertGraph['signature'];
  userDefinedMetadata: { structuredOutputKeys: GraphOutputName[]; bertConfig: unknown; heads: unknown };
}

/** model.json plus its shards, in memory (e.g. for tf.io.fromMemory or an upload). */
export interface GraphModelArtifacts {
  modelJson: GraphModelJson;
  shards: Array<{ path: string; bytes: Uint8Array }>;
}

/** What exportBertGraphModel wrote. */
export interface GraphModelExportResult {
  dir: string;
  files: string[];
  outputs: GraphOutputName[];
  weightBytes: number;
  nodeCount: number;
}

function parseOptions(input: GraphModelExportOptions): z.infer<typeof GraphModelExportOptionsSchema> {
  const result = GraphModelExportOptionsSchema.safeParse(input);
  if (!result.success) throw new Error(`invalid graph-model export options\n${z.prettifyError(result.error)}`);
  return result.data;
}

function defaultOutputs(model: BertModel): GraphOutputName[] {
  if (model.heads.projection) return ['projected'];
  return model.heads.pooler ? ['pooled_output'] : ['sequence_output'];
}

/** The bytes of every Const (variables read from the model), concatenated in manifest order. */
async function constantBytes(model: BertModel, graph: BertGraph): Promise<{ specs: GraphWeightSpec[]; chunks: Uint8Array[]; total: number }> {
  const specs: GraphWeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (const constant of graph.constants) {
    let values = constant.values;
    if (values === undefined) {
      const variable = getVariable(model, constant.name);
      values = (await variable.data()) as Float32Array;
    }
    // tfjs decodes shards as platform-endian typed arrays; every tfjs platform is little-endian
    chunks.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    specs.push({ name: constant.name, shape: constant.shape, dtype: constant.dtype });
    total += values.byteLength;
  }
  return { specs, chunks, total };
}

/** Cuts the concatenation of `chunks` into shards of at most `shardSize` bytes (write_weights.py). */
function shard(chunks: Uint8Array[], total: number, shardSize: number): Uint8Array[] {
  const count = Math.max(1, Math.ceil(total / shardSize));
  const shards = Array.from({ length: count }, (_, i) => new Uint8Array(Math.min(shardSize, total - i * shardSize)));
  let offset = 0;
  for (const chunk of chunks) {
    let done = 0;
    while (done < chunk.length) {
      const index = Math.floor(offset / shardSize);
      const within = offset - index * shardSize;
      const take = Math.min(chunk.length - done, shardSize - within);
      shards[index].set(chunk.subarray(done, done + take), within);
      done += take;
      offset += take;
    }
  }
  return shards;
}

/**
 * Builds the graph-model artifacts of `model` in memory: the inference graph for the requested
 * outputs (see buildBertGraph), every Const as a named weight, float32 variables and int32 shape
 * constants packed into shards `group1-shardKofN.bin`.
 */
export async function bertGraphModelArtifacts(model: BertModel, optionsInput: GraphModelExportOptions = {}): Promise<GraphModelArtifacts> {
  const options = parseOptions(optionsInput);
  const outputs = options.outputs ? [...new Set(options.outputs)] : defaultOutputs(model);
  const graph = buildBertGraph({ config: model.config, heads: model.heads, outputs, sequenceLength: options.sequenceLength });
  const { specs, chunks, total } = await constantBytes(model, graph);
  const bytes = shard(chunks, total, options.shardSizeBytes);
  const paths = bytes.map((_, i) => `group1-shard${i + 1}of${bytes.length}.bin`);
  const modelJson: GraphModelJson = {
    format: 'graph-model',
    generatedBy: '@realm/bert',
    convertedBy: '@realm/bert bertGraphModelArtifacts',
    modelTopology: graph.graphDef,
    weightsManifest: [{ paths, weights: specs }],
    signature: graph.signature,
    // structuredOutputKeys makes GraphModel.predict return { [output]: tensor } in signature order
    userDefinedMetadata: { structuredOutputKeys: outputs, bertConfig: JSON.parse(bertConfigToJson(model.config)), heads: model.heads },
  };
  return { modelJson, shards: bytes.map((b, i) => ({ path: paths[i], bytes: b })) };
}

/**
 * Writes the graph-model export of `model` to directory `dir` (model.json + shards). Files go to a
 * temporary sibling directory renamed into place, so `dir` never holds a partial export; an existing
 * `dir` is replaced only with `overwrite: true`.
 */
export async function exportBertGraphModel(dir: string, model: BertModel, optionsInput: GraphModelExportOptions = {}): Promise<GraphModelExportResult> {
  const options = parseOptions(optionsInput);
  if (existsSync(dir) && !options.overwrite) throw new Error(`${dir} already exists (pass overwrite to replace it)`);
  const { modelJson, shards } = await bertGraphModelArtifacts(model, options);
  await writeDirectoryAtomically(dir, async (temp) => {
    for (const { path, bytes } of shards) await writeFile(join(temp, path), bytes);
    await writeFile(join(temp, GRAPH_MODEL_JSON), JSON.stringify(modelJson));
  });
  return {
    dir,
    files: [GRAPH_MODEL_JSON, ...shards.map((s) => s.path)],
    outputs: modelJson.userDefinedMetadata.structuredOutputKeys,
    weightBytes: shards.reduce((n, s) => n + s.bytes.length, 0),
    nodeCount: modelJson.modelTopology.node.length,
  };
}
