// Record-level REALM query construction: pick the span (or, for the ablations, a sentence), tokenize
// that sentence alone with the caller's tokenizer and mask it. Ports
// language/realm/example_generator.py: text_features_to_query (+ Featurizer.mask_query).
import { randomInt, type Rng } from '../rng.js';
import type { CharSpan, WordPiece } from '../types.js';
import type { MaskingConfig } from './config.js';
import type { MaskedQuery } from './masked-query.js';
import { maskRandomSpans } from './random-span-masking.js';
import { maskRandomTokens } from './random-token-masking.js';
import type { SalientRecord } from './realm-record-offsets.js';
import { chooseSalientSpan, maskSalientSpan, type MaskingSkip } from './salient-span-masking.js';

/** Tokenizes one sentence; piece offsets are relative to `sentenceText`. */
export type TokenizeSentence = (sentenceText: string) => WordPiece[];

/** Vocabulary ids the masking needs; the caller looks them up in its vocab. */
export interface MaskingVocab {
  maskId: number;
  /** Size of the vocabulary (random replacements are uniform over [0, vocabSize)). */
  vocabSize: number;
  /** Ids the random strategies must never select. */
  specialIds?: readonly number[];
}

/** One masked query sentence, ready for featurization as [CLS] maskedIds [SEP]. */
export interface RealmQuery extends MaskedQuery {
  /** The query sentence's text (the whole query: no title, no rest of the block). */
  text: string;
  /** The sentence, in record char offsets. */
  sentence: CharSpan;
  /** The masked salient span in record char offsets (null for the random ablations). */
  span: CharSpan | null;
  /** The sentence's wordpieces (offsets relative to `text`). */
  pieces: WordPiece[];
}

export type RealmQueryResult = ({ ok: true } & RealmQuery) | MaskingSkip | { ok: false; reason: 'no_sentences'; detail: string };

/** REALM salient-span query: one uniform span choice, its sentence tokenized and the span masked. */
export function createSalientSpanQuery(
  record: SalientRecord,
  tokenize: TokenizeSentence,
  opts: { maskId: number; maxMasks?: number; querySeqLen?: number },
  rng: Rng,
): RealmQueryResult {
  const chosen = chooseSalientSpan(record.sentences, record.spans, rng);
  if (!chosen.ok) return chosen;
  const { span, sentence } = chosen;
  const text = record.text.slice(sentence.start, sentence.end);
  const pieces = tokenize(text);
  const spanInSentence: CharSpan = { start: span.start - sentence.start, end: span.end - sentence.start };
  const masked = maskSalientSpan(pieces, spanInSentence, opts);
  if (!masked.ok) return masked;
  const { ok: _ok, ...features } = masked;
  return { ok: true, ...features, text, sentence, span, pieces };
}

/**
 * Builds one query with the configured strategy. 'salient' follows REALM; the random ablations
 * take a uniformly chosen non-empty sentence (the paper does not say how; salient spans are not
 * needed) and mask it BERT- or SpanBERT-style.
 */
export function createRealmQuery(
  record: SalientRecord,
  config: MaskingConfig,
  tokenize: TokenizeSentence,
  vocab: MaskingVocab,
  rng: Rng,
): RealmQueryResult {
  if (config.strategy === 'salient') {
    return createSalientSpanQuery(record, tokenize, { maskId: vocab.maskId, maxMasks: config.maxMasks, querySeqLen: config.querySeqLen }, rng);
  }
  const sentences = record.sentences.filter((s) => s.end > s.start);
  if (sentences.length === 0) return { ok: false, reason: 'no_sentences', detail: 'the record has no non-empty sentence' };
  const sentence = sentences[randomInt(rng, sentences.length)];
  const text = record.text.slice(sentence.start, sentence.end);
  const pieces = tokenize(text);
  const opts = { ...config, ...vocab };
  const masked = config.strategy === 'random_token' ? maskRandomTokens(pieces, opts, rng) : maskRandomSpans(pieces, opts, rng);
  if (masked.numPredictions === 0) {
    return { ok: false, reason: 'no_maskable_pieces', detail: `sentence [${sentence.start}, ${sentence.end}) has no maskable wordpiece` };
  }
  return { ok: true, ...masked, text, sentence, span: null, pieces };
}
