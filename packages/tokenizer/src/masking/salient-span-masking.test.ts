import { describe, expect, test } from 'vitest';
import { createRng } from '../rng.js';
import type { CharSpan, WordPiece } from '../types.js';
import { chooseSalientSpan, maskSalientSpan, pairSpansWithSentences } from './salient-span-masking.js';

const MASK = 7; // deliberately not BERT's 103: the id is a parameter

/** Lays hand-chosen wordpieces over `text` left to right ('##' continues the previous word). */
function piecesFor(text: string, tokens: readonly [string, number][]): WordPiece[] {
  let cursor = 0;
  let word = -1;
  return tokens.map(([token, id]) => {
    const surface = token.replace(/^##/, '');
    if (!token.startsWith('##')) {
      while (text[cursor] === ' ') cursor++;
      word++;
    }
    if (text.slice(cursor, cursor + surface.length).toLowerCase() !== surface) {
      throw new Error(`piece ${token} does not match text at ${cursor}`);
    }
    const piece = { token, id, start: cursor, end: cursor + surface.length, originalTokenIndex: word };
    cursor += surface.length;
    return piece;
  });
}

// "Honolulu hosted Obama in 1961." → hono ##lulu hosted obama in 1961 .
const SENTENCE = 'Honolulu hosted Obama in 1961.';
const PIECES = piecesFor(SENTENCE, [
  ['hono', 1001], ['##lulu', 1002], ['hosted', 1003], ['obama', 1004], ['in', 1005], ['1961', 1006], ['.', 1007],
]);
const at = (text: string, sub: string): CharSpan => ({ start: SENTENCE.indexOf(sub), end: SENTENCE.indexOf(sub) + sub.length, label: text });

describe('maskSalientSpan', () => {
  test('masks every piece of the span with [MASK]; positions +1 for [CLS]; padded to maxMasks', () => {
    const result = maskSalientSpan(PIECES, at('PLACE', 'Honolulu'), { maskId: MASK });
    expect(result).toEqual({
      ok: true,
      maskedIds: [7, 7, 1003, 1004, 1005, 1006, 1007],
      mlmPositions: [1, 2, 0, 0, 0, 0, 0, 0, 0, 0],
      mlmTargets: [1001, 1002, 0, 0, 0, 0, 0, 0, 0, 0],
      mlmWeights: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
      numPredictions: 2,
      maskedIndices: [0, 1],
    });
  });

  test('a span in the middle of the sentence', () => {
    const result = maskSalientSpan(PIECES, at('DATE', '1961'), { maskId: MASK, maxMasks: 3 });
    expect(result).toEqual({
      ok: true,
      maskedIds: [1001, 1002, 1003, 1004, 1005, 7, 1007],
      mlmPositions: [6, 0, 0],
      mlmTargets: [1006, 0, 0],
      mlmWeights: [1, 0, 0],
      numPredictions: 1,
      maskedIndices: [5],
    });
  });

  test('a piece that only partly overlaps the span is not masked', () => {
    // [2, 8) = "nolulu": 'hono' [0, 4) straddles the start, '##lulu' [4, 8) lies inside.
    const result = maskSalientSpan(PIECES, { start: 2, end: 8 }, { maskId: MASK });
    expect(result.ok && result.maskedIds).toEqual([1001, 7, 1003, 1004, 1005, 1006, 1007]);
    expect(result.ok && result.mlmTargets.slice(0, 2)).toEqual([1002, 0]);
    // "Honolulu h" ends inside 'hosted', which stays.
    const wide = maskSalientSpan(PIECES, { start: 0, end: 10 }, { maskId: MASK });
    expect(wide.ok && wide.maskedIndices).toEqual([0, 1]);
  });

  test('skips (typed result) when the span covers no whole wordpiece', () => {
    expect(maskSalientSpan(PIECES, { start: 1, end: 6 }, { maskId: MASK })).toEqual({
      ok: false,
      reason: 'span_covers_no_wordpiece',
      detail: 'span [1, 6) covers no wordpiece',
    });
  });

  test('a span of 12 pieces: all 12 become [MASK], only the first 10 are predicted', () => {
    const text = 'abcdefghijkl';
    const pieces = piecesFor(text, [...text].map((c, i): [string, number] => [i === 0 ? c : `##${c}`, 200 + i]));
    const result = maskSalientSpan(pieces, { start: 0, end: 12 }, { maskId: MASK });
    expect(result).toEqual({
      ok: true,
      maskedIds: new Array(12).fill(7),
      mlmPositions: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      mlmTargets: [200, 201, 202, 203, 204, 205, 206, 207, 208, 209],
      mlmWeights: new Array(10).fill(1),
      numPredictions: 10,
      maskedIndices: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    });
  });

  describe('truncation at querySeqLen − 2 = 94', () => {
    // 100 one-letter words "a a a ...": piece i covers [2i, 2i + 1).
    const text = new Array(100).fill('a').join(' ');
    const pieces = piecesFor(text, Array.from({ length: 100 }, (_, i): [string, number] => ['a', 500 + i]));
    const piece = (i: number): CharSpan => ({ start: 2 * i, end: 2 * i + 1 });

    test('a mask at index 93 (the last kept piece) is fine: position 94', () => {
      const result = maskSalientSpan(pieces, piece(93), { maskId: MASK });
      expect(result.ok && result.mlmPositions[0]).toBe(94);
      expect(result.ok && result.mlmTargets[0]).toBe(593);
    });

    test('a mask at index 94 is skipped', () => {
      expect(maskSalientSpan(pieces, piece(94), { maskId: MASK })).toEqual({
        ok: false,
        reason: 'masks_would_be_truncated',
        detail: 'last masked wordpiece index 94 ≥ querySeqLen − 2 = 94',
      });
    });

    test('a span starting before and ending after the cut is skipped too', () => {
      const result = maskSalientSpan(pieces, { start: piece(92).start, end: piece(95).end }, { maskId: MASK });
      expect(result.ok === false && result.reason).toBe('masks_would_be_truncated');
    });

    test('querySeqLen is honoured', () => {
      expect(maskSalientSpan(pieces, piece(10), { maskId: MASK, querySeqLen: 12 }).ok).toBe(false);
      expect(maskSalientSpan(pieces, piece(9), { maskId: MASK, querySeqLen: 12 }).ok).toBe(true);
    });
  });

  test('rejects bad options with a message naming the option', () => {
    expect(() => maskSalientSpan(PIECES, at('', 'Obama'), { maskId: -1 })).toThrow('maskSalientSpan: maskId must be an integer ≥ 0, got -1');
    expect(() => maskSalientSpan(PIECES, at('', 'Obama'), { maskId: 7, maxMasks: 0 })).toThrow(
      'maskSalientSpan: maxMasks must be an integer ≥ 1, got 0',
    );
  });
});

describe('pairSpansWithSentences / chooseSalientSpan', () => {
  // "Obama was born in Hawaii. He died in 2050."
  //  0         1         2         3         4
  const sentences: CharSpan[] = [{ start: 0, end: 25 }, { start: 26, end: 42 }];

  test('pairs with the first containing sentence, drops boundary-crossing spans, collapses duplicates', () => {
    const obama = { start: 0, end: 5, label: 'PERSON' };
    const crossing = { start: 18, end: 28, label: 'X' }; // "Hawaii. He"
    const year = { start: 37, end: 41, label: 'DATE' };
    const yearAgain = { start: 37, end: 41, label: 'OTHER' };
    expect(pairSpansWithSentences(sentences, [obama, crossing, year, yearAgain])).toEqual([
      { span: obama, sentence: sentences[0] },
      { span: year, sentence: sentences[1] },
    ]);
    // When sentences overlap, the first one listed wins.
    const overlapping = [{ start: 0, end: 42 }, ...sentences];
    expect(pairSpansWithSentences(overlapping, [year])).toEqual([{ span: year, sentence: overlapping[0] }]);
  });

  test('a span ending exactly at the sentence end is inside; one char further is not', () => {
    expect(pairSpansWithSentences(sentences, [{ start: 18, end: 25 }])).toHaveLength(1);
    expect(pairSpansWithSentences(sentences, [{ start: 18, end: 26 }])).toHaveLength(0);
  });

  test('skips when no span survives', () => {
    expect(chooseSalientSpan(sentences, [{ start: 18, end: 28 }], createRng(1))).toEqual({
      ok: false,
      reason: 'no_valid_spans',
      detail: 'none of 1 spans lies inside one of 2 sentences',
    });
  });

  test('the choice is uniform over the surviving spans and fixed by the seed', () => {
    const spans = [0, 6, 10, 15, 18].map((start) => ({ start, end: start + 3 }));
    const counts = new Array(5).fill(0);
    const rng = createRng(11);
    for (let i = 0; i < 10_000; i++) {
      const choice = chooseSalientSpan(sentences, spans, rng);
      if (!choice.ok) throw new Error('unexpected skip');
      counts[spans.indexOf(choice.span)]++;
    }
    // Each bucket: mean 2000, sd 40; ±200 is five sd.
    for (const count of counts) expect(Math.abs(count - 2000)).toBeLessThan(200);
    const draw = (seed: number): CharSpan[] => {
      const r = createRng(seed);
      return Array.from({ length: 8 }, () => {
        const c = chooseSalientSpan(sentences, spans, r);
        return c.ok ? c.span : { start: -1, end: -1 };
      });
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });
});
