// BERT's 80/10/10 replacement rule, shared by the random-token and random-span ablations.
// Ports the replacement branch of google-research/bert create_pretraining_data.py:
// create_masked_lm_predictions (two draws: < 0.8 → [MASK]; else < 0.5 → keep; else random id).
import { randomInt, type Rng } from '../rng.js';
import { requireInteger, requireProbability } from './masked-query.js';

export interface ReplacementOptions {
  maskId: number;
  /** Vocabulary size; random replacements are uniform over [0, vocabSize), like BERT's vocab_words. */
  vocabSize: number;
  /** Probability of [MASK] (0.8). */
  replaceWithMaskProb: number;
  /** Probability of keeping the original id (0.1); the remainder gets a random id. */
  keepOriginalProb: number;
}

/** What happens to one selected piece (or one whole span for SpanBERT). */
export type Replacement = { kind: 'mask' } | { kind: 'keep' } | { kind: 'random' };

/**
 * Draws the replacement kind. With the defaults this consumes the Rng exactly like BERT: one draw,
 * and a second one (against 0.5) only when the first is ≥ 0.8.
 */
export function drawReplacement(rng: Rng, opts: ReplacementOptions): Replacement {
  if (rng.next() < opts.replaceWithMaskProb) return { kind: 'mask' };
  const rest = 1 - opts.replaceWithMaskProb;
  const keepGivenNotMask = rest > 0 ? opts.keepOriginalProb / rest : 1;
  return rng.next() < keepGivenNotMask ? { kind: 'keep' } : { kind: 'random' };
}

/** The id a piece gets under `replacement` (a random id draws from the Rng). */
export function replacementId(rng: Rng, replacement: Replacement, originalId: number, opts: ReplacementOptions): number {
  switch (replacement.kind) {
    case 'mask':
      return opts.maskId;
    case 'keep':
      return originalId;
    case 'random':
      return randomInt(rng, opts.vocabSize);
  }
}

/** Options the two random ablations (BERT token masking, SpanBERT span masking) share. */
export interface RandomMaskBaseOptions {
  maskId: number;
  /** Vocabulary size: random replacements are uniform over [0, vocabSize). */
  vocabSize: number;
  /** Fraction of the sequence to predict (0.15). */
  maskProb?: number;
  maxMasks?: number;
  querySeqLen?: number;
  replaceWithMaskProb?: number;
  keepOriginalProb?: number;
}

/** The shared options with their defaults applied and validated; `fn` names the caller in errors. */
export function resolveRandomMaskOptions(
  fn: string,
  opts: RandomMaskBaseOptions,
): { maskProb: number; maxMasks: number; querySeqLen: number; replacement: ReplacementOptions } {
  const maskProb = opts.maskProb ?? 0.15;
  const maxMasks = opts.maxMasks ?? 10;
  const querySeqLen = opts.querySeqLen ?? 96;
  requireInteger(fn, 'maskId', opts.maskId, 0);
  requireInteger(fn, 'vocabSize', opts.vocabSize, 1);
  requireInteger(fn, 'maxMasks', maxMasks, 1);
  requireInteger(fn, 'querySeqLen', querySeqLen, 3);
  requireProbability(fn, 'maskProb', maskProb);
  const replacement = {
    maskId: opts.maskId,
    vocabSize: opts.vocabSize,
    replaceWithMaskProb: opts.replaceWithMaskProb ?? 0.8,
    keepOriginalProb: opts.keepOriginalProb ?? 0.1,
  };
  return { maskProb, maxMasks, querySeqLen, replacement };
}
