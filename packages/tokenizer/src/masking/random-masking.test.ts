import { describe, expect, test } from 'vitest';
import { createRng } from '../rng.js';
import type { WordPiece } from '../types.js';
import { expectedSpanLength, maskRandomSpans, sampleSpanLength, spanLengthDistribution } from './random-span-masking.js';
import { maskRandomTokens, roundHalfToEven } from './random-token-masking.js';

const MASK = 4;
const VOCAB = 30_000;

/** n pieces with ids 1000 + i; every `wordLength`-th piece starts a word, the rest are '##' continuations. */
function pieces(n: number, wordLength = 1): Pick<WordPiece, 'id' | 'token'>[] {
  return Array.from({ length: n }, (_, i) => ({ id: 1000 + i, token: i % wordLength === 0 ? `w${i}` : `##w${i}` }));
}

describe('roundHalfToEven (Python round)', () => {
  test.each([
    [0.5, 0], [1.5, 2], [2.5, 2], [4.5, 4], [1.4, 1], [1.6, 2], [6.3, 6],
  ])('round(%d) = %d', (x, expected) => expect(roundHalfToEven(x)).toBe(expected));
});

describe('maskRandomTokens (BERT create_masked_lm_predictions)', () => {
  test('predicts round(0.15 × (n + 2)) pieces: [CLS] and [SEP] count, as in BERT', () => {
    // n = 28 → 30 × 0.15 = 4.5 → 4 (half to even); n = 40 → 6.3 → 6; n = 3 → 0.75 → 1; n = 80 → capped at 10.
    for (const [n, expected] of [[28, 4], [40, 6], [3, 1], [80, 10]]) {
      const result = maskRandomTokens(pieces(n), { maskId: MASK, vocabSize: VOCAB }, createRng(n));
      expect(result.numPredictions).toBe(expected);
      expect(result.mlmWeights).toEqual([...new Array(expected).fill(1), ...new Array(10 - expected).fill(0)]);
    }
  });

  test('positions are sorted, +1 for [CLS], and targets are the original ids at those positions', () => {
    const input = pieces(40);
    const result = maskRandomTokens(input, { maskId: MASK, vocabSize: VOCAB }, createRng(3));
    const positions = result.mlmPositions.slice(0, result.numPredictions);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(result.mlmTargets.slice(0, result.numPredictions)).toEqual(positions.map((p) => input[p - 1].id));
    // Unselected pieces are untouched.
    const selected = new Set(positions.map((p) => p - 1));
    input.forEach((piece, i) => {
      if (!selected.has(i)) expect(result.maskedIds[i]).toBe(piece.id);
    });
  });

  test('replaceWithMaskProb = 1 turns every selected piece into [MASK]', () => {
    const result = maskRandomTokens(pieces(40), { maskId: MASK, vocabSize: VOCAB, replaceWithMaskProb: 1, keepOriginalProb: 0 }, createRng(9));
    const masked = result.maskedIds.flatMap((id, i) => (id === MASK ? [i + 1] : []));
    expect(masked).toEqual(result.mlmPositions.slice(0, result.numPredictions));
  });

  test('never selects special ids nor pieces beyond querySeqLen − 2', () => {
    const input = [{ id: 101, token: '[CLS]' }, ...pieces(30), { id: 102, token: '[SEP]' }];
    for (let seed = 0; seed < 200; seed++) {
      const result = maskRandomTokens(input, { maskId: MASK, vocabSize: VOCAB, specialIds: [101, 102], querySeqLen: 20 }, createRng(seed));
      const indices = result.mlmPositions.slice(0, result.numPredictions).map((p) => p - 1);
      for (const i of indices) {
        expect(input[i].id === 101 || input[i].id === 102).toBe(false);
        expect(i).toBeLessThan(18);
      }
    }
  });

  test('whole-word masking selects whole words only (off by default)', () => {
    const input = pieces(60, 3); // words of three pieces
    for (let seed = 0; seed < 100; seed++) {
      const result = maskRandomTokens(input, { maskId: MASK, vocabSize: VOCAB, wholeWordMask: true }, createRng(seed));
      const indices = result.mlmPositions.slice(0, result.numPredictions).map((p) => p - 1);
      // Budget 9 (round(62 × 0.15)) = three whole words.
      expect(indices).toHaveLength(9);
      for (let k = 0; k < indices.length; k += 3) expect(indices.slice(k, k + 3)).toEqual([indices[k], indices[k] + 1, indices[k] + 2]);
      expect(indices.every((i, k) => k % 3 !== 0 || i % 3 === 0)).toBe(true);
    }
    const singles = new Set<number>();
    for (let seed = 0; seed < 50; seed++) {
      const result = maskRandomTokens(input, { maskId: MASK, vocabSize: VOCAB }, createRng(seed));
      for (const p of result.mlmPositions.slice(0, result.numPredictions)) singles.add((p - 1) % 3);
    }
    expect([...singles].sort()).toEqual([0, 1, 2]); // continuation pieces are picked on their own
  });

  test('80 % [MASK], 10 % kept, 10 % random over many draws', () => {
    const input = pieces(40);
    const rng = createRng(2024);
    let masked = 0, kept = 0, replaced = 0;
    for (let draw = 0; draw < 3000; draw++) {
      const result = maskRandomTokens(input, { maskId: MASK, vocabSize: VOCAB }, rng);
      for (let k = 0; k < result.numPredictions; k++) {
        const index = result.mlmPositions[k] - 1;
        const id = result.maskedIds[index];
        if (id === MASK) masked++;
        else if (id === input[index].id) kept++;
        else replaced++;
      }
    }
    const total = masked + kept + replaced;
    expect(total).toBe(3000 * 6);
    // sd of the 10 % fractions is 0.0022 over 18,000 picks; ±0.01 is 4.5 sd.
    expect(Math.abs(masked / total - 0.8)).toBeLessThan(0.01);
    expect(Math.abs(kept / total - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(replaced / total - 0.1)).toBeLessThan(0.01);
  });

  test('deterministic for a seed, different across seeds', () => {
    const run = (seed: number): number[] => maskRandomTokens(pieces(40), { maskId: MASK, vocabSize: VOCAB }, createRng(seed)).maskedIds;
    expect(run(77)).toEqual(run(77));
    expect(run(77)).not.toEqual(run(78));
  });
});

describe('maskRandomSpans (SpanBERT)', () => {
  test('span lengths follow Geo(0.2) clipped to 1..10: analytic mean 3.797 and sampled mean', () => {
    // Σ k·0.2·0.8^(k−1) / (1 − 0.8^10) for k = 1..10, worked by hand: 3.389387 / 0.8926258 (SpanBERT paper: 3.8).
    expect(expectedSpanLength(0.2, 1, 10)).toBeCloseTo(3.7971, 4);
    const distribution = spanLengthDistribution(0.2, 1, 10);
    expect(distribution[0]).toBeCloseTo(0.2 / 0.8926258176, 12);
    expect(distribution.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const rng = createRng(5);
    let sum = 0;
    const counts = new Array(11).fill(0);
    for (let i = 0; i < 50_000; i++) {
      const length = sampleSpanLength(rng, 0.2, 1, 10);
      sum += length;
      counts[length]++;
    }
    // sd of one length ≈ 2.6, of the mean over 50k ≈ 0.012.
    expect(Math.abs(sum / 50_000 - 3.797)).toBeLessThan(0.05);
    expect(counts[0]).toBe(0);
    expect(Math.abs(counts[1] / 50_000 - 0.22406)).toBeLessThan(0.01);
  });

  test('budget is ceil(0.15 × n) (20 pieces → 3, not 4 from 3.0000000000000004), capped at maxMasks', () => {
    expect(maskRandomSpans(pieces(20), { maskId: MASK, vocabSize: VOCAB }, createRng(1)).numPredictions).toBe(3);
    expect(maskRandomSpans(pieces(21), { maskId: MASK, vocabSize: VOCAB }, createRng(1)).numPredictions).toBe(4);
    expect(maskRandomSpans(pieces(94), { maskId: MASK, vocabSize: VOCAB }, createRng(1)).numPredictions).toBe(10);
  });

  test('spans start at word starts and are contiguous whole words', () => {
    const input = pieces(60, 2); // two-piece words
    for (let seed = 0; seed < 200; seed++) {
      const result = maskRandomSpans(input, { maskId: MASK, vocabSize: VOCAB }, createRng(seed));
      const indices = result.maskedIndices;
      expect(indices).toHaveLength(9);
      // Every run of selected pieces starts at a word start; only the very last word may be cut by the budget.
      for (let k = 0; k < indices.length; k++) {
        if (k === 0 || indices[k] !== indices[k - 1] + 1) expect(indices[k] % 2).toBe(0);
      }
    }
  });

  test('one replacement decision per run: a run is all [MASK], all kept or all random', () => {
    const input = pieces(60);
    let mixedRuns = 0;
    let runs = 0;
    for (let seed = 0; seed < 300; seed++) {
      const result = maskRandomSpans(input, { maskId: MASK, vocabSize: VOCAB }, createRng(seed));
      const indices = result.maskedIndices;
      for (let k = 0; k < indices.length; ) {
        let end = k + 1;
        while (end < indices.length && indices[end] === indices[end - 1] + 1) end++;
        const kinds = new Set(indices.slice(k, end).map((i) => (result.maskedIds[i] === MASK ? 'mask' : result.maskedIds[i] === input[i].id ? 'keep' : 'random')));
        if (kinds.size > 1) mixedRuns++;
        runs++;
        k = end;
      }
    }
    expect(runs).toBeGreaterThan(300);
    expect(mixedRuns).toBe(0);
  });

  test('deterministic for a seed, different across seeds; specials are never masked', () => {
    const input = [{ id: 101, token: '[CLS]' }, ...pieces(40), { id: 102, token: '[SEP]' }];
    const run = (seed: number): number[] => maskRandomSpans(input, { maskId: MASK, vocabSize: VOCAB, specialIds: [101, 102] }, createRng(seed)).maskedIndices;
    expect(run(12)).toEqual(run(12));
    expect(run(12)).not.toEqual(run(13));
    for (let seed = 0; seed < 200; seed++) {
      const indices = run(seed);
      expect(indices.includes(0) || indices.includes(41)).toBe(false);
    }
  });
});
