// The "random uniform masks" ablation of REALM Table 2: BERT's masked-LM selection applied to a
// query sentence. Ports google-research/bert create_pretraining_data.py: create_masked_lm_predictions.
import { shuffleInPlace, type Rng } from '../rng.js';
import type { WordPiece } from '../types.js';
import { buildMaskedQuery, type MaskedQuery } from './masked-query.js';
import { drawReplacement, replacementId, resolveRandomMaskOptions, type RandomMaskBaseOptions } from './replacement.js';

export interface RandomTokenMaskOptions extends RandomMaskBaseOptions {
  /** Group '##' continuations with their word (BERT --do_whole_word_mask; off by default). */
  wholeWordMask?: boolean;
  /** Ids never selected (e.g. [CLS], [SEP], [PAD] if the caller passes a packed sequence). */
  specialIds?: readonly number[];
}

/** Python's round(): halves go to the even neighbour, so 4.5 → 4 as in BERT's int(round(...)). */
export function roundHalfToEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Selects round(maskProb × sequence length) pieces (at least 1, at most maxMasks) uniformly at
 * random and replaces each 80/10/10. The sequence length counts the [CLS] and [SEP] the query will
 * get, as BERT counts them in `len(tokens)`; only the first querySeqLen − 2 pieces (those that
 * survive truncation) are candidates. Positions are +1 for [CLS].
 */
export function maskRandomTokens(
  pieces: readonly Pick<WordPiece, 'id' | 'token'>[],
  opts: RandomTokenMaskOptions,
  rng: Rng,
): MaskedQuery {
  const { maskProb, maxMasks, querySeqLen, replacement: replacementOpts } = resolveRandomMaskOptions('maskRandomTokens', opts);

  const special = new Set(opts.specialIds ?? []);
  const visible = Math.min(pieces.length, querySeqLen - 2);
  const candidates: number[][] = [];
  for (let i = 0; i < visible; i++) {
    if (special.has(pieces[i].id)) continue;
    const previous = candidates[candidates.length - 1];
    if (opts.wholeWordMask === true && previous !== undefined && previous[previous.length - 1] === i - 1 && pieces[i].token.startsWith('##')) {
      previous.push(i);
    } else {
      candidates.push([i]);
    }
  }
  shuffleInPlace(rng, candidates);

  const numToPredict = Math.min(maxMasks, Math.max(1, roundHalfToEven((visible + 2) * maskProb)));
  const originalIds = pieces.map((piece) => piece.id);
  const maskedIds = [...originalIds];
  const selected: number[] = [];
  for (const word of candidates) {
    if (selected.length >= numToPredict) break;
    // A whole word that would overshoot the budget is skipped, not split (BERT).
    if (selected.length + word.length > numToPredict) continue;
    for (const index of word) {
      const replacement = drawReplacement(rng, replacementOpts);
      maskedIds[index] = replacementId(rng, replacement, originalIds[index], replacementOpts);
      selected.push(index);
    }
  }
  selected.sort((a, b) => a - b);
  return buildMaskedQuery(originalIds, maskedIds, selected, maxMasks);
}
