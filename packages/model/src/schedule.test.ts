import { describe, expect, test } from 'vitest';
import { createLinearWarmupDecay, linearWarmupDecay, realmWarmupSteps } from './schedule.js';

describe('realmWarmupSteps: min(10000, max(100, int(T / 10)))', () => {
  test.each([
    [200_000, 10_000], // the paper's run
    [1000, 100], // the launcher's run
    [5000, 500],
    [999, 100], // int(99.9) = 99 → floor of 100
    [1009, 100],
    [1019, 101],
    [1_000_000, 10_000],
  ])('T = %i → %i', (numTrainSteps, warmup) => {
    expect(realmWarmupSteps(numTrainSteps)).toBe(warmup);
  });

  test('rejects a non-positive step count', () => {
    expect(() => realmWarmupSteps(0)).toThrow('realmWarmupSteps: numTrainSteps must be a positive integer, got 0');
  });
});

describe('linearWarmupDecay (create_optimizer)', () => {
  const options = { learningRate: 1e-3, numTrainSteps: 1000, numWarmupSteps: 100 };

  test('warms up as lr·step/warmup, starting at exactly 0', () => {
    expect(linearWarmupDecay(0, options)).toBe(0);
    expect(linearWarmupDecay(1, options)).toBeCloseTo(1e-5, 15);
    expect(linearWarmupDecay(50, options)).toBeCloseTo(5e-4, 15);
    expect(linearWarmupDecay(99, options)).toBeCloseTo(9.9e-4, 15);
  });

  test('then follows the decay line lr·(1 − step/T) from the warmup step, not from the peak', () => {
    // At step 100 the decayed rate is already 0.9·lr: BERT blends, it does not restart decay after warmup.
    expect(linearWarmupDecay(100, options)).toBeCloseTo(9e-4, 15);
    expect(linearWarmupDecay(500, options)).toBeCloseTo(5e-4, 15);
    expect(linearWarmupDecay(999, options)).toBeCloseTo(1e-6, 15);
    expect(linearWarmupDecay(1000, options)).toBe(0);
    expect(linearWarmupDecay(5000, options)).toBe(0);
  });

  test('without warmup the first step uses the full rate', () => {
    const schedule = createLinearWarmupDecay({ ...options, numWarmupSteps: 0 });
    expect(schedule(0)).toBe(1e-3);
    expect(schedule(250)).toBeCloseTo(7.5e-4, 15);
  });

  test('rejects bad options with the field named', () => {
    expect(() => createLinearWarmupDecay({ ...options, numWarmupSteps: -1 })).toThrow('linearWarmupDecay: numWarmupSteps must be a non-negative integer, got -1');
    expect(() => linearWarmupDecay(1.5, options)).toThrow('linearWarmupDecay: step must be a non-negative integer, got 1.5');
  });
});
