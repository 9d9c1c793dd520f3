// `--init DIR` on Google's released REALM layout (bert/, embedder/ TF-Hub modules + encoded.ckpt +
// ORQA blocks.tfr), written here in miniature with Google's variable names: layout detection, exact
// weights after load, the embedder's projected output by hand, the block_emb/blocks row check, bad
// layouts, and a 2-step fine-tune whose output `eval` reads.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { disposeBertModel, embedProjected, PROJECTION_NAMES, type BertModel } from '@realm/bert';
import { writeCheckpoint, type WorldConfig } from '@realm/data';
import { buildPretrainConfig, programContext } from '@realm/pretrain';
import { beforeAll, describe, expect, test } from 'vitest';
import { setupOrqaBackend } from '../src/backend.js';
import { worldQaSplit } from '../src/datasets.js';
import { detectInitLayout, inferBertConfig, partsFromGoogleRealm } from '../src/google-init.js';
import { readKnowledgeBase } from '../src/knowledge-base.js';
import type { InitialOrqaParts } from '../src/model-io.js';
import { runEvaluation } from '../src/run-eval.js';
import { runFinetune } from '../src/train.js';
import { layerNormByHand, PROJECTION_SIZE, writeGoogleLayout, type GoogleLayout } from './google-layout.js';

const root = mkdtempSync(join(tmpdir(), 'orqa-google-'));
const quiet = programContext('test', { signal: new AbortController().signal, log: () => {} });
const worldRun = join(root, 'world-run');
let world: WorldConfig;
let layout: GoogleLayout;
let corpus: { texts: string[]; titleTexts: string[]; extraText: string[] };

const float32 = (t: { data: unknown }): Float32Array => t.data as Float32Array;
const values = (model: BertModel, name: string): Float32Array => model.variables.get(name)!.dataSync() as Float32Array;

/** A Google layout in a fresh directory, optionally broken by `damage` before use. */
async function freshLayout(name: string, damage?: (l: GoogleLayout) => void | Promise<void>, rows?: number): Promise<GoogleLayout> {
  const l = await writeGoogleLayout(join(root, name), { ...corpus, blockEmbRows: rows });
  await damage?.(l);
  return l;
}

beforeAll(async () => {
  await setupOrqaBackend('cpu', quiet);
  // A small built-in world for the questions (what `--data RUN` reads: the run's config.json).
  const config = buildPretrainConfig(['world.numPeople=12', 'world.numPlaces=3', 'world.numOrganisations=2', 'world.numCountries=2']);
  world = config.world;
  mkdirSync(worldRun, { recursive: true });
  writeFileSync(join(worldRun, 'config.json'), JSON.stringify(config));
  const questions = (['train', 'dev', 'test'] as const).flatMap((split) => worldQaSplit(world, split));
  const train = worldQaSplit(world, 'train').slice(0, 6);
  corpus = {
    texts: train.map((q, i) => `Block ${i} says the answer is ${q.answers[0]}.`),
    titleTexts: train.map((_, i) => `Title ${i}`),
    extraText: questions.flatMap((q) => [q.question, ...q.answers]),
  };
  layout = await writeGoogleLayout(join(root, 'google'), corpus);
}, 60_000);

describe('layout detection', () => {
  test('Google modules, a realm-ts run and anything else', () => {
    expect(detectInitLayout(layout.dir)).toBe('google-realm');
    expect(detectInitLayout(worldRun)).toBe('pretrain-run');
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(() => detectInitLayout(empty)).toThrow(
      `--init ${empty}: neither a realm-ts pre-training run (${empty}/config.json) nor a Google REALM module layout (${empty}/bert/variables/variables.index, ${empty}/embedder/variables/variables.index); for a realm-ts export pass its pre-training run directory`,
    );
  });

  test('the config of a module without bert_config.json comes from the shapes, heads at 64 per head', () => {
    const entries = [...layout.embedder].map(([name, t]) => ({ name, shape: [...t.shape] }) as Parameters<typeof inferBertConfig>[0][number]);
    const config = inferBertConfig(entries, 'module/module/module/', 'emb.index');
    expect(config).toMatchObject({ vocab_size: layout.vocab.length, hidden_size: 64, num_hidden_layers: 1, num_attention_heads: 1, intermediate_size: 32, max_position_embeddings: 128, type_vocab_size: 2, hidden_act: 'gelu_tanh' });
    const reader = [...layout.reader].map(([name, t]) => ({ name, shape: [...t.shape] }) as Parameters<typeof inferBertConfig>[0][number]);
    expect(() => inferBertConfig(reader, '', 'bert.index')).toThrow(
      "bert.index: cannot infer num_attention_heads for hidden size 16 (a TF-Hub module does not store it; Google's BERTs use 64 per head): put a bert_config.json beside variables/variables",
    );
  });
});

describe('loading the Google layout', () => {
  let parts: InitialOrqaParts;
  const logged: string[] = [];

  beforeAll(async () => {
    parts = await partsFromGoogleRealm(layout.dir, { blocks: layout.blocks, world, documentEmbedderCopy: false, log: (m) => logged.push(m) });
  });

  test('reports the layout on the log', () => {
    expect(logged[0]).toBe(`init: Google REALM module layout at ${layout.dir}: reader bert/, embedder embedder/, block_emb 6×${PROJECTION_SIZE}`);
    expect(logged[1]).toContain('scope module/module/module/');
    expect(logged[1]).toContain('L=1 H=64 A=1 (inferred from the variable shapes)');
    expect(logged[1]).toContain(`L=1 H=16 A=2 (${join(layout.dir, 'bert', 'bert_config.json')})`);
  });

  test('reader and embedder hold exactly the written tensors under their Google names', () => {
    const { reader, questionEmbedder } = parts;
    expect(values(reader, 'bert/encoder/layer_0/attention/self/query/kernel')).toEqual(float32(layout.reader.get('bert/encoder/layer_0/attention/self/query/kernel')!));
    expect(values(reader, 'cls/predictions/output_bias')).toEqual(float32(layout.reader.get('cls/predictions/output_bias')!));
    expect(reader.config.hidden_size).toBe(16);
    expect(values(questionEmbedder, 'bert/embeddings/word_embeddings')).toEqual(float32(layout.embedder.get('module/module/module/bert/embeddings/word_embeddings')!));
    expect(values(questionEmbedder, PROJECTION_NAMES.kernel)).toEqual(float32(layout.embedder.get('module/module/dense/kernel')!));
    expect(values(questionEmbedder, PROJECTION_NAMES.gamma)).toEqual(float32(layout.embedder.get('module/module/LayerNorm/gamma')!));
    expect(values(questionEmbedder, PROJECTION_NAMES.beta)).toEqual(float32(layout.embedder.get('module/module/LayerNorm/beta')!));
    expect(questionEmbedder.heads).toMatchObject({ pooler: true, maskedLm: false, projection: { size: PROJECTION_SIZE, layerNormEpsilon: 1e-3 } });
  });

  test('the projected signature is LayerNorm_eps1e-3(tanh(pooler bias) · W + b) when the pooler kernel is zero', () => {
    const W = float32(layout.embedder.get('module/module/dense/kernel')!);
    const b = float32(layout.embedder.get('module/module/dense/bias')!);
    const gamma = float32(layout.embedder.get('module/module/LayerNorm/gamma')!);
    const beta = float32(layout.embedder.get('module/module/LayerNorm/beta')!);
    const pooled = Array.from(layout.poolerBias, Math.tanh);
    const dense = Array.from({ length: PROJECTION_SIZE }, (_, j) => pooled.reduce((sum, p, i) => sum + p * W[i * PROJECTION_SIZE + j], b[j]));
    const expected = layerNormByHand(dense, gamma, beta, 1e-3);
    const inputIds = tf.tensor2d([[2, 7, 8, 3]], [1, 4], 'int32');
    const out = embedProjected(parts.questionEmbedder, { inputIds });
    const got = Array.from(out.dataSync());
    tf.dispose([inputIds, out]);
    for (let j = 0; j < PROJECTION_SIZE; j++) expect(got[j]).toBeCloseTo(expected[j], 4);
    // The weights make the epsilon matter: HF's 1e-12 would give a visibly different vector.
    const hf = layerNormByHand(dense, gamma, beta, 1e-12);
    expect(Math.max(...hf.map((v, j) => Math.abs(v - expected[j])))).toBeGreaterThan(0.05);
  });

  test('the knowledge base is the blocks, their titles beside them and block_emb row for row', () => {
    expect(parts.kb.blocks).toEqual(layout.texts.map((text, i) => ({ title: layout.titleTexts[i], text })));
    expect(parts.kb.vectors).toEqual(layout.blockEmb);
    expect(parts.kb.dim).toBe(PROJECTION_SIZE);
    expect(parts.kb.documentSeqLen).toBe(128);
    expect(parts.kb.vocabText.split(/\r?\n/).slice(0, 3)).toEqual(['[PAD]', '[UNK]', '[CLS]']);
    disposeBertModel(parts.reader);
    disposeBertModel(parts.questionEmbedder);
  });
});

test('--refresh-index gets a separate document embedder with the same weights', async () => {
  const parts = await partsFromGoogleRealm(layout.dir, { blocks: layout.blocks, titles: layout.titles, world, documentEmbedderCopy: true, log: () => {} });
  const copy = parts.documentEmbedder!;
  expect(copy).not.toBe(parts.questionEmbedder);
  expect(values(copy, PROJECTION_NAMES.kernel)).toEqual(float32(layout.embedder.get('module/module/dense/kernel')!));
  expect(copy.variables.get(PROJECTION_NAMES.kernel)).not.toBe(parts.questionEmbedder.variables.get(PROJECTION_NAMES.kernel));
  [parts.reader, parts.questionEmbedder, copy].forEach(disposeBertModel);
});

describe('bad inputs', () => {
  const load = (l: GoogleLayout, blocks = l.blocks): Promise<InitialOrqaParts> => partsFromGoogleRealm(l.dir, { blocks, world, documentEmbedderCopy: false, log: () => {} });

  test('block_emb rows that disagree with blocks.tfr name both files', async () => {
    const l = await freshLayout('rows', undefined, 5);
    await expect(load(l)).rejects.toThrow(
      `${join(l.dir, 'embedder', 'encoded', 'encoded.ckpt')}: block_emb has 5 rows but ${l.blocks} holds 6 blocks; they must be row-aligned (the blocks.tfr the index was encoded from)`,
    );
  });

  test('a missing module file names the directory and the file', async () => {
    const l = await freshLayout('no-reader', (g) => rmSync(join(g.dir, 'bert', 'variables', 'variables.index')));
    await expect(load(l)).rejects.toThrow(`${l.dir}: Google REALM module layout, but ${l.dir}/bert/variables/variables.index is missing (the bert/ TF-Hub module's variables)`);
    const v = await freshLayout('no-vocab', (g) => rmSync(join(g.dir, 'embedder', 'assets', 'vocab.txt')));
    await expect(load(v)).rejects.toThrow(`${v.dir}: Google REALM module layout, but ${v.dir}/embedder/assets/vocab.txt is missing (the embedder/ module's tokenization_info vocab)`);
    const e = await freshLayout('no-encoded', (g) => rmSync(join(g.dir, 'embedder', 'encoded'), { recursive: true }));
    await expect(load(e)).rejects.toThrow(`${e.dir}: Google REALM module layout, but ${e.dir}/embedder/encoded/encoded.ckpt.index is missing (block_emb of the blocks, embedder/encoded/encoded.ckpt)`);
  });

  test('a missing variable is named with its checkpoint', async () => {
    const rewrite = (module: 'bert' | 'embedder', drop: string) => async (g: GoogleLayout): Promise<void> => {
      const tensors = module === 'bert' ? g.reader : g.embedder;
      tensors.delete(drop);
      rmSync(join(g.dir, module, 'variables'), { recursive: true });
      await writeCheckpoint(join(g.dir, module, 'variables', 'variables'), tensors);
    };
    const p = await freshLayout('no-projection', rewrite('embedder', 'module/module/LayerNorm/gamma'));
    await expect(load(p)).rejects.toThrow(
      `${p.dir}/embedder/variables/variables.index: the embedder's projection variable "module/module/LayerNorm/gamma" is missing (REALM's embedder module stores module/module/dense/{kernel,bias} and module/module/LayerNorm/{gamma,beta})`,
    );
    const q = await freshLayout('no-query', rewrite('bert', 'bert/encoder/layer_0/attention/self/query/kernel'));
    await expect(load(q)).rejects.toThrow(`${q.dir}/bert/variables/variables.index: 1 BERT variable(s) missing under scope "": bert/encoder/layer_0/attention/self/query/kernel`);
  });

  test('reader and embedder vocabularies must agree', async () => {
    const l = await freshLayout('vocab-differs', (g) => writeFileSync(join(g.dir, 'embedder', 'assets', 'vocab.txt'), `${g.vocab.slice(0, -1).join('\n')}\nzzz\n`));
    await expect(load(l)).rejects.toThrow(`${l.dir}/bert/assets/vocab.txt (${l.vocab.length} tokens) and ${l.dir}/embedder/assets/vocab.txt (${l.vocab.length} tokens) differ`);
  });
});

describe('fine-tuning from the Google layout', () => {
  const overrides = ['orqa.numTrainSteps=2', 'orqa.batchSize=2', 'orqa.spanHiddenSize=8', 'orqa.numWarmupSteps=1', 'run.evalEverySteps=2', 'run.maxDevQuestions=4', 'run.backend=cpu'];

  test('--blocks is required with Google modules and refused otherwise', async () => {
    await expect(runFinetune({ init: layout.dir, out: join(root, 'ft-no-blocks'), overrides }, quiet)).rejects.toThrow(
      `--init ${layout.dir} is a Google REALM module layout: pass --blocks FILE, ORQA's blocks.tfr that ${layout.dir}/embedder/encoded/encoded.ckpt was encoded from`,
    );
    await expect(runFinetune({ init: 'none', data: worldRun, blocks: layout.blocks, out: join(root, 'ft-none-blocks'), overrides }, quiet)).rejects.toThrow(
      '--blocks/--titles go with a Google REALM module --init (bert/, embedder/); --init none brings its own corpus',
    );
  });

  test('2 steps train, publish the Google index as the knowledge base, and `eval` reads the result', async () => {
    const out = join(root, 'ft');
    const lines: string[] = [];
    const context = programContext('test', { signal: new AbortController().signal, log: (line) => lines.push(line) });
    const result = await runFinetune({ init: layout.dir, data: worldRun, blocks: layout.blocks, out, overrides }, context);
    expect(lines.some((l) => l.includes(`init: Google REALM module layout at ${layout.dir}: reader bert/, embedder embedder/, block_emb 6×${PROJECTION_SIZE}`))).toBe(true);
    expect(Object.keys(result).sort()).toEqual(['dev_exact_match', 'test_exact_match', 'test_recall_at_5', 'wall_seconds']);
    const saved = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(saved.init).toBe(layout.dir);
    expect(saved.world).toEqual(world);
    const kb = await readKnowledgeBase(out);
    expect(kb.vectors).toEqual(layout.blockEmb);
    expect(kb.blocks.map((b) => b.title)).toEqual(layout.titleTexts);
    expect(kb.manifest.source).toBe(`Google REALM modules ${layout.dir} over ${layout.blocks}`);
    const summary = await runEvaluation({ dataset: 'world', model: out, out: join(root, 'eval.jsonl'), split: 'test' });
    expect(summary.officialExactMatch).toBeCloseTo(result.test_exact_match, 10);
    expect(existsSync(join(out, 'best'))).toBe(true);
  }, 120_000);
});
