import { describe, expect, it, test } from 'vitest';
import { BasicTokenizer, scanBasicTokens } from './basic.js';

/** The original substring each basic token came from. */
function sources(text: string, doLowerCase = true): Array<[string, string, number]> {
  return new BasicTokenizer(doLowerCase).tokenizeWithOffsets(text).map((t) => [t.text, text.slice(t.start, t.end), t.originalTokenIndex]);
}

describe('BasicTokenizer: hand-worked cases with original offsets', () => {
  it.each<[string, string, Array<[string, string, number]>]>([
    ['ASCII words and punctuation', 'Hello, World!', [['hello', 'Hello', 0], [',', ',', 1], ['world', 'World', 2], ['!', '!', 3]]],
    ['accents stripped after NFD; offsets cover the precomposed char', 'Café naïve', [['cafe', 'Café', 0], ['naive', 'naïve', 1]]],
    ['decomposed input (e + U+0301) keeps the mark in the span', 'Cafe\u0301!', [['cafe', 'Cafe\u0301', 0], ['!', '!', 1]]],
    ['CJK ideographs become single tokens', 'ah博推zz', [['ah', 'ah', 0], ['博', '博', 1], ['推', '推', 2], ['zz', 'zz', 3]]],
    ['controls and U+FFFD are deleted, joining their neighbours', 'a\u200bb\u0000c\ufffdd', [['abcd', 'a\u200bb\u0000c\ufffdd', 0]]],
    ['NBSP, U+2028 and ideographic space separate words', '\u00a0hello\u2028world\u3000', [['hello', 'hello', 0], ['world', 'world', 1]]],
    ['final sigma is lower-cased in word context', 'ΟΔΟΣ.', [['οδος', 'ΟΔΟΣ', 0], ['.', '.', 1]]],
    ['İ lower-cases to i + U+0307, the dot is stripped', 'İstanbul', [['istanbul', 'İstanbul', 0]]],
    ['astral letters stay one character (surrogate pair)', '𝐀b 😀!', [['𝐀b', '𝐀b', 0], ['😀', '😀', 1], ['!', '!', 2]]],
    ['a lone combining mark vanishes but keeps its original-token index', 'a \u0301 b', [['a', 'a', 0], ['b', 'b', 2]]],
    ['ASCII symbols $ ^ ` are punctuation', 'a$b^c`d', [['a', 'a', 0], ['$', '$', 1], ['b', 'b', 2], ['^', '^', 3], ['c', 'c', 4], ['`', '`', 5], ['d', 'd', 6]]],
  ])('%s', (_name, text, expected) => {
    expect(sources(text)).toEqual(expected);
  });

  test('cased: no lower-casing, no accent stripping', () => {
    expect(sources('Café ΟΔΟΣ', false)).toEqual([
      ['Café', 'Café', 0],
      ['ΟΔΟΣ', 'ΟΔΟΣ', 1],
    ]);
  });

  test('tokenize returns just the strings (google test_basic_tokenizer_lower)', () => {
    expect(new BasicTokenizer(true).tokenize(' \tHeLLo!how  \n Are yoU?  ')).toEqual(['hello', '!', 'how', 'are', 'you', '?']);
  });

  test('per-unit offsets: each normalized unit points at its source character', () => {
    const [token] = new BasicTokenizer(true).tokenizeWithOffsets('xÉ𝐀');
    expect(token.text).toBe('xe𝐀');
    expect(Array.from(token.unitStarts ?? [])).toEqual([0, 1, 2, 2]);
    expect(Array.from(token.unitEnds ?? [])).toEqual([1, 2, 4, 4]);
  });

  test('each original token is reported before its basic tokens, including tokens with none', () => {
    const events: string[] = [];
    scanBasicTokens('Ab, \u0301 c', true, {
      originalToken: (start, end) => void events.push(`orig ${start}-${end}`),
      basicToken: (text, _s, _e, index) => void events.push(`basic ${text}#${index}`),
    });
    expect(events).toEqual(['orig 0-2', 'basic ab#0', 'orig 2-3', 'basic ,#1', 'orig 4-5', 'orig 6-7', 'basic c#3']);
  });
});
