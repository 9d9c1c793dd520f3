// The masked-query shape shared by every masking strategy, and the fixed-length MLM features REALM
// feeds the reader. Ports language/realm/featurization.py: Featurizer.featurize_query_and_docs'
// mlm_positions/mlm_targets/mlm_mask (positions shifted by one for [CLS], padded with 0).

/** A sentence's wordpieces after masking, with the MLM targets padded to `maxMasks`. */
export interface MaskedQuery {
  /** The sentence's wordpiece ids after masking (no [CLS]/[SEP], not truncated or padded). */
  maskedIds: number[];
  /** Index of each predicted piece in the sentence + 1 (for [CLS]); 0-padded to maxMasks. */
  mlmPositions: number[];
  /** Original id of each predicted piece; 0-padded to maxMasks. */
  mlmTargets: number[];
  /** 1 for a real prediction, 0 for padding (REALM's `mlm_mask`, BERT's `masked_lm_weights`). */
  mlmWeights: number[];
  /** Number of real predictions (≤ maxMasks). */
  numPredictions: number;
  /** Every sentence index whose id was selected for masking (may exceed maxMasks for salient spans). */
  maskedIndices: number[];
}

/** Builds the padded MLM features from sorted sentence indices; keeps the first `maxMasks`. */
export function buildMaskedQuery(
  originalIds: readonly number[],
  maskedIds: number[],
  maskedIndices: readonly number[],
  maxMasks: number,
): MaskedQuery {
  const kept = maskedIndices.slice(0, maxMasks);
  const pad = maxMasks - kept.length;
  return {
    maskedIds,
    // +1 because the query is laid out as [CLS] sentence [SEP].
    mlmPositions: [...kept.map((i) => i + 1), ...new Array<number>(pad).fill(0)],
    mlmTargets: [...kept.map((i) => originalIds[i]), ...new Array<number>(pad).fill(0)],
    mlmWeights: [...kept.map(() => 1), ...new Array<number>(pad).fill(0)],
    numPredictions: kept.length,
    maskedIndices: [...maskedIndices],
  };
}

/** Throws a clear error unless `value` is an integer in [min, ∞). */
export function requireInteger(fn: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${fn}: ${name} must be an integer ≥ ${min}, got ${value}`);
  }
}

/** Throws a clear error unless `value` is a probability in [0, 1]. */
export function requireProbability(fn: string, name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new Error(`${fn}: ${name} must be in [0, 1], got ${value}`);
}
