import { describe, expect, test } from 'vitest';
import { createRng, randomInt, shuffleInPlace } from './rng.js';

describe('createRng', () => {
  test('same seed gives the same sequence; different seeds differ', () => {
    const a = createRng(42), b = createRng(42), c = createRng(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    const seqB = Array.from({ length: 5 }, () => b.next());
    const seqC = Array.from({ length: 5 }, () => c.next());
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  test('uniform in [0,1): mean and bucket counts of 100k draws', () => {
    const rng = createRng(7);
    const buckets = new Array(10).fill(0);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
      buckets[Math.floor(x * 10)]++;
    }
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  test('randomInt rejects a bad range; shuffle is a permutation', () => {
    const rng = createRng(1);
    expect(() => randomInt(rng, 0)).toThrow(/positive integer/);
    const shuffled = shuffleInPlace(rng, [0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...shuffled].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
