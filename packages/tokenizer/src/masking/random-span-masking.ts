// The "random span masks" ablation of REALM Table 2: SpanBERT span masking of a query sentence.
// Ports facebookresearch/SpanBERT pretraining/fairseq/data/masking.py: PairWithSpanMaskingScheme.mask
// and span_masking (span lengths in whole words ~ Geo(p) clipped to [min, max], span-level 80/10/10).
import { randomInt, type Rng } from '../rng.js';
import type { WordPiece } from '../types.js';
import { buildMaskedQuery, requireInteger, type MaskedQuery } from './masked-query.js';
import { drawReplacement, replacementId, resolveRandomMaskOptions, type RandomMaskBaseOptions } from './replacement.js';

export interface RandomSpanMaskOptions extends RandomMaskBaseOptions {
  /** Geometric parameter p (0.2). */
  spanGeometricP?: number;
  minSpanWords?: number;
  maxSpanWords?: number;
  /** Ids never masked; a span stops when it reaches one. */
  specialIds?: readonly number[];
}

/** P(length = k) ∝ p(1−p)^(k−min) for k in [min, max], renormalized (SpanBERT's len_distrib). */
export function spanLengthDistribution(p: number, minWords: number, maxWords: number): number[] {
  const weights: number[] = [];
  for (let k = minWords; k <= maxWords; k++) weights.push(p * (1 - p) ** (k - minWords));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** Expected span length in words under `spanLengthDistribution` (3.86 for p = 0.2, 1..10). */
export function expectedSpanLength(p: number, minWords: number, maxWords: number): number {
  return spanLengthDistribution(p, minWords, maxWords).reduce((sum, q, i) => sum + q * (minWords + i), 0);
}

/** Samples a span length in words by inverting the clipped geometric CDF with one Rng draw. */
export function sampleSpanLength(rng: Rng, p: number, minWords: number, maxWords: number): number {
  const distribution = spanLengthDistribution(p, minWords, maxWords);
  let u = rng.next();
  for (let i = 0; i < distribution.length; i++) {
    u -= distribution[i];
    if (u < 0) return minWords + i;
  }
  return maxWords; // floating-point slack at u ≈ 1
}

/**
 * Masks whole-word spans until ceil(maskProb × n) pieces are selected (n = maskable pieces among
 * the first querySeqLen − 2, the budget capped at maxMasks): draw a length ℓ, a uniform anchor
 * piece, back up to its word start and take ℓ words, stopping the moment the budget is spent.
 * Then each maximal run of selected pieces is replaced as a unit: 80 % [MASK], 10 % random ids,
 * 10 % kept.
 */
export function maskRandomSpans(
  pieces: readonly Pick<WordPiece, 'id' | 'token'>[],
  opts: RandomSpanMaskOptions,
  rng: Rng,
): MaskedQuery {
  const { maskProb, maxMasks, querySeqLen, replacement: replacementOpts } = resolveRandomMaskOptions('maskRandomSpans', opts);
  const p = opts.spanGeometricP ?? 0.2;
  const minWords = opts.minSpanWords ?? 1;
  const maxWords = opts.maxSpanWords ?? 10;
  requireInteger('maskRandomSpans', 'minSpanWords', minWords, 1);
  requireInteger('maskRandomSpans', 'maxSpanWords', maxWords, minWords);
  if (!(p > 0 && p <= 1)) throw new Error(`maskRandomSpans: spanGeometricP must be in (0, 1], got ${p}`);

  const special = new Set(opts.specialIds ?? []);
  const visible = Math.min(pieces.length, querySeqLen - 2);
  const maskable = (i: number): boolean => i < visible && !special.has(pieces[i].id);
  const isWordStart = (i: number): boolean => !pieces[i].token.startsWith('##');
  const wordEnd = (i: number): number => {
    let end = i + 1;
    while (end < visible && !isWordStart(end)) end++;
    return end;
  };
  let numMaskable = 0;
  for (let i = 0; i < visible; i++) if (maskable(i)) numMaskable++;
  // The epsilon keeps 20 × 0.15 = 3.0000000000000004 from rounding up to 4.
  const budget = Math.min(maxMasks, numMaskable, Math.max(1, Math.ceil(numMaskable * maskProb - 1e-9)));

  const selected = new Set<number>();
  while (selected.size < budget) {
    const spanWords = sampleSpanLength(rng, p, minWords, maxWords);
    const anchor = randomInt(rng, visible);
    if (selected.has(anchor) || !maskable(anchor)) continue;
    let start = anchor;
    while (start > 0 && !isWordStart(start) && maskable(start - 1)) start--;
    let words = 0;
    for (let i = start; i < visible && words < spanWords && selected.size < budget; i = wordEnd(i)) {
      if (!maskable(i)) break;
      for (let j = i; j < wordEnd(i) && selected.size < budget; j++) if (maskable(j)) selected.add(j);
      words++;
    }
  }

  const originalIds = pieces.map((piece) => piece.id);
  const maskedIds = [...originalIds];
  const indices = [...selected].sort((a, b) => a - b);
  for (let k = 0; k < indices.length; ) {
    // One replacement decision per maximal run of consecutive selected pieces (SpanBERT merges
    // adjacent spans before replacing).
    let runEnd = k + 1;
    while (runEnd < indices.length && indices[runEnd] === indices[runEnd - 1] + 1) runEnd++;
    const replacement = drawReplacement(rng, replacementOpts);
    for (let r = k; r < runEnd; r++) {
      maskedIds[indices[r]] = replacementId(rng, replacement, originalIds[indices[r]], replacementOpts);
    }
    k = runEnd;
  }
  return buildMaskedQuery(originalIds, maskedIds, indices, maxMasks);
}
