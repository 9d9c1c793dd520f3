// Seeded randomness for initialization and dropout. @realm/bert may not import @realm/tokenizer, so
// it declares the structural interface its `Rng` satisfies (`createRng(seed)` from the tokenizer fits).

/** A source of uniform random numbers in [0, 1), e.g. `createRng(seed)` from @realm/tokenizer. */
export interface RandomSource {
  next(): number;
}

/**
 * A fresh 31-bit integer seed for one tfjs random op (tf.truncatedNormal, tf.dropout), drawn from
 * `rng`: the same generator state always yields the same sequence of op seeds, hence the same
 * tensors, on every backend that implements the op through tfjs-core's seeded generator.
 */
export function nextOpSeed(rng: RandomSource): number {
  return Math.floor(rng.next() * 2147483647);
}
