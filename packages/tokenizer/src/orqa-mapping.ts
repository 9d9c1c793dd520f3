// Wordpieces mapped to ORQA's "original tokens" (the text split on whitespace and punctuation, in its
// original spelling), and the way back from a wordpiece span to text. Ports
// language/orqa/utils/bert_utils.py: tokenize_with_original_mapping, and the answer-text step of
// language/orqa/models/orqa_model.py: get_predictions.
//
// Differences from ORQA, on purpose: wordpieces are BERT FullTokenizer's exactly (ORQA's tf_text
// graph turns control characters into spaces, case-folds with NFKC and limits words to 100 bytes),
// and an original token is the unit BERT's basic tokenizer sees, so a removed control character
// joins its neighbours instead of splitting them.
import type { FullTokenizer } from './full-tokenizer.js';
import type { WordPiece } from './types.js';

/** One original token: its text and [start, end) in the original string (UTF-16 units). */
export interface OriginalToken {
  text: string;
  start: number;
  end: number;
}

/** The result of `tokenizeWithOriginalMapping`. */
export interface OriginalMapping {
  /** The input text, which every offset refers to. */
  text: string;
  /** Original tokens in text order; some may yield no wordpiece (e.g. a lone combining accent). */
  originalTokens: OriginalToken[];
  /** The wordpieces; `originalTokenIndex` indexes `originalTokens`. */
  wordpieces: WordPiece[];
  /** Wordpiece ids (ORQA's block_token_ids). */
  tokenIds: Int32Array;
  /** Original-token index of each wordpiece (ORQA's block_token_map). */
  tokenMap: Int32Array;
}

/** Tokenizes `text` and records, for every wordpiece, which original token it came from. */
export function tokenizeWithOriginalMapping(tokenizer: FullTokenizer, text: string): OriginalMapping {
  const originalTokens: OriginalToken[] = [];
  const wordpieces: WordPiece[] = [];
  tokenizer.forEachWordPiece(
    text,
    (id, token, start, end, originalTokenIndex) => void wordpieces.push({ token, id, start, end, originalTokenIndex }),
    (start, end) => void originalTokens.push({ text: text.slice(start, end), start, end }),
  );
  return {
    text,
    originalTokens,
    wordpieces,
    tokenIds: Int32Array.from(wordpieces, (piece) => piece.id),
    tokenMap: Int32Array.from(wordpieces, (piece) => piece.originalTokenIndex),
  };
}

function checkSpan(mapping: OriginalMapping, first: number, last: number): void {
  const count = mapping.wordpieces.length;
  if (!Number.isInteger(first) || !Number.isInteger(last) || first < 0 || last >= count || first > last) {
    throw new Error(`orqa-mapping: wordpiece span [${first}, ${last}] (inclusive) is not within the ${count} wordpieces`);
  }
}

/**
 * The original text covered by wordpieces first..last (inclusive, as ORQA's spans are), widened to
 * whole original tokens: the substring from the first piece's original token start to the last
 * piece's original token end, with the original spacing, case and accents.
 */
export function originalTextOfWordpieceSpan(mapping: OriginalMapping, first: number, last: number): string {
  checkSpan(mapping, first, last);
  const startToken = mapping.originalTokens[mapping.wordpieces[first].originalTokenIndex];
  const endToken = mapping.originalTokens[mapping.wordpieces[last].originalTokenIndex];
  return mapping.text.slice(startToken.start, endToken.end);
}

/**
 * ORQA's predicted answer string: the original tokens from the first piece's to the last piece's,
 * joined by single spaces (so punctuation comes out space-separated, as in ORQA's predictions).
 */
export function orqaAnswerText(mapping: OriginalMapping, first: number, last: number): string {
  checkSpan(mapping, first, last);
  const from = mapping.wordpieces[first].originalTokenIndex;
  const to = mapping.wordpieces[last].originalTokenIndex;
  return mapping.originalTokens
    .slice(from, to + 1)
    .map((token) => token.text)
    .join(' ');
}
