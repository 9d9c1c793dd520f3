// Greedy longest-match-first WordPiece with '##' continuations and a per-word cache.
// Ports google-research/bert tokenization.py: WordpieceTokenizer.tokenize.
import type { Vocab } from './vocab.js';

/** How one word splits: piece ids, piece strings and where each piece ends in the word. */
export interface WordSplit {
  ids: readonly number[];
  tokens: readonly string[];
  /** End of each piece in the word, in UTF-16 units (a piece starts where the previous ended). */
  pieceEnds: readonly number[];
  /** True when the whole word became the unknown token. */
  unknown: boolean;
}

export interface WordpieceOptions {
  /** The unknown token; must be in the vocabulary. */
  unkToken?: string;
  /** Words with more code points than this become the unknown token (BERT: 200). */
  maxInputCharsPerWord?: number;
  /** Words remembered by the cache before it is cleared (memory bound). */
  cacheSize?: number;
}

/** Python's `str.split()` whitespace, used by `whitespace_tokenize`. */
const PYTHON_SPLIT_RE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

function codePointCount(word: string): number {
  let count = word.length;
  for (let i = 0; i < word.length - 1; i++) {
    const c = word.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = word.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/** BERT's WordpieceTokenizer over a vocabulary. */
export class WordpieceTokenizer {
  readonly vocab: Vocab;
  readonly unkToken: string;
  readonly unkId: number;
  readonly maxInputCharsPerWord: number;
  private readonly cache = new Map<string, WordSplit>();
  private readonly cacheSize: number;
  private readonly unknownSplits = new Map<number, WordSplit>();

  constructor(vocab: Vocab, options: WordpieceOptions = {}) {
    this.vocab = vocab;
    this.unkToken = options.unkToken ?? '[UNK]';
    this.unkId = vocab.requireId(this.unkToken, 'the unknown token of WordPiece');
    this.maxInputCharsPerWord = options.maxInputCharsPerWord ?? 200;
    this.cacheSize = options.cacheSize ?? 100_000;
  }

  /** BERT's `WordpieceTokenizer.tokenize`: whitespace-split `text`, then split each word. */
  tokenize(text: string): string[] {
    const out: string[] = [];
    for (const word of text.split(PYTHON_SPLIT_RE)) {
      if (word.length > 0) out.push(...this.splitWord(word).tokens);
    }
    return out;
  }

  /** Splits one word (no whitespace) into pieces; results are cached per word. */
  splitWord(word: string): WordSplit {
    let split = this.cache.get(word);
    if (split === undefined) {
      split = this.computeSplit(word);
      if (this.cache.size >= this.cacheSize) this.cache.clear();
      this.cache.set(word, split);
    }
    return split;
  }

  private unknown(wordLength: number): WordSplit {
    let split = this.unknownSplits.get(wordLength);
    if (split === undefined) {
      split = Object.freeze({ ids: [this.unkId], tokens: [this.unkToken], pieceEnds: [wordLength], unknown: true });
      this.unknownSplits.set(wordLength, split);
    }
    return split;
  }

  private computeSplit(word: string): WordSplit {
    // Python counts code points (`list(token)`), so a surrogate pair is one character.
    if (word.length > this.maxInputCharsPerWord && codePointCount(word) > this.maxInputCharsPerWord) {
      return this.unknown(word.length);
    }
    const ids: number[] = [];
    const tokens: string[] = [];
    const pieceEnds: number[] = [];
    const n = word.length;
    let start = 0;
    while (start < n) {
      // No vocabulary entry is longer than maxLength, so longer candidates are skipped unseen.
      // Candidates ending inside a surrogate pair are tried too but never match (vocab text is
      // well-formed), so stepping by UTF-16 units matches Python's step by code points.
      const maxLength = start === 0 ? this.vocab.maxTokenLength : this.vocab.maxContinuationLength;
      let end = Math.min(n, start + maxLength);
      let found: number | undefined;
      let piece = '';
      while (end > start) {
        piece = start === 0 ? word.slice(0, end) : '##' + word.slice(start, end);
        found = this.vocab.get(piece);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) return this.unknown(n);
      ids.push(found);
      tokens.push(piece);
      pieceEnds.push(end);
      start = end;
    }
    return Object.freeze({ ids, tokens, pieceEnds, unknown: false });
  }
}
