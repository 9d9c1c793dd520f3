import { describe, expect, it, test } from 'vitest';
import { Vocab } from './vocab.js';
import { WordpieceTokenizer } from './wordpiece.js';

// The vocabulary of google-research/bert tokenization_test.py test_wordpiece_tokenizer, plus a few
// entries for astral-character and long-word cases.
const vocab = new Vocab(['[UNK]', '[CLS]', '[SEP]', 'want', '##want', '##ed', 'wa', 'un', 'runn', '##ing', '😀', '##😀', 'a', '##b', '##ab']);

describe('WordpieceTokenizer', () => {
  it.each<[string, string[]]>([
    ['unwanted running', ['un', '##want', '##ed', 'runn', '##ing']],
    ['unwantedX running', ['[UNK]', 'runn', '##ing']],
    ['', []],
    // Longest match first: after "a", "bab" → ##b (no ##bab/##ba), then "ab" → ##ab (not ##a…).
    ['abab', ['a', '##b', '##ab']],
    ['😀😀', ['😀', '##😀']],
    // An astral char that is not in the vocab makes the word unknown.
    ['😀x', ['[UNK]']],
    // Python's str.split() also splits on U+2028 and U+3000.
    ['want\u2028wa\u3000un', ['want', 'wa', 'un']],
  ])('%j → %j', (text, expected) => {
    expect(new WordpieceTokenizer(vocab).tokenize(text)).toEqual(expected);
  });

  test('piece ends index the word in UTF-16 units', () => {
    const split = new WordpieceTokenizer(vocab).splitWord('😀😀ab');
    expect(split.tokens).toEqual(['😀', '##😀', '##ab']);
    expect(split.pieceEnds).toEqual([2, 4, 6]);
    expect(split.ids).toEqual([10, 11, 14]);
    expect(split.unknown).toBe(false);
  });

  test('max_input_chars_per_word counts code points (200 by default, as google-research/bert)', () => {
    const wordpiece = new WordpieceTokenizer(vocab);
    expect(wordpiece.tokenize('a' + 'b'.repeat(199))).toEqual(['a', ...new Array<string>(199).fill('##b')]);
    expect(wordpiece.tokenize('a' + 'b'.repeat(200))).toEqual(['[UNK]']);
    // 150 emoji = 300 UTF-16 units but 150 characters: under the 200 limit, split normally.
    const emoji = wordpiece.tokenize('😀'.repeat(150));
    expect(emoji).toHaveLength(150);
    expect(emoji[149]).toBe('##😀');
    // With HF's limit of 100 they become unknown.
    expect(new WordpieceTokenizer(vocab, { maxInputCharsPerWord: 100 }).tokenize('😀'.repeat(101))).toEqual(['[UNK]']);
    expect(new WordpieceTokenizer(vocab, { maxInputCharsPerWord: 100 }).tokenize('😀'.repeat(100))).toHaveLength(100);
  });

  test('the unknown token must be in the vocabulary', () => {
    expect(() => new WordpieceTokenizer(new Vocab(['a'], 'v.txt'))).toThrow('vocab v.txt: token "[UNK]" (needed for the unknown token of WordPiece) is not in the vocabulary of 1 tokens');
  });

  test('a "##" entry can start a word when the text itself starts with ##', () => {
    expect(new WordpieceTokenizer(vocab).tokenize('##ing')).toEqual(['##ing']);
  });
});
