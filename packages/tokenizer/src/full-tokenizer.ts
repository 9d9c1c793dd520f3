// End-to-end BERT tokenization (basic tokenizer then WordPiece) with offsets into the original text.
// Ports google-research/bert tokenization.py: FullTokenizer (tokenize, convert_tokens_to_ids,
// convert_ids_to_tokens). I/O-free: construct it from vocab text or a Vocab.
import { z } from 'zod';
import { BasicTokenizer, scanBasicTokens } from './basic.js';
import type { WordPiece } from './types.js';
import { Vocab } from './vocab.js';
import { WordpieceTokenizer } from './wordpiece.js';

export const TokenizerConfigSchema = z
  .strictObject({
    doLowerCase: z.boolean().default(true).describe('Lower-case, NFD-decompose and strip accents (Mn) before WordPiece: true for uncased BERT vocabularies (REALM/ORQA use uncased).'),
    maxInputCharsPerWord: z
      .number()
      .int()
      .positive()
      .default(200)
      .describe("Words with more code points than this become [UNK]. 200 is google-research/bert's WordpieceTokenizer default since Nov 2018 (the first release and Hugging Face use 100)."),
    unkToken: z.string().min(1).default('[UNK]').describe('Vocabulary token emitted for words WordPiece cannot split.'),
  })
  .readonly();
export type TokenizerConfig = z.infer<typeof TokenizerConfigSchema>;

/** Wordpieces of one text as parallel arrays (the allocation-light form of WordPiece[]). */
export interface Encoding {
  ids: Int32Array;
  tokens: string[];
  /** Start of each piece in the original string (UTF-16 units). */
  starts: Int32Array;
  /** End (exclusive) of each piece in the original string. */
  ends: Int32Array;
  /** Index of the original token (ORQA's whitespace/punctuation unit) each piece came from. */
  originalTokenIndex: Int32Array;
}

/** Receives each wordpiece in order. */
export type WordPieceVisitor = (id: number, token: string, start: number, end: number, originalTokenIndex: number) => void;

/**
 * Growable Int32Array scratch space, reused across calls so encoding allocates only its results
 * (typed-array allocation costs more than the tokenization of a short line).
 */
class IntScratch {
  data = new Int32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
  /** A copy of the filled part; the scratch is emptied for the next call. */
  take(): Int32Array {
    const out = this.data.slice(0, this.length);
    this.length = 0;
    return out;
  }
}

/** BERT's FullTokenizer. */
export class FullTokenizer {
  readonly vocab: Vocab;
  readonly config: TokenizerConfig;
  readonly basic: BasicTokenizer;
  readonly wordpiece: WordpieceTokenizer;
  private readonly scratch = [new IntScratch(), new IntScratch(), new IntScratch(), new IntScratch()] as const;

  constructor(vocab: Vocab, config: Partial<TokenizerConfig> = {}) {
    this.vocab = vocab;
    this.config = TokenizerConfigSchema.parse(config);
    this.basic = new BasicTokenizer(this.config.doLowerCase);
    this.wordpiece = new WordpieceTokenizer(vocab, { unkToken: this.config.unkToken, maxInputCharsPerWord: this.config.maxInputCharsPerWord });
  }

  /** Builds a tokenizer from the text of a vocab.txt file (`source` names it in errors). */
  static fromVocabText(vocabText: string, config: Partial<TokenizerConfig> = {}, source = 'inline'): FullTokenizer {
    return new FullTokenizer(Vocab.fromText(vocabText, source), config);
  }

  /**
   * Visits every wordpiece of `text` with its original-string offsets; `onOriginalToken`, if
   * given, sees every original token (including ones that yield no wordpiece) in order.
   */
  forEachWordPiece(text: string, visit: WordPieceVisitor, onOriginalToken?: (start: number, end: number) => void): void {
    const wordpiece = this.wordpiece;
    scanBasicTokens(text, this.config.doLowerCase, {
      originalToken: onOriginalToken,
      basicToken(word, start, end, originalTokenIndex, unitStarts, unitEnds) {
        const split = wordpiece.splitWord(word);
        if (split.unknown) {
          visit(split.ids[0], split.tokens[0], start, end, originalTokenIndex);
          return;
        }
        let pieceStart = 0;
        for (let p = 0; p < split.ids.length; p++) {
          const pieceEnd = split.pieceEnds[p];
          if (unitStarts === null || unitEnds === null) {
            visit(split.ids[p], split.tokens[p], start + pieceStart, start + pieceEnd, originalTokenIndex);
          } else {
            visit(split.ids[p], split.tokens[p], unitStarts[pieceStart], unitEnds[pieceEnd - 1], originalTokenIndex);
          }
          pieceStart = pieceEnd;
        }
      },
    });
  }

  /** The wordpiece strings, exactly as BERT's `FullTokenizer.tokenize`. */
  tokenize(text: string): string[] {
    const out: string[] = [];
    const wordpiece = this.wordpiece;
    scanBasicTokens(text, this.config.doLowerCase, {
      basicToken(word) {
        const tokens = wordpiece.splitWord(word).tokens;
        for (let p = 0; p < tokens.length; p++) out.push(tokens[p]);
      },
    });
    return out;
  }

  /** The wordpiece ids of `text` (tokenize + convert_tokens_to_ids). */
  encodeIds(text: string): Int32Array {
    const ids = this.scratch[0];
    ids.length = 0;
    const wordpiece = this.wordpiece;
    scanBasicTokens(text, this.config.doLowerCase, {
      basicToken(word) {
        const split = wordpiece.splitWord(word).ids;
        for (let p = 0; p < split.length; p++) ids.push(split[p]);
      },
    });
    return ids.take();
  }

  /** Ids, tokens, original offsets and original-token indices as parallel arrays. */
  encode(text: string): Encoding {
    const [ids, starts, ends, originals] = this.scratch;
    ids.length = starts.length = ends.length = originals.length = 0;
    const tokens: string[] = [];
    this.forEachWordPiece(text, (id, token, start, end, originalTokenIndex) => {
      ids.push(id);
      tokens.push(token);
      starts.push(start);
      ends.push(end);
      originals.push(originalTokenIndex);
    });
    return { ids: ids.take(), tokens, starts: starts.take(), ends: ends.take(), originalTokenIndex: originals.take() };
  }

  /** One WordPiece object per piece (offsets into the original `text`). */
  tokenizeWithOffsets(text: string): WordPiece[] {
    const out: WordPiece[] = [];
    this.forEachWordPiece(text, (id, token, start, end, originalTokenIndex) => void out.push({ token, id, start, end, originalTokenIndex }));
    return out;
  }

  /** BERT `convert_tokens_to_ids`. */
  convertTokensToIds(tokens: readonly string[]): number[] {
    return this.vocab.convertTokensToIds(tokens);
  }

  /** BERT `convert_ids_to_tokens`. */
  convertIdsToTokens(ids: ArrayLike<number>): string[] {
    return this.vocab.convertIdsToTokens(ids);
  }
}
