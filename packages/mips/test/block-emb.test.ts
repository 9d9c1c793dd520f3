import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '@realm/testing';
import { afterAll, expect, test } from 'vitest';
import { ExactMipsIndex, loadBlockEmb, refreshIndexFromCheckpoint, saveBlockEmb } from '../src/index.js';
import { randomMatrix } from './reference.js';

const root = mkdtempSync(join(tmpdir(), 'realm-mips-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('saveBlockEmb → loadBlockEmb round trip; refreshIndexFromCheckpoint swaps the rows in', async () => {
  const vectors = randomMatrix(31, 9, 8);
  const prefix = join(root, 'encoded.ckpt');
  await saveBlockEmb(prefix, vectors, 8);
  const loaded = await loadBlockEmb(prefix);
  expect([loaded.rows, loaded.dim]).toEqual([9, 8]);
  expect(Array.from(loaded.vectors)).toEqual(Array.from(vectors));

  const index = new ExactMipsIndex(8, { threads: 1 });
  index.add(randomMatrix(32, 3, 8));
  expect(await refreshIndexFromCheckpoint(index, prefix)).toBe(9);
  expect(index.size).toBe(9);
  expect(Array.from(index.reconstruct(4))).toEqual(Array.from(vectors.subarray(32, 40)));
  await expect(refreshIndexFromCheckpoint(new ExactMipsIndex(4), prefix)).rejects.toThrow(`checkpoint ${prefix}: "block_emb" has dim 8, but the index has dim 4`);
  await expect(loadBlockEmb(prefix, 'missing')).rejects.toThrow(`checkpoint ${prefix}: no variable "missing" (it holds block_emb)`);
  await expect(saveBlockEmb(prefix, vectors, 5)).rejects.toThrow('saveBlockEmb: vectors has 72 values, which is not a multiple of dim 5');
});

const bert = fixture('tf_checkpoints/keras_bert_tiny/bert_model.ckpt.index');
test.skipIf(!bert.present)('loads a 2-D float variable from a real TensorFlow checkpoint (MANIFEST values)', async () => {
  const prefix = bert.path.replace(/\.index$/, '');
  const emb = await loadBlockEmb(prefix, 'bert/embeddings/token_type_embeddings');
  expect([emb.rows, emb.dim]).toEqual([2, 4]);
  expect(Array.from(emb.vectors)).toEqual(
    [-0.0159997214, 0.0243207607, -0.0156045975, -0.012284793, 0.0227951929, 0.00851453003, -0.0139705017, 0.00182073424].map(Math.fround),
  );
  await expect(loadBlockEmb(prefix, 'bert/embeddings/LayerNorm/gamma')).rejects.toThrow('"bert/embeddings/LayerNorm/gamma" has shape [4], expected [rows, dim]');
});
