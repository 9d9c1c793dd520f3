// REALM salient-span masking. Ports language/realm/featurization.py: Featurizer.mask_query (mask
// every wordpiece lying entirely inside the span, 100 % [MASK]) and the span/sentence pairing and
// uniform span choice of language/realm/example_generator.py: text_features_to_query.
import { randomInt, type Rng } from '../rng.js';
import type { CharSpan, WordPiece } from '../types.js';
import { buildMaskedQuery, requireInteger, type MaskedQuery } from './masked-query.js';

/** Why a query was skipped; REALM counts these (STATS) instead of raising. */
export type SalientSkipReason = 'no_valid_spans' | 'span_covers_no_wordpiece' | 'masks_would_be_truncated';

/** A skipped query: a typed result, not an exception, because skipping is routine in pre-training. */
export interface MaskingSkip {
  ok: false;
  reason: SalientSkipReason | 'no_maskable_pieces';
  /** Human-readable detail (span offsets, index). */
  detail: string;
}

export interface SalientMaskOptions {
  /** Id of [MASK] in the caller's vocabulary. */
  maskId: number;
  /** MLM slots (REALM max_masks, 10). */
  maxMasks?: number;
  /** Query length with [CLS] and [SEP] (REALM query_seq_len, 96). */
  querySeqLen?: number;
}

export type SalientMaskResult = ({ ok: true } & MaskedQuery) | MaskingSkip;

/**
 * Masks every piece whose [start, end) lies entirely inside `span` (pieces and span share one
 * coordinate system, whatever the tokenizer). All in-span pieces become [MASK] in `maskedIds`, but
 * only the first `maxMasks` are predicted (REALM's truncation of mlm_positions).
 */
export function maskSalientSpan(
  pieces: readonly WordPiece[],
  span: CharSpan,
  opts: SalientMaskOptions,
): SalientMaskResult {
  const maxMasks = opts.maxMasks ?? 10;
  const querySeqLen = opts.querySeqLen ?? 96;
  requireInteger('maskSalientSpan', 'maskId', opts.maskId, 0);
  requireInteger('maskSalientSpan', 'maxMasks', maxMasks, 1);
  requireInteger('maskSalientSpan', 'querySeqLen', querySeqLen, 3);

  const maskedIndices: number[] = [];
  pieces.forEach((piece, index) => {
    // A piece that only partly overlaps the span is left alone, as in mask_query.
    if (piece.start >= span.start && piece.end <= span.end) maskedIndices.push(index);
  });
  if (maskedIndices.length === 0) {
    return { ok: false, reason: 'span_covers_no_wordpiece', detail: `span [${span.start}, ${span.end}) covers no wordpiece` };
  }
  // The whole span must survive truncation of the query to querySeqLen − 2 pieces, not just the
  // first maxMasks of it (REALM checks the last masked index).
  const lastIndex = maskedIndices[maskedIndices.length - 1];
  if (lastIndex >= querySeqLen - 2) {
    return {
      ok: false,
      reason: 'masks_would_be_truncated',
      detail: `last masked wordpiece index ${lastIndex} ≥ querySeqLen − 2 = ${querySeqLen - 2}`,
    };
  }
  const originalIds = pieces.map((piece) => piece.id);
  const maskedIds = [...originalIds];
  for (const index of maskedIndices) maskedIds[index] = opts.maskId;
  return { ok: true, ...buildMaskedQuery(originalIds, maskedIds, maskedIndices, maxMasks) };
}

/** A salient span with the sentence that contains it. */
export interface SpanInSentence {
  span: CharSpan;
  sentence: CharSpan;
}

/**
 * Pairs each span with the FIRST sentence containing it completely; spans crossing a sentence
 * boundary are dropped and identical (start, end) pairs collapse into the first occurrence (REALM's
 * dict keyed by offsets; insertion order kept so the uniform choice is reproducible).
 */
export function pairSpansWithSentences(
  sentences: readonly CharSpan[],
  spans: readonly CharSpan[],
): SpanInSentence[] {
  const seen = new Set<string>();
  const pairs: SpanInSentence[] = [];
  for (const span of spans) {
    const key = `${span.start}:${span.end}`;
    if (seen.has(key)) continue;
    const sentence = sentences.find((s) => span.start >= s.start && span.end <= s.end);
    if (sentence === undefined) continue;
    seen.add(key);
    pairs.push({ span, sentence });
  }
  return pairs;
}

/** Chooses one valid span uniformly with `rng` (one `randomInt` draw), or skips when none survive. */
export function chooseSalientSpan(
  sentences: readonly CharSpan[],
  spans: readonly CharSpan[],
  rng: Rng,
): ({ ok: true } & SpanInSentence) | MaskingSkip {
  const pairs = pairSpansWithSentences(sentences, spans);
  if (pairs.length === 0) {
    return { ok: false, reason: 'no_valid_spans', detail: `none of ${spans.length} spans lies inside one of ${sentences.length} sentences` };
  }
  return { ok: true, ...pairs[randomInt(rng, pairs.length)] };
}
