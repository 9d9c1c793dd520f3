// Per-step randomness for training: the dropout masks of step n depend only on (seed, n), so a
// trainer restored from a checkpoint at step n draws exactly the masks an uninterrupted run draws.
// (The reference relies on TF's stateless per-op seeds plus the global step for the same effect.)
import { nextOpSeed, type RandomSource } from '@realm/bert';

/** Avalanche mix of a 32-bit value (the finalizer of MurmurHash3 / splitmix32). */
function mix32(value: number): number {
  let z = value >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A generator determined by (`seed`, `step`): splitmix32 over a state derived from both. Different
 * steps give unrelated streams; the same pair always gives the same stream.
 */
export function stepRandomSource(seed: number, step: number): RandomSource {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0x7fffffff) throw new Error(`stepRandomSource: seed must be an int in [0, 2^31), got ${seed}`);
  if (!Number.isInteger(step) || step < 0) throw new Error(`stepRandomSource: step must be a non-negative integer, got ${step}`);
  let state = mix32(mix32(seed ^ 0x5bd1e995) ^ mix32(step + 0x9e3779b9) ^ Math.floor(step / 2 ** 32));
  return {
    next(): number {
      state = (state + 0x9e3779b9) >>> 0;
      return mix32(state) / 2 ** 32;
    },
  };
}

/** A 31-bit seed drawn from `rng` (for a trainer's dropout stream). */
export function drawSeed(rng: RandomSource): number {
  return nextOpSeed(rng);
}
