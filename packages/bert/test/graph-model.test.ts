// TF.js graph-model export: the artifacts load through @tensorflow/tfjs-converter alone (a plain file
// IOHandler, as a Node or browser user would write) and reproduce bertForward / embedProjected.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRng } from '@realm/tokenizer';
import { fixture } from '@realm/testing';
import {
  BERT_PRESETS, bertForward, bertGraphModelArtifacts, createBertModel, disposeBertModel, embedProjected, exportBertGraphModel,
  GRAPH_MODEL_OPS, loadBertFromTfCheckpoint, readBertConfig, type BertConfig, type BertModel, type GraphModelJson,
} from '../src/index.js';
import { maxAbsDiff, transformModel } from './helpers.js';

const keras = fixture('tf_checkpoints/keras_bert_tiny');
let work: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  work = mkdtempSync(join(tmpdir(), 'bert-graph-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What a user writes to load the export from disk: model.json + its shards, nothing from realm-ts. */
function fileHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const buffers = await Promise.all(manifest.flatMap((group) => group.paths.map((path) => readFile(join(dir, path)))));
        const data = buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
        return [manifest.flatMap((group) => group.weights), data];
      });
    },
  };
}

/** Every TF op name tfjs-converter maps, read from its op lists (the source of its OperationMapper). */
function converterOpNames(): Set<string> {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('@tensorflow/tfjs-converter/package.json')), 'dist', 'operations', 'op_list');
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    for (const match of readFileSync(join(dir, file), 'utf8').matchAll(/'tfOpName': '(\w+)'/g)) names.add(match[1]);
  }
  return names;
}

interface Batch {
  inputIds: number[][];
  inputMask: number[][];
  tokenTypeIds: number[][];
}

/** A padded batch: lengths differ, padding has mask 0 and id 0. */
function paddedBatch(config: BertConfig, lengths: number[], seqLength: number, seed: number): Batch {
  const rng = createRng(seed);
  const pick = (n: number): number => Math.floor(rng.next() * n);
  const batch: Batch = { inputIds: [], inputMask: [], tokenTypeIds: [] };
  for (const length of lengths) {
    const split = 1 + pick(length);
    batch.inputIds.push(Array.from({ length: seqLength }, (_, t) => (t < length ? 1 + pick(config.vocab_size - 1) : 0)));
    batch.inputMask.push(Array.from({ length: seqLength }, (_, t) => (t < length ? 1 : 0)));
    batch.tokenTypeIds.push(Array.from({ length: seqLength }, (_, t) => (t >= split && t < length ? Math.min(1 + pick(2), config.type_vocab_size - 1) : 0)));
  }
  return batch;
}

function feeds(batch: Batch): Record<string, tf.Tensor2D> {
  return {
    input_ids: tf.tensor2d(batch.inputIds, undefined, 'int32'),
    input_mask: tf.tensor2d(batch.inputMask, undefined, 'int32'),
    token_type_ids: tf.tensor2d(batch.tokenTypeIds, undefined, 'int32'),
  };
}

/** Our forward pass on `batch`: every output the export can have that the model supports. */
async function reference(model: BertModel, batch: Batch): Promise<Record<string, unknown>> {
  const f = feeds(batch);
  const inputs = { inputIds: f.input_ids, inputMask: f.input_mask, tokenTypeIds: f.token_type_ids };
  const { sequenceOutput, pooledOutput } = bertForward(model, inputs);
  const out: Record<string, unknown> = { sequence_output: await sequenceOutput.array() };
  if (pooledOutput) out.pooled_output = await pooledOutput.array();
  if (model.heads.projection) {
    const projected = embedProjected(model, inputs);
    out.projected = await projected.array();
    projected.dispose();
  }
  tf.dispose([sequenceOutput, pooledOutput ?? [], ...Object.values(f)]);
  return out;
}

/** The loaded graph model's outputs on `batch`, by signature key (predict with structuredOutputKeys). */
async function runGraph(graphModel: GraphModel, batch: Batch): Promise<Record<string, unknown>> {
  const f = feeds(batch);
  const result = graphModel.predict(f) as unknown as Record<string, tf.Tensor>;
  const out: Record<string, unknown> = {};
  for (const [key, tensor] of Object.entries(result)) out[key] = await tensor.array();
  tf.dispose([...Object.values(result), ...Object.values(f)]);
  return out;
}

/** A copy of a fresh test-preset model with weights ×20, so activations are far from trivial. */
async function scaledRandomModel(config: BertConfig, heads: Parameters<typeof createBertModel>[1]['heads'], seed: number): Promise<BertModel> {
  const fresh = createBertModel(config, { rng: createRng(seed), heads });
  const scaled = await transformModel(fresh, (_, values) => values.map((v) => v * 20));
  disposeBertModel(fresh);
  return scaled;
}

describe('graph-model export (tfjs-converter round trip)', () => {
  test('random BERT + pooler + projection: all three outputs match bertForward / embedProjected to 1e-5, any batch and length', async () => {
    const model = await scaledRandomModel(BERT_PRESETS.test, { projection: {} }, 11);
    const dir = join(work, 'random');
    const result = await exportBertGraphModel(dir, model, { outputs: ['projected', 'pooled_output', 'sequence_output'], shardSizeBytes: 16384 });
    expect(result.outputs).toEqual(['projected', 'pooled_output', 'sequence_output']);
    expect(result.files.length).toBeGreaterThan(2);

    const graphModel = await loadGraphModel(fileHandler(dir));
    expect(graphModel.inputs.map((i) => [i.name, i.dtype, i.shape])).toEqual([
      ['input_ids', 'int32', [-1, -1]], ['input_mask', 'int32', [-1, -1]], ['token_type_ids', 'int32', [-1, -1]]]);
    expect(graphModel.outputNodes).toEqual(['projected', 'pooled_output', 'sequence_output']);
    for (const [lengths, seqLength, seed] of [[[7, 4, 2], 7, 1], [[3, 5], 5, 2], [[9], 9, 3]] as const) {
      const batch = paddedBatch(model.config, [...lengths], seqLength, seed);
      const expected = await reference(model, batch);
      const actual = await runGraph(graphModel, batch);
      expect(Object.keys(actual).sort()).toEqual(['pooled_output', 'projected', 'sequence_output']);
      for (const key of Object.keys(expected)) {
        const diff = maxAbsDiff(actual[key], expected[key]);
        console.log(`random model B=${lengths.length} T=${seqLength} ${key}: max |graph − ours| = ${diff.toExponential(2)}`);
        expect(diff).toBeLessThan(1e-5);
      }
    }
    // execute() by output name also works, and a changed padding token must not change real positions
    const batch = paddedBatch(model.config, [5, 3], 6, 4);
    const f = feeds(batch);
    const projected = graphModel.execute(f, 'projected') as tf.Tensor;
    const changed = { ...f, input_ids: tf.tensor2d(batch.inputIds.map((row, b) => row.map((id, t) => (batch.inputMask[b][t] ? id : 7))), undefined, 'int32') };
    const projectedChanged = graphModel.execute(changed, 'projected') as tf.Tensor;
    expect(maxAbsDiff(await projected.array(), await projectedChanged.array())).toBeLessThan(1e-5);
    tf.dispose([projected, projectedChanged, ...Object.values(f), changed.input_ids]);
    graphModel.dispose();
    disposeBertModel(model);
  });

  test('artifacts: only tfjs-converter built-in ops, every Const bound to a manifest weight, shards ≤ the size', async () => {
    const model = await scaledRandomModel(BERT_PRESETS.test, { projection: { size: 16 } }, 12);
    const shardSizeBytes = 8192;
    const { modelJson, shards } = await bertGraphModelArtifacts(model, { shardSizeBytes, outputs: ['projected', 'sequence_output'] });
    const ops = new Set(modelJson.modelTopology.node.map((n) => n.op));
    const known = converterOpNames();
    expect(known.size).toBeGreaterThan(200);
    expect([...ops].filter((op) => !known.has(op))).toEqual([]);
    expect([...ops].filter((op) => !(GRAPH_MODEL_OPS as readonly string[]).includes(op))).toEqual([]);

    const weights = modelJson.weightsManifest.flatMap((g) => g.weights);
    const consts = modelJson.modelTopology.node.filter((n) => n.op === 'Const');
    expect(weights.map((w) => w.name)).toEqual(consts.map((n) => n.name));
    const byteSize = (w: { shape: number[] }): number => 4 * w.shape.reduce((a, b) => a * b, 1);
    const total = weights.reduce((n, w) => n + byteSize(w), 0);
    expect(shards.reduce((n, s) => n + s.bytes.length, 0)).toBe(total);
    expect(shards.slice(0, -1).every((s) => s.bytes.length === shardSizeBytes)).toBe(true);
    expect(shards.at(-1)!.bytes.length).toBe(total - shardSizeBytes * (shards.length - 1));
    expect(shards.map((s) => s.path)).toEqual(shards.map((_, i) => `group1-shard${i + 1}of${shards.length}.bin`));
    // Model variables are float32 with their canonical names; no MLM head (not needed for these outputs)
    expect(weights.find((w) => w.name === 'bert/embeddings/word_embeddings')).toEqual({ name: 'bert/embeddings/word_embeddings', shape: [99, 32], dtype: 'float32' });
    expect(weights.find((w) => w.name === 'projection/dense/kernel')).toEqual({ name: 'projection/dense/kernel', shape: [32, 16], dtype: 'float32' });
    expect(weights.filter((w) => w.name.startsWith('cls/'))).toEqual([]);
    // The bytes of a variable sit at its manifest offset
    const all = new Uint8Array(total);
    let at = 0;
    for (const s of shards) { all.set(s.bytes, at); at += s.bytes.length; }
    const offset = weights.slice(0, weights.findIndex((w) => w.name === 'projection/dense/kernel')).reduce((n, w) => n + byteSize(w), 0);
    const stored = new Float32Array(all.buffer.slice(offset, offset + 32 * 16 * 4));
    expect(Array.from(stored)).toEqual(Array.from(await model.variables.get('projection/dense/kernel')!.data()));
    expect(modelJson.signature.outputs.projected).toEqual({ name: 'projected:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '-1' }, { size: '16' }] } });
    disposeBertModel(model);
  });

  test('encoder only (no pooler), gelu_tanh and relu: sequence_output matches; pooled/projected outputs are refused by name', async () => {
    for (const hidden_act of ['gelu_tanh', 'relu'] as const) {
      const config = { ...BERT_PRESETS.test, hidden_act };
      const model = await scaledRandomModel(config, { pooler: false, maskedLm: false }, 13);
      const dir = join(work, `encoder-${hidden_act}`);
      const result = await exportBertGraphModel(dir, model);
      expect(result.outputs).toEqual(['sequence_output']);
      const weights = (JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as GraphModelJson).weightsManifest.flatMap((g) => g.weights.map((w) => w.name));
      expect(weights.filter((n) => n.startsWith('bert/pooler/'))).toEqual([]);
      const graphModel = await loadGraphModel(fileHandler(dir));
      const batch = paddedBatch(config, [6, 2, 4], 6, 5);
      const diff = maxAbsDiff((await runGraph(graphModel, batch)).sequence_output, (await reference(model, batch)).sequence_output);
      console.log(`encoder-only ${hidden_act}: max |graph − ours| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-5);
      graphModel.dispose();
      await expect(bertGraphModelArtifacts(model, { outputs: ['pooled_output'] })).rejects.toThrow('output "pooled_output" needs a pooler (heads.pooler), which this model lacks');
      disposeBertModel(model);
    }
  });

  test('options and directory: bad options name the field; an existing directory needs overwrite; no temp files left', async () => {
    const model = createBertModel(BERT_PRESETS.test, { rng: createRng(14), heads: { maskedLm: false } });
    await expect(bertGraphModelArtifacts(model, { outputs: ['projected'] })).rejects.toThrow('output "projected" needs the projection head (heads.projection), which this model lacks');
    await expect(bertGraphModelArtifacts(model, { sequenceLength: 65 })).rejects.toThrow('sequenceLength 65 exceeds max_position_embeddings 64');
    await expect(bertGraphModelArtifacts(model, { shardSizeBytes: 1001 })).rejects.toThrow(/invalid graph-model export options\n.*\n  → at shardSizeBytes/);
    const parent = join(work, 'atomic');
    const dir = join(parent, 'export');
    await exportBertGraphModel(dir, model);
    await expect(exportBertGraphModel(dir, model)).rejects.toThrow(`${dir} already exists (pass overwrite to replace it)`);
    const again = await exportBertGraphModel(dir, model, { overwrite: true, sequenceLength: 8 });
    expect(readdirSync(parent)).toEqual(['export']);
    expect(readdirSync(dir).sort()).toEqual([...again.files].sort());
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as GraphModelJson;
    expect(json.signature.inputs.input_ids.tensorShape).toEqual({ dim: [{ size: '-1' }, { size: '8' }] });
    disposeBertModel(model);
  });

  test.skipIf(!keras.present)("keras_bert_tiny (real checkpoint): fixed-length export of sequence + pooled output matches ours", async () => {
    const config = await readBertConfig(join(keras.path, 'bert_config.json'));
    const { model } = await loadBertFromTfCheckpoint(join(keras.path, 'bert_model.ckpt'), config);
    const dir = join(work, 'keras');
    await exportBertGraphModel(dir, model, { outputs: ['sequence_output', 'pooled_output'], sequenceLength: 6 });
    const graphModel = await loadGraphModel(fileHandler(dir));
    expect(graphModel.inputs[0].shape).toEqual([-1, 6]);
    const batch = paddedBatch(config, [6, 4, 1], 6, 6);
    const expected = await reference(model, batch);
    const actual = await runGraph(graphModel, batch);
    for (const key of ['sequence_output', 'pooled_output']) {
      const diff = maxAbsDiff(actual[key], expected[key]);
      console.log(`keras_bert_tiny ${key}: max |graph − ours| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-5);
    }
    // A length other than the exported one is rejected by tfjs's own input check
    const wrong = feeds(paddedBatch(config, [3], 5, 7));
    expect(() => graphModel.predict(wrong)).toThrow(/must be \[-1,6\], but was \[1,5\]/);
    tf.dispose(Object.values(wrong));
    graphModel.dispose();
    disposeBertModel(model);
  });
});

describe('graph-model export at BERT-Tiny size', () => {
  test('BERT-Tiny shape (H=128, vocab 30522): default 4 MiB shards, loaded and matched', async () => {
    const model = createBertModel(BERT_PRESETS.tiny, { rng: createRng(15), heads: { maskedLm: false, projection: {} } });
    const dir = join(work, 'tiny');
    const result = await exportBertGraphModel(dir, model);
    // 4.4 M float32 parameters without the MLM head: 5 shards of ≤ 4 MiB
    const sizes = result.files.slice(1).map((f) => statSync(join(dir, f)).size);
    expect(sizes.length).toBe(Math.ceil(result.weightBytes / (4 * 1024 * 1024)));
    expect(Math.max(...sizes)).toBe(4 * 1024 * 1024);
    const graphModel = await loadGraphModel(fileHandler(dir));
    const batch = paddedBatch(model.config, [12, 5], 12, 8);
    const diff = maxAbsDiff((await runGraph(graphModel, batch)).projected, (await reference(model, batch)).projected);
    console.log(`BERT-Tiny projected: max |graph − ours| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-5);
    graphModel.dispose();
    disposeBertModel(model);
  });
});
