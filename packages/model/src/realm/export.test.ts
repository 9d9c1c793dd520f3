import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { disposeBertModel, type BertModel } from '@realm/bert';
import { createRng } from '@realm/tokenizer';
import { tinyRealmConfig } from '../../test/tiny-realm.js';
import { createRealmModel, disposeRealmModel, loadRealmExport, saveRealmExport } from './index.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'realm-export-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function sameWeights(a: BertModel, b: BertModel): Promise<boolean> {
  if (a.variables.size !== b.variables.size) return false;
  for (const [name, variable] of a.variables) {
    const other = b.variables.get(name);
    if (!other) return false;
    const [x, y] = [await variable.data(), await other.data()];
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) return false;
  }
  return true;
}

test('export round trip: bert/ is the reader, embedder/ the shared embedder with its projection', async () => {
  const model = createRealmModel(tinyRealmConfig(), createRng(1));
  const path = join(dir, '1700000000');
  await saveRealmExport(path, model);
  expect((await readdir(path)).sort()).toEqual(['bert', 'embedder']);
  expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
  const loaded = await loadRealmExport(path);
  expect(await sameWeights(loaded.reader, model.reader)).toBe(true);
  expect(await sameWeights(loaded.embedder, model.documentEmbedder)).toBe(true);
  expect(loaded.embedder.heads.projection).toEqual(model.config.projection);
  expect(loaded.queryEmbedder).toBeUndefined();
  disposeBertModel(loaded.reader);
  disposeBertModel(loaded.embedder);
  // Re-exporting to the same directory replaces it whole.
  await saveRealmExport(path, model);
  expect(existsSync(join(path, 'bert', 'config.json'))).toBe(true);
  disposeRealmModel(model);
});

test('separate embedders: embedder/ holds the DOCUMENT embedder (the reference exported the wrong one)', async () => {
  const model = createRealmModel(tinyRealmConfig({ shareEmbedders: false }), createRng(2));
  const path = join(dir, 'separate');
  await saveRealmExport(path, model);
  const loaded = await loadRealmExport(path);
  expect(await sameWeights(loaded.embedder, model.documentEmbedder)).toBe(true);
  expect(await sameWeights(loaded.embedder, model.queryEmbedder)).toBe(false);
  expect(await sameWeights(loaded.queryEmbedder!, model.queryEmbedder)).toBe(true);
  for (const m of [loaded.reader, loaded.embedder, loaded.queryEmbedder!]) disposeBertModel(m);
  disposeRealmModel(model);
});
