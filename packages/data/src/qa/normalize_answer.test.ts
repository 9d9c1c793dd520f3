// normalizeAnswer against hand-worked Python 3 results (eval_utils.normalize_answer).
import { describe, expect, test } from 'vitest';
import { normalizeAnswer, pythonSplit, PYTHON_ASCII_PUNCTUATION, PYTHON_WHITESPACE, removeArticles } from './normalize_answer.js';

describe('normalizeAnswer', () => {
  test.each([
    // lower -> "the beatles"; "the" is a whole word -> " beatles" -> "beatles".
    ['The Beatles', 'beatles'],
    // "theatre": "the" is not a whole word, so it stays.
    ['Theatre', 'theatre'],
    // Punctuation goes before articles: "a.b" -> "ab" (no space is created), "an-apple" -> "anapple".
    ['A.B an-apple', 'ab anapple'],
    // "(The) Who!" -> "the who" -> " who" -> "who".
    ['(The) Who!', 'who'],
    // U+201C/U+201D quotes and U+2013 en dash are not in string.punctuation and are kept.
    ['\u201cHey\u201d \u2013 Jude', '\u201chey\u201d \u2013 jude'],
    // NFD: "é" -> "e" + U+0301; the accent stays. "Thé" -> "the" + U+0301, and U+0301 is not a word
    // character, so "the" is a whole word and is replaced: " \u0301".
    ['Thé Café', '\u0301 cafe\u0301'],
    // NBSP and ideographic space are Python whitespace: "a\u00a0b\u3000c" -> " \u00a0b\u3000c" -> "b c".
    ['a\u00a0b\u3000c', 'b c'],
    // U+001C..U+001F and U+0085 split too; U+FEFF (JS \s) and U+200B do not.
    ['x\u001cy\u0085z\ufeffw\u200bv', 'x y z\ufeffw\u200bv'],
    // Underscore is punctuation (removed) but "_" would also be a word char: "the_end" -> "theend".
    ['the_end', 'theend'],
    // Digits are word characters: "a1" is not an article.
    ['a1 a 1', 'a1 1'],
    // Greek final sigma: Python lower() gives "ς" at the end of a word, as JS does.
    ['ΟΔΟΣ', 'οδος'.slice(0, 3) + 'ς'],
    // U+0130 lowercases to "i" + U+0307 (full mapping) in both languages.
    ['İstanbul', 'i\u0307stanbul'],
    ['', ''],
    ['   ', ''],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeAnswer(input)).toBe(expected);
  });
});

describe('pieces', () => {
  test('PYTHON_ASCII_PUNCTUATION is exactly string.punctuation (32 chars)', () => {
    expect(PYTHON_ASCII_PUNCTUATION).toHaveLength(32);
    expect(PYTHON_ASCII_PUNCTUATION).toBe('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
  });

  test('PYTHON_WHITESPACE is the 29 code points of str.isspace()', () => {
    expect([...PYTHON_WHITESPACE].map((ch) => ch.codePointAt(0))).toEqual([
      9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202,
      8232, 8233, 8239, 8287, 12288,
    ]);
  });

  test('removeArticles replaces each article with one space and keeps article-like substrings', () => {
    // Python: re.sub(r"\b(a|an|the)\b", " ", "a an the anthem thea") == "      anthem thea".
    expect(removeArticles('a an the anthem thea')).toBe('      anthem thea');
    // Non-ASCII letters are word characters: "éthe" has no boundary before "the".
    expect(removeArticles('éthe the')).toBe('éthe  ');
  });

  test('pythonSplit drops empty ends like str.split()', () => {
    expect(pythonSplit('\u2003 a \u2028b\t')).toEqual(['a', 'b']);
  });
});
