// Learns a WordPiece vocabulary of a given size from a corpus by greedy pair merges (the BPE-style
// training HuggingFace's WordPiece trainer uses; Google's wordpiece learner is not public). Frequent
// words end up whole; rare words are spelled by pieces shared across many words, so a rare name or
// number still carries the pieces that say what kind of word it is.
import { z } from 'zod';
import { BasicTokenizer } from './basic.js';
import { buildWordPieceVocab, VOCAB_BUILDER_SPECIALS } from './vocab-builder.js';

/** The merge settings (the case setting is separate: a corpus's vocab must match its tokenizer's). */
const MERGE_SETTINGS = {
  vocabSize: z.int().min(8).default(30522).describe('Target vocabulary size, specials and the alphabet included (BERT uncased: 30522).'),
  minPairWords: z
    .int()
    .min(1)
    .default(2)
    .describe('A pair of pieces is merged only if it occurs in at least this many distinct words, so every learned piece is shared and a rare word stays spelled by pieces other words use too.'),
  wholeWordMinCount: z
    .int()
    .min(0)
    .default(0)
    .describe('Words seen at least this often enter whole (by count) before any merge, and pieces are learned from the rarer words only; 0 learns pieces from every word.'),
};

export const WordPieceTrainerConfigSchema = z
  .strictObject({
    ...MERGE_SETTINGS,
    doLowerCase: z.boolean().default(true).describe('Lower-case as the tokenizer will (BERT uncased).'),
  })
  .readonly();

export type WordPieceTrainerConfig = z.infer<typeof WordPieceTrainerConfigSchema>;

/** A word type under training: its current pieces (the first plain, the rest `##`) and its count. */
interface WordState {
  pieces: string[];
  count: number;
}

/** Joins two adjacent pieces: the left keeps its `##` (or not), the right loses its `##`. */
function joinPieces(left: string, right: string): string {
  return left + right.slice(2);
}

/**
 * Returns vocab.txt lines: the five BERT specials, every character seen as a word start and as a `##`
 * continuation (sorted), the frequent whole words when `wholeWordMinCount` is set (by count), then
 * the merged pieces in the order they were learned. Each step merges
 * the adjacent pair with the highest count (ties: the pair whose joined text sorts first), until
 * `vocabSize` lines exist or no pair occurs in `minPairWords` distinct words. Deterministic for the same texts.
 */
export function learnWordPieceVocab(texts: Iterable<string>, options: z.input<typeof WordPieceTrainerConfigSchema> = {}): string[] {
  const parsed = WordPieceTrainerConfigSchema.safeParse(options);
  if (!parsed.success) throw new Error(`learnWordPieceVocab: ${z.prettifyError(parsed.error)}`);
  const { vocabSize, minPairWords, wholeWordMinCount, doLowerCase } = parsed.data;
  const basic = new BasicTokenizer(doLowerCase);
  const counts = new Map<string, number>();
  for (const text of texts) for (const word of basic.tokenize(text)) counts.set(word, (counts.get(word) ?? 0) + 1);

  const characters = new Set<string>();
  for (const word of counts.keys()) for (const ch of word) characters.add(ch);
  const alphabet = [...characters].sort();
  const vocab: string[] = [...VOCAB_BUILDER_SPECIALS, ...alphabet, ...alphabet.map((ch) => `##${ch}`)];
  if (vocab.length > vocabSize) {
    throw new Error(`learnWordPieceVocab: the ${VOCAB_BUILDER_SPECIALS.length} specials and ${alphabet.length} characters (×2 with ##) need ${vocab.length} entries, more than vocabSize ${vocabSize}`);
  }
  const known = new Set(vocab);
  const frequent = (count: number): boolean => wholeWordMinCount > 0 && count >= wholeWordMinCount;
  const wholeWords = [...counts.entries()].filter(([word, count]) => frequent(count) && !known.has(word)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [word] of wholeWords) {
    if (vocab.length >= vocabSize) break;
    vocab.push(word);
    known.add(word);
  }
  const words: WordState[] = [...counts.entries()]
    .filter(([, count]) => !frequent(count))
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([word, count]) => {
      const chars = [...word];
      return { pieces: chars.map((ch, i) => (i === 0 ? ch : `##${ch}`)), count };
    });

  while (vocab.length < vocabSize) {
    // Per pair "left right": its count weighted by word occurrences, and the distinct words holding it.
    const pairCounts = new Map<string, { count: number; words: number }>();
    for (const { pieces, count } of words) {
      const seenHere = new Set<string>();
      for (let i = 0; i + 1 < pieces.length; i++) {
        const key = `${pieces[i]} ${pieces[i + 1]}`;
        const entry = pairCounts.get(key) ?? { count: 0, words: 0 };
        entry.count += count;
        if (!seenHere.has(key)) entry.words += 1;
        seenHere.add(key);
        pairCounts.set(key, entry);
      }
    }
    let best: { key: string; joined: string; count: number } | undefined;
    for (const [key, { count, words: holders }] of pairCounts) {
      if (holders < minPairWords) continue;
      const space = key.indexOf(' ');
      const joined = joinPieces(key.slice(0, space), key.slice(space + 1));
      if (best === undefined || count > best.count || (count === best.count && joined < best.joined)) best = { key, joined, count };
    }
    if (best === undefined) break;
    const space = best.key.indexOf(' ');
    const left = best.key.slice(0, space);
    const right = best.key.slice(space + 1);
    for (const word of words) {
      const merged: string[] = [];
      for (let i = 0; i < word.pieces.length; i++) {
        if (i + 1 < word.pieces.length && word.pieces[i] === left && word.pieces[i + 1] === right) {
          merged.push(best.joined);
          i++;
        } else {
          merged.push(word.pieces[i]);
        }
      }
      word.pieces = merged;
    }
    // Different pairs can join to the same text ("ab"+"##c" and "a"+"##bc"); list it once.
    if (!known.has(best.joined)) {
      known.add(best.joined);
      vocab.push(best.joined);
    }
  }
  return vocab;
}

export const CorpusVocabConfigSchema = z
  .strictObject({
    method: z
      .enum(['whole-word', 'learned'])
      .default('whole-word')
      .describe("How a corpus without a BERT vocab gets one: 'whole-word' (every word, then characters: buildWordPieceVocab) or 'learned' (shared pieces: learnWordPieceVocab)."),
    learned: z.strictObject(MERGE_SETTINGS).readonly().prefault({}).describe("Settings of the 'learned' method."),
  })
  .readonly();

export type CorpusVocabConfig = z.infer<typeof CorpusVocabConfigSchema>;

/** vocab.txt lines for `texts` by the configured method, lower-cased as the caller's tokenizer will (`doLowerCase`). */
export function buildCorpusVocab(texts: Iterable<string>, config: CorpusVocabConfig, doLowerCase = true): string[] {
  return config.method === 'learned' ? learnWordPieceVocab(texts, { ...config.learned, doLowerCase }) : buildWordPieceVocab(texts, { doLowerCase });
}
