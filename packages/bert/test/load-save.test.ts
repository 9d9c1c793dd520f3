// Loading real checkpoints by name (keras-bert's tiny google-research/bert checkpoint; Google's
// BERT-Tiny index), HF safetensors, our model directory and TF-checkpoint export round trips.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CheckpointReader } from '@realm/data';
import { createRng } from '@realm/tokenizer';
import { fixture } from '@realm/testing';
import {
  BERT_PRESETS, bertVariableSpecs, createBertModel, disposeBertModel, exportTfCheckpoint, loadBertFromSafetensors, loadBertFromTfCheckpoint,
  loadBertModel, mapHuggingFaceNames, mapTfCheckpointNames, readBertConfig, saveBertModel, writeSafetensors, type BertModel,
} from '../src/index.js';

const keras = fixture('tf_checkpoints/keras_bert_tiny');
const googleTiny = fixture('tf_checkpoints/google_bert_tiny_uncased_L-2_H-128_A-2_index_only');
let work: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  work = mkdtempSync(join(tmpdir(), 'bert-load-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function values(model: BertModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.variables) out.set(name, (await v.data()) as Float32Array);
  return out;
}

describe('TF checkpoints', () => {
  test.skipIf(!googleTiny.present)("every variable of Google's BERT-Tiny index maps to the tree with the right shape", async () => {
    const reader = await CheckpointReader.open(join(googleTiny.path, 'bert_model.ckpt'));
    const entries = reader.list();
    const config = await readBertConfig(join(googleTiny.path, 'bert_config.json'));
    const mapping = mapTfCheckpointNames(entries.map((e) => e.name));
    expect(entries.length).toBe(46);
    expect(mapping.unrecognized).toEqual([]);
    expect(mapping.ignored).toEqual([]);
    // Google's release includes the next-sentence head (cls/seq_relationship), an optional head of ours.
    const specs = new Map(bertVariableSpecs(config, { nextSentence: true }).map((s) => [s.name, s.shape]));
    expect([...mapping.mapped.keys()].sort()).toEqual([...specs.keys()].sort());
    for (const entry of entries.filter((e) => mapping.mapped.has(e.name))) expect(entry.shape).toEqual(specs.get(entry.name));
    await reader.close();
  });

  test.skipIf(!keras.present)('keras_bert_tiny loads fully (46 variables); optimizer slots and global_step ignored', async () => {
    const config = await readBertConfig(join(keras.path, 'bert_config.json'));
    const { model, report } = await loadBertFromTfCheckpoint(join(keras.path, 'bert_model.ckpt'), config);
    expect(report.loaded.length).toBe(46);
    expect(report.missing).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.ignored.length).toBe(46 * 2 + 1);
    expect(report.ignored).toContain('global_step');
    // CRC-verified values from the fixture MANIFEST.
    expect(Array.from(await model.variables.get('bert/embeddings/token_type_embeddings')!.data())).toEqual(
      [-0.0159997214, 0.0243207607, -0.0156045975, -0.012284793, 0.0227951929, 0.00851453003, -0.0139705017, 0.00182073424].map(Math.fround));
    expect(model.heads).toEqual({ pooler: true, maskedLm: true, nextSentence: true, projection: null });
    // Choosing fewer heads leaves the NSP variables unused: reported by name, an error under strict.
    const heads = { nextSentence: false };
    expect((await loadBertFromTfCheckpoint(join(keras.path, 'bert_model.ckpt'), config, { heads })).report.unexpected).toEqual(['cls/seq_relationship/output_bias', 'cls/seq_relationship/output_weights']);
    await expect(loadBertFromTfCheckpoint(join(keras.path, 'bert_model.ckpt'), config, { heads, strict: true })).rejects.toThrow(
      'bert_model.ckpt.index: 2 variable(s) not used by the model (strict): cls/seq_relationship/output_bias, cls/seq_relationship/output_weights');
    disposeBertModel(model);
  });

  test.skipIf(!keras.present)('a config that disagrees with the checkpoint names the variable and both shapes', async () => {
    const config = { ...(await readBertConfig(join(keras.path, 'bert_config.json'))), intermediate_size: 8 };
    await expect(loadBertFromTfCheckpoint(join(keras.path, 'bert_model.ckpt'), config)).rejects.toThrow(
      /shape mismatch for "bert\/encoder\/layer_0\/intermediate\/dense\/kernel": the config needs \[4, 8\], the file has \[4, 16\]/);
    const deeper = { ...config, intermediate_size: 16, num_hidden_layers: 3 };
    await expect(loadBertFromTfCheckpoint(join(keras.path, 'bert_model.ckpt'), deeper)).rejects.toThrow(/16 BERT variable\(s\) missing under scope "": bert\/encoder\/layer_2\/attention\/self\/query\/kernel, /);
  });

  test('REALM/ORQA hub nesting: scopes, the projection one level up, ambiguity', () => {
    const bert = bertVariableSpecs(BERT_PRESETS.test, { maskedLm: false }).map((s) => s.name);
    const embedder = [...bert.map((n) => `module/module/module/${n}`), 'module/module/dense/kernel', 'module/module/dense/bias', 'module/module/LayerNorm/gamma', 'module/module/LayerNorm/beta'];
    const pretrained = mapTfCheckpointNames(embedder);
    expect(pretrained.scope).toBe('module/module/module/');
    expect(pretrained.mapped.get('projection/dense/kernel')?.source).toBe('module/module/dense/kernel');
    expect(pretrained.mapped.get('bert/pooler/dense/bias')?.source).toBe('module/module/module/bert/pooler/dense/bias');
    expect(pretrained.unrecognized).toEqual([]);
    const orqa = [...embedder.map((n) => `module/${n}`), ...bert.map((n) => `reader/module/${n}`), 'reader/dense/kernel', 'reader/module/bert/pooler/dense/kernel/adam_m'];
    expect(() => mapTfCheckpointNames(orqa)).toThrow('the checkpoint holds 2 BERT models, under scopes "module/module/module/module/", "reader/module/"; choose one with scope');
    const reader = mapTfCheckpointNames(orqa, { scope: 'reader/module' });
    expect(reader.mapped.has('projection/dense/kernel')).toBe(false); // reader/dense is the span head, not a projection
    expect(reader.unrecognized).toContain('reader/dense/kernel');
    expect(reader.ignored).toEqual(['reader/module/bert/pooler/dense/kernel/adam_m']);
    expect(mapTfCheckpointNames(orqa, { scope: 'module/module/module/module/' }).mapped.get('projection/LayerNorm/beta')?.source).toBe('module/module/module/LayerNorm/beta');
  });
});

describe('model directory and export', () => {
  test('save → load is bit-identical; the directory is replaced only with overwrite', async () => {
    const model = createBertModel(BERT_PRESETS.test, { rng: createRng(3), heads: { projection: { size: 16 } } });
    const dir = join(work, 'saved');
    await saveBertModel(dir, model);
    expect(readdirSync(dir).sort()).toEqual(['bert_config.json', 'bert_model.ckpt.data-00000-of-00001', 'bert_model.ckpt.index', 'config.json']);
    expect(JSON.parse(readFileSync(join(dir, 'bert_config.json'), 'utf8')).hidden_size).toBe(32);
    const loaded = await loadBertModel(dir);
    expect(loaded.heads).toEqual(model.heads);
    expect(loaded.config).toEqual(model.config);
    expect(await values(loaded)).toEqual(await values(model));
    await expect(saveBertModel(dir, model)).rejects.toThrow(`${dir} already exists (pass overwrite to replace it)`);
    const other = createBertModel(BERT_PRESETS.test, { rng: createRng(4) });
    await saveBertModel(dir, other, { overwrite: true });
    const reloaded = await loadBertModel(dir);
    expect(await values(reloaded)).toEqual(await values(other));
    expect(readdirSync(work).filter((n) => n.includes('.tmp-') || n.includes('.old-'))).toEqual([]);
    [model, loaded, other, reloaded].forEach(disposeBertModel);
  });

  test('export under google-research/bert names and under the REALM embedder nesting reads back', async () => {
    const model = createBertModel(BERT_PRESETS.test, { rng: createRng(5), heads: { projection: {} } });
    const bertPrefix = join(work, 'export', 'bert_model.ckpt');
    const written = await exportTfCheckpoint(bertPrefix, model, 'bert');
    const reader = await CheckpointReader.open(bertPrefix);
    expect(reader.list().map((e) => e.name)).toEqual([...written].sort());
    expect(written).toContain('bert/encoder/layer_1/attention/self/query/kernel');
    expect(written.some((n) => n.startsWith('projection/'))).toBe(false);
    expect(await reader.readFloat32('cls/predictions/output_bias')).toEqual(await model.variables.get('cls/predictions/output_bias')!.data());
    await reader.close();
    const hubPrefix = join(work, 'export', 'embedder', 'variables');
    await exportTfCheckpoint(hubPrefix, model, 'realm-embedder');
    const { model: back, report } = await loadBertFromTfCheckpoint(hubPrefix, model.config);
    expect(report.scope).toBe('module/module/module/');
    expect(report.unexpected).toEqual([]);
    expect(back.heads.projection?.size).toBe(128);
    expect(await values(back)).toEqual(await values(model));
    disposeBertModel(model);
    disposeBertModel(back);
  });
});

describe('Hugging Face safetensors', () => {
  test.skipIf(!keras.present)('HF BertForPreTraining names load to the same weights (Linear weights transposed back)', async () => {
    const config = await readBertConfig(join(keras.path, 'bert_config.json'));
    const { model } = await loadBertFromTfCheckpoint(join(keras.path, 'bert_model.ckpt'), config);
    // Write the model the way transformers names and lays it out.
    const hfName = (name: string): string => name
      .replace(/^cls\/predictions\/output_bias$/, 'cls/predictions/bias').replace(/^cls\/seq_relationship\/output_(weights|bias)$/, (_m, w: string) => `cls/seq_relationship/${w === 'weights' ? 'weight' : 'bias'}`)
      .replace(/layer_(\d+)/, 'layer/$1').replace(/\/gamma$/, '/weight').replace(/\/beta$/, '/bias')
      .replace(/\/kernel$/, '/weight').replace(/_embeddings$/, '_embeddings/weight').split('/').join('.');
    const tensors: Array<[string, { shape: number[]; values: Float32Array }]> = [];
    for (const [name, v] of model.variables) {
      let data = (await v.data()) as Float32Array;
      let shape = v.shape;
      if (name.endsWith('/kernel')) {
        const t = tf.transpose(v);
        data = (await t.data()) as Float32Array;
        shape = t.shape;
        t.dispose();
      }
      tensors.push([hfName(name), { shape, values: data }]);
    }
    tensors.push(['cls.predictions.decoder.weight', { shape: [15, 4], values: (await model.variables.get('bert/embeddings/word_embeddings')!.data()) as Float32Array }]);
    const mapping = mapHuggingFaceNames(tensors.map(([n]) => n));
    expect(mapping.scope).toBe('bert.');
    expect(mapping.mapped.get('bert/encoder/layer_1/attention/output/LayerNorm/gamma')?.source).toBe('bert.encoder.layer.1.attention.output.LayerNorm.weight');
    const path = join(work, 'model.safetensors');
    await writeSafetensors(path, tensors);
    const { model: hf, report } = await loadBertFromSafetensors(path, config);
    expect(report.ignored).toEqual(['cls.predictions.decoder.weight']);
    expect(report.unexpected).toEqual([]);
    expect(await values(hf)).toEqual(await values(model));
    disposeBertModel(model);
    disposeBertModel(hf);
  });

  test('REALM embedder names map the projection (embedder.cls.dense / LayerNorm)', () => {
    const names = ['embedder.realm.embeddings.word_embeddings.weight', 'embedder.realm.embeddings.position_ids', 'embedder.cls.dense.weight', 'embedder.cls.LayerNorm.bias', 'embedder.cls.predictions.transform.dense.weight', 'reader.qa_outputs.dense_output.weight'];
    const mapping = mapHuggingFaceNames(names);
    expect(mapping.scope).toBe('embedder.realm.');
    expect(Object.fromEntries([...mapping.mapped].map(([k, v]) => [k, [v.source, v.transpose]]))).toEqual({
      'bert/embeddings/word_embeddings': ['embedder.realm.embeddings.word_embeddings.weight', false],
      'projection/dense/kernel': ['embedder.cls.dense.weight', true],
      'projection/LayerNorm/beta': ['embedder.cls.LayerNorm.bias', false],
      'cls/predictions/transform/dense/kernel': ['embedder.cls.predictions.transform.dense.weight', true],
    });
    expect(mapping.ignored).toEqual(['embedder.realm.embeddings.position_ids']);
    expect(mapping.unrecognized).toEqual(['reader.qa_outputs.dense_output.weight']);
    expect(existsSync(work)).toBe(true);
  });
});
