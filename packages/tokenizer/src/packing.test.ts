import { readFileSync } from 'node:fs';
import { fixture } from '@realm/testing';
import { describe, expect, test } from 'vitest';
import { FullTokenizer } from './full-tokenizer.js';
import { findAnswerSpans, PackingConfigSchema, packCandidate, packJoint, packQuery, packReaderInputs, packSegments } from './packing.js';

const IDS = { cls: 101, sep: 102 };
const arr = (a: Int32Array): number[] => Array.from(a);
const range = (from: number, count: number): number[] => Array.from({ length: count }, (_v, k) => from + k);
const uncased = fixture('bert_vocab/uncased_L-12_H-768_A-12/vocab.txt');

describe('packSegments (REALM bert_format)', () => {
  test('two segments that fit, then zero padding', () => {
    const packed = packSegments([[7, 8, 9], [10, 11]], 10, IDS);
    expect(arr(packed.tokenIds)).toEqual([101, 7, 8, 9, 102, 10, 11, 102, 0, 0]);
    expect(arr(packed.segmentIds)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 0, 0]);
    expect(arr(packed.inputMask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect(packed.segmentLengths).toEqual([3, 2]);
  });

  test('greedy budget L-1-K: the first segment keeps what fits, the second gets the rest', () => {
    // L = 7, K = 2 → budget 4: segment 0 keeps 3, segment 1 keeps 1.
    const packed = packSegments([[7, 8, 9], [10, 11, 12]], 7, IDS);
    expect(arr(packed.tokenIds)).toEqual([101, 7, 8, 9, 102, 10, 102]);
    expect(arr(packed.segmentIds)).toEqual([0, 0, 0, 0, 0, 1, 1]);
    expect(packed.segmentLengths).toEqual([3, 1]);
    // L = 5 → budget 2: segment 0 keeps 2, segment 1 nothing (its [SEP] remains).
    const tight = packSegments([[7, 8, 9], [10]], 5, IDS);
    expect(arr(tight.tokenIds)).toEqual([101, 7, 8, 102, 102]);
    expect(arr(tight.segmentIds)).toEqual([0, 0, 0, 0, 1]);
  });

  test('three segments use segment ids 0, 1, 2', () => {
    const packed = packSegments([[1], [2], [3]], 8, IDS);
    expect(arr(packed.tokenIds)).toEqual([101, 1, 102, 2, 102, 3, 102, 0]);
    expect(arr(packed.segmentIds)).toEqual([0, 0, 0, 1, 1, 2, 2, 0]);
  });

  test('too short for the special tokens is an error', () => {
    expect(() => packSegments([[1], [2]], 2, IDS)).toThrow('packing: maxSeqLen 2 is too small for [CLS] and 2 [SEP] tokens');
    expect(() => packSegments([[1]], 0, IDS)).toThrow('packing: maxSeqLen must be a positive integer, got 0');
  });
});

describe('REALM presets', () => {
  test('query: 96 positions, at most 94 wordpieces, all segment 0', () => {
    const packed = packQuery(range(1000, 100), IDS);
    expect(packed.tokenIds).toHaveLength(96);
    expect(arr(packed.tokenIds)).toEqual([101, ...range(1000, 94), 102]);
    expect(arr(packed.segmentIds)).toEqual(new Array(96).fill(0));
    expect(packed.segmentLengths).toEqual([94]);
  });

  test('candidate: title first, body the rest of 288; the null document is [CLS] [SEP] [SEP]', () => {
    const packed = packCandidate(range(2000, 10), range(3000, 400), IDS);
    expect(packed.tokenIds).toHaveLength(288);
    expect(packed.segmentLengths).toEqual([10, 275]);
    expect(arr(packed.tokenIds.subarray(0, 13))).toEqual([101, ...range(2000, 10), 102, 3000]);
    expect(packed.tokenIds[287]).toBe(102);
    expect(packed.segmentIds[11]).toBe(0);
    expect(packed.segmentIds[12]).toBe(1);
    const empty = packCandidate([], [], IDS);
    expect(arr(empty.tokenIds.subarray(0, 4))).toEqual([101, 102, 102, 0]);
    expect(arr(empty.segmentIds.subarray(0, 4))).toEqual([0, 0, 1, 0]);
    expect(arr(empty.inputMask.subarray(0, 4))).toEqual([1, 1, 1, 0]);
  });

  test('joint: query cut to 94, body to 286, 384 positions (the last one padding)', () => {
    const packed = packJoint(range(1000, 120), range(3000, 500), IDS);
    expect(packed.tokenIds).toHaveLength(384);
    expect(packed.segmentLengths).toEqual([94, 286]);
    expect(packed.tokenIds[95]).toBe(102);
    expect(packed.tokenIds[96]).toBe(3000);
    expect(packed.tokenIds[381]).toBe(3285);
    expect(packed.tokenIds[382]).toBe(102);
    expect(packed.tokenIds[383]).toBe(0);
    expect(packed.inputMask.reduce((a, b) => a + b, 0)).toBe(383);
    expect(packed.segmentIds.reduce((a, b) => a + b, 0)).toBe(287);
    // Null document: [CLS] query [SEP] [SEP].
    const nullDoc = packJoint([5, 6], [], IDS);
    expect(arr(nullDoc.tokenIds.subarray(0, 6))).toEqual([101, 5, 6, 102, 102, 0]);
  });

  test('the config schema carries the paper/code defaults', () => {
    expect(PackingConfigSchema.parse({})).toEqual({ querySeqLen: 96, candidateSeqLen: 288, readerSeqLen: 320 });
  });
});

describe('ORQA reader inputs (orqa_ops.cc ReaderInputs)', () => {
  test('fits: [CLS] q [SEP] block [SEP] with block mask and token map', () => {
    const reader = packReaderInputs([1, 2, 3], [10, 11, 12, 13, 14], IDS, 12, [0, 0, 1, 2, 2]);
    expect(arr(reader.tokenIds)).toEqual([101, 1, 2, 3, 102, 10, 11, 12, 13, 14, 102, 0]);
    expect(arr(reader.inputMask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    expect(arr(reader.segmentIds)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0]);
    expect(arr(reader.blockMask)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0]);
    expect(arr(reader.tokenMap)).toEqual([-1, -1, -1, -1, -1, 0, 0, 1, 2, 2, -1, -1]);
    expect(reader.blockLength).toBe(5);
  });

  test('block truncated: the last position is forced to [SEP]; the question is never cut', () => {
    const reader = packReaderInputs([1, 2, 3], [10, 11, 12, 13, 14], IDS, 9);
    expect(arr(reader.tokenIds)).toEqual([101, 1, 2, 3, 102, 10, 11, 12, 102]);
    expect(arr(reader.blockMask)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 0]);
    expect(reader.blockLength).toBe(3);
    // A question of L-2 wordpieces leaves only its [SEP]; one of L-1 fills everything.
    expect(arr(packReaderInputs([1, 2, 3], [10], IDS, 5).tokenIds)).toEqual([101, 1, 2, 3, 102]);
    expect(arr(packReaderInputs([1, 2, 3, 4], [10], IDS, 5).tokenIds)).toEqual([101, 1, 2, 3, 4]);
  });

  test('gold spans: every occurrence, overlapping ones too, inside the block only', () => {
    const reader = packReaderInputs([7, 7], [7, 7, 7, 8], IDS, 12);
    // Sequence: [CLS] 7 7 [SEP] 7 7 7 8 [SEP] → block positions 4..7
    expect(findAnswerSpans(reader, [7, 7])).toEqual([
      [4, 5],
      [5, 6],
    ]);
    expect(findAnswerSpans(reader, [8])).toEqual([[7, 7]]);
    expect(findAnswerSpans(reader, [102])).toEqual([]);
    expect(findAnswerSpans(reader, [])).toEqual([]);
  });

  test('token map length must match the block', () => {
    expect(() => packReaderInputs([1], [2, 3], IDS, 8, [0])).toThrow('packing: blockTokenMap has 1 entries but the block has 2 wordpieces');
  });
});

test.skipIf(!uncased.present)('real vocab: "[CLS] my name is john [SEP] pair [SEP]" (HF tokenizers test_basic_encode)', () => {
  const tokenizer = FullTokenizer.fromVocabText(readFileSync(uncased.path, 'utf8'));
  const ids = tokenizer.vocab.specialTokenIds();
  const packed = packSegments([tokenizer.encodeIds('My name is John'), tokenizer.encodeIds('pair')], 10, ids);
  expect(arr(packed.tokenIds)).toEqual([101, 2026, 2171, 2003, 2198, 102, 3940, 102, 0, 0]);
  expect(arr(packed.segmentIds)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 0, 0]);
});
