// Builds a WordPiece vocabulary from a corpus, for worlds and corpora that come without one (the
// built-in world ships no BERT vocab). Whole words by frequency, then every character seen as a
// word start and as a `##` continuation, so any text over the same alphabet tokenizes without [UNK].
// Layout follows BERT's vocab.txt: [PAD] first, then [UNK] [CLS] [SEP] [MASK].
import { BasicTokenizer } from './basic.js';

export interface BuildVocabOptions {
  /** Upper bound on the vocabulary size (specials and characters always fit first). Default 30522. */
  maxSize?: number;
  /** Words seen fewer times are left to be spelled by wordpieces. Default 1. */
  minCount?: number;
  /** Lower-case as the tokenizer will (BERT uncased). Default true. */
  doLowerCase?: boolean;
}

export const VOCAB_BUILDER_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** Returns vocab.txt lines: specials, characters, ##characters, then words by descending count. */
export function buildWordPieceVocab(texts: Iterable<string>, options: BuildVocabOptions = {}): string[] {
  const { maxSize = 30522, minCount = 1, doLowerCase = true } = options;
  const basic = new BasicTokenizer(doLowerCase);
  const wordCounts = new Map<string, number>();
  for (const text of texts) {
    for (const word of basic.tokenize(text)) wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
  }
  const characters = new Set<string>();
  for (const word of wordCounts.keys()) for (const ch of word) characters.add(ch);
  const sortedChars = [...characters].sort();
  const vocab: string[] = [...VOCAB_BUILDER_SPECIALS, ...sortedChars, ...sortedChars.map((ch) => `##${ch}`)];
  if (vocab.length > maxSize) {
    throw new Error(`buildWordPieceVocab: ${vocab.length} specials and characters exceed maxSize ${maxSize}`);
  }
  const seen = new Set(vocab);
  const words = [...wordCounts.entries()]
    .filter(([word, count]) => count >= minCount && !seen.has(word))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [word] of words) {
    if (vocab.length >= maxSize) break;
    vocab.push(word);
  }
  return vocab;
}
