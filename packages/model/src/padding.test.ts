import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { embedProjected } from '@realm/bert';
import { createRng } from '@realm/tokenizer';
import { tinyRealmConfig } from '../test/tiny-realm.js';
import { flatInputTensors, trimTrailingPadding, usedLength } from './padding.js';
import { createRealmModel, disposeRealmModel, type RealmModel } from './realm/index.js';

let model: RealmModel;
beforeAll(async () => {
  await tf.setBackend('cpu');
  model = createRealmModel(tinyRealmConfig(), createRng(11));
});
afterAll(() => disposeRealmModel(model));

describe('usedLength', () => {
  test('is one past the last real position of the longest row', () => {
    // rows of real lengths 2, 4 and 1 in width 6
    const mask = [1, 1, 0, 0, 0, 0, /**/ 1, 1, 1, 1, 0, 0, /**/ 1, 0, 0, 0, 0, 0];
    expect(usedLength(mask, 3, 6)).toBe(4);
    expect(usedLength([1, 1, 1], 1, 3)).toBe(3);
    expect(usedLength([0, 0, 0], 1, 3)).toBe(1);
  });

  test('rejects a mask of the wrong size', () => {
    expect(() => usedLength([1, 1, 1], 2, 2)).toThrow('usedLength: mask has 3 values, expected 2×2');
  });
});

describe('trimTrailingPadding', () => {
  const ids = [[2, 7, 8, 3, 0, 0, 0, 0], [2, 9, 3, 5, 6, 3, 0, 0]];
  const masks = [[1, 1, 1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 0, 0]];
  const types = [[0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1, 0, 0]];
  const inputs = (): { inputIds: tf.Tensor2D; inputMask: tf.Tensor2D; tokenTypeIds: tf.Tensor2D } => ({
    inputIds: tf.tensor2d(ids, undefined, 'int32'),
    inputMask: tf.tensor2d(masks, undefined, 'int32'),
    tokenTypeIds: tf.tensor2d(types, undefined, 'int32'),
  });

  test('cuts the all-padding tail columns and keeps the rest', () => {
    const full = inputs();
    const trimmed = trimTrailingPadding(full);
    expect(trimmed.inputIds.shape).toEqual([2, 6]);
    expect(trimmed.inputIds.arraySync()).toEqual(ids.map((row) => row.slice(0, 6)));
    expect(trimmed.inputMask?.arraySync()).toEqual(masks.map((row) => row.slice(0, 6)));
    expect(trimmed.tokenTypeIds?.arraySync()).toEqual(types.map((row) => row.slice(0, 6)));
    tf.dispose([...Object.values(full), ...Object.values(trimmed)] as tf.Tensor[]);
  });

  test('returns the same tensors when no column is all padding', () => {
    const full = { inputIds: tf.tensor2d([[2, 3]], undefined, 'int32'), inputMask: tf.tensor2d([[1, 1]], undefined, 'int32') };
    expect(trimTrailingPadding(full)).toBe(full);
    tf.dispose(Object.values(full));
  });

  test('the embedder gives the same embeddings with and without the padding tail', () => {
    const full = inputs();
    const trimmed = trimTrailingPadding(full);
    const [a, b] = [embedProjected(model.queryEmbedder, full), embedProjected(model.queryEmbedder, trimmed)];
    const [expected, actual] = [a.dataSync(), b.dataSync()];
    expect(actual.length).toBe(2 * 6);
    actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 5));
    tf.dispose([a, b, ...Object.values(full), trimmed.inputIds, trimmed.inputMask as tf.Tensor, trimmed.tokenTypeIds as tf.Tensor]);
  });
});

describe('flatInputTensors', () => {
  test('shapes the rows, cuts the shared padding tail and leaves only the returned tensors allocated', () => {
    const flat = {
      tokenIds: Int32Array.of(2, 7, 3, 0, 0, /**/ 2, 3, 0, 0, 0),
      mask: Int32Array.of(1, 1, 1, 0, 0, /**/ 1, 1, 0, 0, 0),
      segmentIds: Int32Array.of(0, 0, 0, 0, 0, /**/ 0, 1, 0, 0, 0),
    };
    const before = tf.memory().numTensors;
    const inputs = flatInputTensors(flat, 2);
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(inputs.inputIds.arraySync()).toEqual([[2, 7, 3], [2, 3, 0]]);
    expect(inputs.inputMask?.arraySync()).toEqual([[1, 1, 1], [1, 1, 0]]);
    expect(inputs.tokenTypeIds?.arraySync()).toEqual([[0, 0, 0], [0, 1, 0]]);
    tf.dispose([inputs.inputIds, inputs.inputMask!, inputs.tokenTypeIds!]);
  });

  test('rejects fields that do not form equal rows', () => {
    const flat = { tokenIds: Int32Array.of(1, 2, 3, 4), mask: Int32Array.of(1, 1, 1), segmentIds: Int32Array.of(0, 0, 0, 0) };
    expect(() => flatInputTensors(flat, 2)).toThrow('flatInputTensors: 4 token ids, 3 mask and 4 segment values do not form 2 equal rows');
  });
});
