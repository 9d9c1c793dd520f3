// Loads Hugging Face's Rust tokenizers through the napi-rs binding @anush008/tokenizers, pinned to one
// core, and builds the BERT-uncased WordPiece pipeline (BertNormalizer → BertPreTokenizer → WordPiece)
// that google-research/bert's tokenization.FullTokenizer(do_lower_case=True) corresponds to.
import { createRequire } from 'node:module';

/** The part of @anush008/tokenizers' API this bench uses (its index.d.ts references undeclared types). */
interface NativeEncoding {
  getIds(): number[];
  getTokens(): string[];
}
interface NativeEncodeOptions {
  addSpecialTokens?: boolean;
}
interface NativeModel {
  readonly __nativeModel?: never;
}
interface NativeNormalizer {
  normalizeString(text: string): string;
}
interface NativePreTokenizer {
  preTokenizeString(text: string): [string, [number, number]][];
}
export interface NativeTokenizer {
  setNormalizer(normalizer: NativeNormalizer): void;
  setPreTokenizer(preTokenizer: NativePreTokenizer): void;
  encode(sentence: string, pair: string | null, options?: NativeEncodeOptions): Promise<NativeEncoding>;
  encodeBatch(sentences: string[], options?: NativeEncodeOptions): Promise<NativeEncoding[]>;
  getVocabSize(withAddedTokens?: boolean): number;
}
interface NativeBinding {
  Tokenizer: new (model: NativeModel) => NativeTokenizer;
  WordPiece: { init(vocab: Record<string, number>, options?: { unkToken?: string; continuingSubwordPrefix?: string; maxInputCharsPerWord?: number }): NativeModel };
  bertNormalizer(options?: { cleanText?: boolean; handleChineseChars?: boolean; stripAccents?: boolean; lowercase?: boolean }): NativeNormalizer;
  bertPreTokenizer(): NativePreTokenizer;
}

export const NATIVE_PACKAGE = '@anush008/tokenizers';

/** Options every native encode call uses: no [CLS]/[SEP], so token lists compare with FullTokenizer's. */
export const NATIVE_ENCODE_OPTIONS: NativeEncodeOptions = { addSpecialTokens: false };

/**
 * Pins the binding to one core, then loads it. The environment must be set before the first encode:
 * tokenizers reads TOKENIZERS_PARALLELISM per batch call and rayon sizes its global pool from
 * RAYON_NUM_THREADS (RAYON_RS_NUM_CPUS in old rayon) when the pool is first built. Single-line encodes
 * and batches run on one libuv worker thread while the JS thread awaits, so one core is busy at a time.
 */
export function loadNativeBinding(): { binding: NativeBinding } | { error: string } {
  process.env.TOKENIZERS_PARALLELISM = 'false';
  process.env.RAYON_NUM_THREADS = '1';
  process.env.RAYON_RS_NUM_CPUS = '1';
  try {
    const require = createRequire(import.meta.url);
    return { binding: require(NATIVE_PACKAGE) as NativeBinding };
  } catch (error) {
    return { error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}

/** The same settings as ours: uncased (lowercase + strip accents), clean text, CJK split, 200-char words. */
export function buildNativeTokenizer(binding: NativeBinding, vocabTokens: readonly string[], maxInputCharsPerWord: number): NativeTokenizer {
  const vocab: Record<string, number> = Object.create(null) as Record<string, number>;
  vocabTokens.forEach((token, id) => {
    vocab[token] = id;
  });
  const model = binding.WordPiece.init(vocab, { unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord });
  const tokenizer = new binding.Tokenizer(model);
  tokenizer.setNormalizer(binding.bertNormalizer({ cleanText: true, handleChineseChars: true, stripAccents: true, lowercase: true }));
  tokenizer.setPreTokenizer(binding.bertPreTokenizer());
  // No post-processor and no added tokens: like FullTokenizer, "[MASK]" in text is split into pieces.
  return tokenizer;
}
