// The fine-tuning config: recipe defaults, `--a.b=value` overrides, and errors naming the field.
import { describe, expect, test } from 'vitest';
import { createRng } from '@realm/tokenizer';
import { buildFinetuneConfig, FINETUNE_RECIPE } from './config.js';
import { epochBatches, shuffled } from './train.js';

describe('buildFinetuneConfig', () => {
  test('the recipe sits on the ORQA defaults; overrides parse JSON values', () => {
    const config = buildFinetuneConfig(['orqa.learningRate=2e-4', 'run.evalEverySteps=25', 'orqa.recallAtK=[5,20]']);
    expect(config.orqa.learningRate).toBe(2e-4);
    expect(config.run.evalEverySteps).toBe(25);
    expect(config.orqa.recallAtK).toEqual([5, 20]);
    // From the recipe and from OrqaConfig's own defaults (orqa-spec §1.9).
    expect(config.orqa.readerBeamSize).toBe((FINETUNE_RECIPE.orqa as { readerBeamSize: number }).readerBeamSize);
    expect(config.orqa.maxSpanWidth).toBe(10);
    expect(config.orqa.spanLayerNormEpsilon).toBe(1e-3);
    expect(config.run.refreshIndex).toBe(false);
  });

  test('a bad value or unknown field is rejected with its path', () => {
    expect(() => buildFinetuneConfig(['orqa.readerBeamSize=0'])).toThrow(/orqa\.readerBeamSize/);
    expect(() => buildFinetuneConfig(['run.evalEvery=3'])).toThrow(/evalEvery/);
    expect(() => buildFinetuneConfig(['orqa.readerBeamSize=200', 'orqa.retrieverBeamSize=100'])).toThrow('readerBeamSize 200 must be ≤ retrieverBeamSize 100');
    expect(() => buildFinetuneConfig(['learningRate'])).toThrow("config override 'learningRate': expected key.path=value");
  });
});

describe('training order', () => {
  test('shuffled is a permutation and depends only on the seed', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    const a = shuffled(items, createRng(3));
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(shuffled(items, createRng(3))).toEqual(a);
    expect(shuffled(items, createRng(4))).not.toEqual(a);
  });

  test('epochBatches covers each epoch once in full batches, dropping the remainder', () => {
    const batches = epochBatches([0, 1, 2, 3, 4], 2, createRng(1));
    const epoch1 = [batches.next().value!, batches.next().value!];
    expect(epoch1.every((b) => b.length === 2)).toBe(true);
    expect(new Set(epoch1.flat()).size).toBe(4);
    expect(() => epochBatches([1], 2, createRng(1)).next()).toThrow('training: 1 questions cannot fill a batch of 2');
  });
});
