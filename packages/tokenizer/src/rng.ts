// Seeded pseudo-random numbers. Randomness in realm-ts is always an argument (an `Rng`), never
// Math.random(): the same seed gives the same masking, sampling and generated data.
// Generator: sfc32 (Small Fast Counter, 128-bit state, passes PractRand), seeded via splitmix32.

/** A source of uniform random numbers. Any object with `next()` in [0, 1) fits. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A seeded generator (sfc32). `createRng(seed)` twice gives identical sequences. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`createRng: seed must be a finite number, got ${seed}`);
  const init = splitmix32(Math.floor(seed) ^ Math.floor(seed / 2 ** 32));
  let a = init(), b = init(), c = init(), d = init();
  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextUint32(); // discard the warm-up outputs
  return { next: () => nextUint32() / 4294967296 };
}

/** Uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`randomInt: n must be a positive integer, got ${n}`);
  return Math.floor(rng.next() * n);
}

/** Fisher–Yates shuffle in place; returns the same array. */
export function shuffleInPlace<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Derives an independent child generator (e.g. one per worker or per shard) from a parent. */
export function forkRng(rng: Rng): Rng {
  return createRng(Math.floor(rng.next() * 2 ** 32) ^ Math.floor(rng.next() * 2 ** 21) * 2 ** 32);
}
