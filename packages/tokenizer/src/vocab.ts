// WordPiece vocabulary: token ↔ id, built from vocab.txt text or a token array (no file I/O here).
// Ports google-research/bert tokenization.py: load_vocab, convert_tokens_to_ids, convert_ids_to_tokens.

/** Python's `str.strip()` whitespace (the characters `str.isspace()` accepts). */
const PYTHON_STRIP_RE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** The special tokens BERT, REALM and ORQA use, with their ids in one vocabulary. */
export interface SpecialTokenIds {
  cls: number;
  sep: number;
  mask: number;
  unk: number;
  pad: number;
}

/** Vocabulary strings of the special tokens (BERT's uncased/cased vocab spelling). */
export const SPECIAL_TOKENS = Object.freeze({
  cls: '[CLS]',
  sep: '[SEP]',
  mask: '[MASK]',
  unk: '[UNK]',
  pad: '[PAD]',
} as const);

/** An immutable token ↔ id table. The id of a token is its line number (0-based) in vocab.txt. */
export class Vocab {
  /** Token of each id (index = id). */
  readonly tokens: readonly string[];
  /** Where the vocabulary came from (a file path or 'inline'); named in error messages. */
  readonly source: string;
  private readonly ids: Map<string, number>;
  /** Longest token length in UTF-16 units: a WordPiece candidate longer than this cannot match. */
  readonly maxTokenLength: number;
  /** Longest '##' continuation length, not counting the '##'. */
  readonly maxContinuationLength: number;

  constructor(tokens: readonly string[], source = 'inline') {
    this.tokens = Object.freeze([...tokens]);
    this.source = source;
    this.ids = new Map();
    let maxTokenLength = 0;
    let maxContinuationLength = 0;
    tokens.forEach((token, id) => {
      // A repeated token keeps the later id, as Python's dict assignment in load_vocab does.
      this.ids.set(token, id);
      maxTokenLength = Math.max(maxTokenLength, token.length);
      if (token.startsWith('##')) maxContinuationLength = Math.max(maxContinuationLength, token.length - 2);
    });
    this.maxTokenLength = maxTokenLength;
    this.maxContinuationLength = maxContinuationLength;
  }

  /**
   * Parses vocab.txt text: one token per line, each stripped of surrounding whitespace (Python's
   * `strip()`, so CRLF files work); a final newline does not start another token.
   */
  static fromText(text: string, source = 'inline'): Vocab {
    const lines = text.split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    if (lines.length === 0) throw new Error(`vocab ${source}: the vocabulary is empty`);
    return new Vocab(lines.map((line) => line.replace(PYTHON_STRIP_RE, '')), source);
  }

  /** Number of ids (lines). */
  get size(): number {
    return this.tokens.length;
  }

  /** The id of a token, or undefined when it is not in the vocabulary. */
  get(token: string): number | undefined {
    return this.ids.get(token);
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** The id of a token that must exist; the error names the vocabulary and the token. */
  requireId(token: string, purpose = 'tokenization'): number {
    const id = this.ids.get(token);
    if (id === undefined) {
      throw new Error(`vocab ${this.source}: token ${JSON.stringify(token)} (needed for ${purpose}) is not in the vocabulary of ${this.size} tokens`);
    }
    return id;
  }

  /** BERT `convert_tokens_to_ids`; throws on an unknown token (Python raises KeyError). */
  convertTokensToIds(tokens: readonly string[]): number[] {
    return tokens.map((token) => this.requireId(token, 'convert_tokens_to_ids'));
  }

  /** BERT `convert_ids_to_tokens`; throws on an id outside the vocabulary. */
  convertIdsToTokens(ids: ArrayLike<number>): string[] {
    const out: string[] = new Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const token = this.tokens[ids[i]];
      if (token === undefined) throw new Error(`vocab ${this.source}: id ${ids[i]} is outside the vocabulary (size ${this.size})`);
      out[i] = token;
    }
    return out;
  }

  /** The ids of [CLS], [SEP], [MASK], [UNK] and [PAD]; a clear error if any is missing. */
  specialTokenIds(): SpecialTokenIds {
    return {
      cls: this.requireId(SPECIAL_TOKENS.cls, 'special token [CLS]'),
      sep: this.requireId(SPECIAL_TOKENS.sep, 'special token [SEP]'),
      mask: this.requireId(SPECIAL_TOKENS.mask, 'special token [MASK]'),
      unk: this.requireId(SPECIAL_TOKENS.unk, 'special token [UNK]'),
      pad: this.requireId(SPECIAL_TOKENS.pad, 'special token [PAD]'),
    };
  }
}
