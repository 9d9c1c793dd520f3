import { describe, expect, test } from 'vitest';
import { FullTokenizer } from './full-tokenizer.js';
import { Vocab } from './vocab.js';
import { VOCAB_BUILDER_SPECIALS } from './vocab-builder.js';
import { learnWordPieceVocab } from './wordpiece-trainer.js';

const SPECIALS = [...VOCAB_BUILDER_SPECIALS];

describe('learnWordPieceVocab', () => {
  test('merges the most frequent pair first, by count weighted over words (hand-worked)', () => {
    // Words: "aab" ×3, "ab" ×2, "bab" ×1. Pieces start as a ##a ##b / a ##b / b ##a ##b.
    // Pair counts: (a,##a) 3 in 1 word; (##a,##b) 3+1 = 4 in 2 words; (a,##b) 2 in 1 word; (b,##a) 1.
    // Merge 1 (needs 2 words): ##a+##b → "##ab" (4). Pieces: a ##ab ×3, a ##b ×2, b ##ab ×1.
    // Pairs now: (a,##ab) 3 in 1 word, (a,##b) 2 in 1 word, (b,##ab) 1: none in 2 words, so stop.
    const vocab = learnWordPieceVocab(['aab aab aab ab ab bab'], { minPairWords: 2 });
    expect(vocab).toEqual([...SPECIALS, 'a', 'b', '##a', '##b', '##ab']);
    // With minPairWords 1 the learner goes on: (a,##ab) 3 → "aab", then (a,##b) 2 → "ab", then (b,##ab) 1 → "bab".
    expect(learnWordPieceVocab(['aab aab aab ab ab bab'], { minPairWords: 1 })).toEqual([...SPECIALS, 'a', 'b', '##a', '##b', '##ab', 'aab', 'ab', 'bab']);
  });

  test('stops at vocabSize, and ties go to the joined text that sorts first', () => {
    // "xy" and "zy" once each: (x,##y) and (z,##y) tie at 1; "xy" < "zy".
    expect(learnWordPieceVocab(['xy zy'], { minPairWords: 1, vocabSize: SPECIALS.length + 6 + 1 })).toEqual([...SPECIALS, 'x', 'y', 'z', '##x', '##y', '##z', 'xy']);
  });

  test('wholeWordMinCount keeps frequent words whole and learns pieces from the rare ones only', () => {
    const texts = ['the the the the 1825 1827 1828 1911'];
    const vocab = learnWordPieceVocab(texts, { wholeWordMinCount: 4, minPairWords: 2 });
    // Alphabet 1 2 5 7 8 9 e h t, then "the" (4 ≥ 4) whole. Among the rare words (each once):
    // (1,##8) and (##8,##2) both count 3 in 3 words; "##82" sorts before "18" ('#' < '1'), so it
    // goes first; then (1,##82) in 3 words → "182"; every remaining pair sits in one word.
    const learned = vocab.slice(vocab.indexOf('##t') + 1);
    expect(learned).toEqual(['the', '##82', '182']);
    const tokenizer = new FullTokenizer(new Vocab(vocab, 'learned'));
    expect(tokenizer.tokenize('the 1825 1911 1899')).toEqual(['the', '182', '##5', '1', '##9', '##1', '##1', '1', '##8', '##9', '##9']);
  });

  test('any text over the learned alphabet tokenizes without [UNK], and the result is deterministic', () => {
    const texts = ['Pilogus Grokoubort was born in Kekrifund in 1825.', 'Asaipe Bimavath was born in Binetora.'];
    const vocab = learnWordPieceVocab(texts, { vocabSize: 60 });
    expect(vocab).toHaveLength(new Set(vocab).size);
    expect(learnWordPieceVocab(texts, { vocabSize: 60 })).toEqual(vocab);
    const tokens = new FullTokenizer(new Vocab(vocab, 'learned')).tokenize('Bimavath was born in 1852.');
    expect(tokens).not.toContain('[UNK]');
    expect(tokens.join(' ').replace(/ ##/g, '')).toBe('bimavath was born in 1852 .');
  });

  test('errors name the problem', () => {
    expect(() => learnWordPieceVocab(['abcdef'], { vocabSize: 10 })).toThrow(
      'learnWordPieceVocab: the 5 specials and 6 characters (×2 with ##) need 17 entries, more than vocabSize 10',
    );
    expect(() => learnWordPieceVocab(['a'], { vocabSize: 2 })).toThrow(/vocabSize/);
  });
});
