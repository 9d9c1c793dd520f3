import { describe, expect, it, test } from 'vitest';
import { FullTokenizer } from './full-tokenizer.js';
import { utf16ToUtf8Offset, utf8ByteLength, utf8ByteOffsets, utf8OffsetTable, utf8ToUtf16Offset } from './offsets.js';
import { Vocab } from './vocab.js';

describe('UTF-16 → UTF-8 offsets', () => {
  it.each<[string, number, number]>([
    // [text, UTF-16 index, expected byte offset] (ASCII 1 byte, é 2, 博 3, 😀 4 as 2 units)
    ['abc', 2, 2],
    ['é!', 1, 2],
    ['博x', 1, 3],
    ['😀x', 2, 4],
    ['a😀b', 3, 5],
    ['\ud800x', 1, 3], // a lone surrogate is written as U+FFFD (3 bytes)
  ])('%j index %i → byte %i', (text, index, bytes) => {
    expect(utf16ToUtf8Offset(text, index)).toBe(bytes);
    expect(utf8OffsetTable(text)[index]).toBe(bytes);
    expect(utf8ToUtf16Offset(text, bytes)).toBe(index);
  });

  test('byte lengths agree with TextEncoder', () => {
    for (const text of ['', 'plain', 'naïve café', '東京', '😀👍🏽', 'mixed é😀博\u0000']) {
      expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length);
      expect(utf8OffsetTable(text)[text.length]).toBe(new TextEncoder().encode(text).length);
    }
  });

  test('wordpiece spans convert to byte spans that slice the same text out of the UTF-8 bytes', () => {
    const tokenizer = new FullTokenizer(new Vocab(['[UNK]', 'naive', 'cafe', '博', '😀', 'x']));
    const text = 'Naïve 😀 café 博 x';
    const pieces = tokenizer.tokenizeWithOffsets(text);
    const bytes = new TextEncoder().encode(text);
    const byteSpans = utf8ByteOffsets(text, pieces);
    expect(byteSpans).toEqual([
      { start: 0, end: 6 },
      { start: 7, end: 11 },
      { start: 12, end: 17 },
      { start: 18, end: 21 },
      { start: 22, end: 23 },
    ]);
    byteSpans.forEach((span, k) => {
      expect(new TextDecoder().decode(bytes.subarray(span.start, span.end))).toBe(text.slice(pieces[k].start, pieces[k].end));
    });
  });

  test('offsets outside the text or inside a character are errors', () => {
    expect(() => utf8ByteOffsets('ab', [{ start: 0, end: 3 }])).toThrow('offsets: end 3 is outside the text (UTF-16 length 2)');
    expect(() => utf8ToUtf16Offset('é', 1)).toThrow('offsets: byte offset 1 is inside a character of the text (UTF-8 length 2)');
    expect(() => utf8ToUtf16Offset('é', 3)).toThrow('offsets: byte offset 3 is past the end of the text (UTF-8 length 2)');
    expect(() => utf8ToUtf16Offset('é', -1)).toThrow('offsets: byte offset -1 is not a non-negative integer');
  });
});
