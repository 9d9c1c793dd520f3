import { describe, expect, test } from 'vitest';
import { createRng } from '@realm/tokenizer';
import { makeReaderMlmExample, sampleReaderMlmBatch, type ReaderMlmExampleOptions, type SentenceBlock } from './reader-mlm.js';

// [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4; words from 10 up.
const VOCAB = { cls: 2, sep: 3, mask: 4, size: 40, specialIds: [0, 1, 2, 3, 4] };
const OPTIONS: ReaderMlmExampleOptions = { querySeqLen: 6, candidateSeqLen: 8, maskProb: 0.15, maxMasks: 3, sentenceRemovalRate: 0.9, vocab: VOCAB };
const BLOCK: SentenceBlock = { sentences: [[10, 11, 12], [13, 14], [15]] };

describe('reader masked-LM examples', () => {
  test('joint layout: [CLS] masked sentence [SEP] body without the sentence [SEP], segments 0 then 1', () => {
    const example = makeReaderMlmExample(BLOCK, 0, true, createRng(3), OPTIONS)!;
    const ids = Array.from(example.inputs.tokenIds);
    // round(0.15 × (3 + 2)) = 1 prediction among the sentence's 3 pieces
    expect(example.weights.reduce((a, b) => a + b, 0)).toBe(1);
    const position = example.positions[0];
    expect(position).toBeGreaterThanOrEqual(1);
    expect(position).toBeLessThanOrEqual(3);
    expect(example.targets[0]).toBe([10, 11, 12][position - 1]);
    // Every other query position keeps its piece; the body is sentences 1 and 2.
    const expected = [2, 10, 11, 12, 3, 13, 14, 15, 3, 0, 0, 0, 0, 0];
    ids.forEach((id, i) => {
      if (i !== position) expect(id).toBe(expected[i]);
    });
    expect(Array.from(example.inputs.segmentIds)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(example.inputs.mask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(example.positions.slice(1))).toEqual([0, 0]);
    expect(Array.from(example.targets.slice(1))).toEqual([0, 0]);
  });

  test('kept sentence: the body still holds it, so the answer can be read from segment 1', () => {
    const example = makeReaderMlmExample(BLOCK, 1, false, createRng(5), OPTIONS)!;
    expect(Array.from(example.inputs.tokenIds.slice(3, 11))).toEqual([3, 10, 11, 12, 13, 14, 15, 3]);
    expect([13, 14]).toContain(example.targets[0]);
  });

  test('truncation: the sentence is cut to querySeqLen − 2 and only visible pieces are predicted', () => {
    const long: SentenceBlock = { sentences: [[10, 11, 12, 13, 14, 15, 16, 17, 18, 19]] };
    for (let seed = 0; seed < 20; seed++) {
      const example = makeReaderMlmExample(long, 0, false, createRng(seed), { ...OPTIONS, maskProb: 0.5 })!;
      for (let m = 0; m < 3; m++) if (example.weights[m] === 1) expect(example.positions[m]).toBeLessThanOrEqual(4);
      expect(example.inputs.tokenIds[5]).toBe(3);
    }
  });

  test('a sentence of special tokens only has nothing to predict', () => {
    expect(makeReaderMlmExample({ sentences: [[1, 1]] }, 0, true, createRng(1), OPTIONS)).toBeNull();
    expect(() => makeReaderMlmExample(BLOCK, 3, true, createRng(1), OPTIONS)).toThrow(/3 sentences, no sentence 3/);
  });

  test('batches are row-major, seeded, and remove the sentence at about sentenceRemovalRate', () => {
    const blocks: SentenceBlock[] = Array.from({ length: 20 }, (_, i) => ({ sentences: [[10 + i, 30], [31, 32, 33]] }));
    const a = sampleReaderMlmBatch(blocks, 200, createRng(9), OPTIONS);
    const b = sampleReaderMlmBatch(blocks, 200, createRng(9), OPTIONS);
    expect(a).toEqual(b);
    expect(a.inputs.tokenIds.length).toBe(200 * 14);
    expect(a.positions.length).toBe(200 * 3);
    // A row whose body has 5 pieces kept its sentence; 3 (or 2) means it was removed.
    let kept = 0;
    for (let row = 0; row < 200; row++) {
      const body = Array.from(a.inputs.segmentIds.slice(row * 14, (row + 1) * 14)).filter((s) => s === 1).length - 1;
      if (body === 5) kept++;
    }
    expect(kept / 200).toBeGreaterThan(0.03);
    expect(kept / 200).toBeLessThan(0.2);
    expect(() => sampleReaderMlmBatch([{ sentences: [] }], 2, createRng(1), OPTIONS)).toThrow(/no block has a sentence/);
  });
});
