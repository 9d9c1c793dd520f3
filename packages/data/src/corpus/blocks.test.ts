import { describe, expect, test } from 'vitest';
import { isExcludedTitle, packSentencesIntoBlocks } from './blocks.js';
import { documentUid, documentUidBigInt } from './uid.js';

const counted = (...counts: number[]) => counts.map((numTokens, i) => ({ text: `s${i}`, numTokens }));

describe('packSentencesIntoBlocks (ORQA generate_sentences)', () => {
  test('fills blocks greedily to exactly the budget', () => {
    // title 5 → budget for sentences = 20 - 3 - 5 = 12: [4,4,4] fits (12), then [5,6], then [7]
    expect(packSentencesIntoBlocks(5, counted(4, 4, 4, 5, 6, 7), 20)).toEqual([
      { start: 0, end: 3, numTokens: 12 },
      { start: 3, end: 5, numTokens: 11 },
      { start: 5, end: 6, numTokens: 7 },
    ]);
  });

  test('an over-long sentence forms its own block and no empty block is emitted', () => {
    // budget 12: the first sentence (30) does not fit an empty block: ORQA yields [] which is skipped
    expect(packSentencesIntoBlocks(5, counted(30, 2, 40), 20)).toEqual([
      { start: 0, end: 1, numTokens: 30 },
      { start: 1, end: 2, numTokens: 2 },
      { start: 2, end: 3, numTokens: 40 },
    ]);
    expect(packSentencesIntoBlocks(5, [], 20)).toEqual([]);
  });

  test('REALM default 288 with a 3-token title packs 282 tokens per block', () => {
    const blocks = packSentencesIntoBlocks(3, counted(...new Array(10).fill(94)));
    expect(blocks.map((b) => b.end - b.start)).toEqual([3, 3, 3, 1]);
    expect(blocks[0].numTokens).toBe(282);
  });
});

test('isExcludedTitle follows ORQA remove_doc', () => {
  expect(isExcludedTitle('List of rivers')).toBe(true);
  expect(isExcludedTitle('Mercury (disambiguation)')).toBe(true);
  expect(isExcludedTitle('Outline of physics')).toBe(true);
  expect(isExcludedTitle('Listed buildings')).toBe(false);
  expect(isExcludedTitle('List of')).toBe(false);
});

test('documentUid is SHA-1 of "title <sep> body"', () => {
  // sha1("a <sep> b") computed independently: printf 'a <sep> b' | sha1sum
  expect(documentUid('a', 'b')).toBe('e88e2f7d52a29df745224511ab83e81a4721df62');
  expect(documentUidBigInt('a', 'b')).toBe(BigInt('0xe88e2f7d52a29df745224511ab83e81a4721df62'));
});
