import { describe, expect, test } from 'vitest';
import { createRng } from '../rng.js';
import type { WordPiece } from '../types.js';
import { MaskingConfigSchema } from './config.js';
import { createRealmQuery, createSalientSpanQuery } from './realm-query.js';
import { salientRecordFromFields, toRealmSalientFields, utf8ByteOffsetsOf } from './realm-record-offsets.js';

/** A stand-in tokenizer: one piece per whitespace-separated word (ids from a running dictionary). */
function wordTokenizer(dictionary: Map<string, number>): (text: string) => WordPiece[] {
  return (text) =>
    [...text.matchAll(/\S+/g)].map((m, i) => {
      const token = m[0].toLowerCase();
      if (!dictionary.has(token)) dictionary.set(token, 1000 + dictionary.size);
      return { token, id: dictionary.get(token)!, start: m.index, end: m.index + m[0].length, originalTokenIndex: i };
    });
}

// Sentence 0: [0, 24) "Obama visited Paris now." ; sentence 1: [25, 52) "José Martí died in 1895 ok."
const TEXT = 'Obama visited Paris now. José Martí died in 1895 ok.';
const RECORD = {
  text: TEXT,
  sentences: [{ start: 0, end: 24 }, { start: 25, end: 52 }],
  spans: [
    { start: 0, end: 5, label: 'PERSON' },
    { start: 14, end: 19, label: 'PLACE' },
    { start: 20, end: 30, label: 'BAD' }, // "now. José" crosses the boundary
    { start: 25, end: 35, label: 'PERSON' },
    { start: 44, end: 48, label: 'DATE' },
  ],
};

describe('createSalientSpanQuery', () => {
  test('tokenizes only the chosen sentence and masks the span relative to it', () => {
    const seen: string[] = [];
    const dictionary = new Map<string, number>();
    const tokenize = wordTokenizer(dictionary);
    const outcomes = new Map<string, unknown>();
    for (let seed = 0; seed < 40; seed++) {
      const result = createSalientSpanQuery(RECORD, (t) => (seen.push(t), tokenize(t)), { maskId: 3 }, createRng(seed));
      if (!result.ok) throw new Error(result.detail);
      outcomes.set(TEXT.slice(result.span!.start, result.span!.end), result);
    }
    expect([...outcomes.keys()].sort()).toEqual(['1895', 'José Martí', 'Obama', 'Paris']);
    expect(new Set(seen)).toEqual(new Set(['Obama visited Paris now.', 'José Martí died in 1895 ok.']));
    const date = outcomes.get('1895') as { text: string; maskedIds: number[]; mlmPositions: number[]; mlmTargets: number[] };
    expect(date.text).toBe('José Martí died in 1895 ok.');
    const id = (w: string): number => dictionary.get(w)!;
    expect(date.maskedIds).toEqual([id('josé'), id('martí'), id('died'), id('in'), 3, id('ok.')]);
    expect(date.mlmPositions.slice(0, 2)).toEqual([5, 0]);
    expect(date.mlmTargets.slice(0, 2)).toEqual([id('1895'), 0]);
  });

  test('same seed, same query; the Rng is the only source of randomness', () => {
    const run = (seed: number): unknown => createSalientSpanQuery(RECORD, wordTokenizer(new Map()), { maskId: 3 }, createRng(seed));
    expect(run(8)).toEqual(run(8));
  });

  test('skips records whose spans all cross sentence boundaries', () => {
    const result = createSalientSpanQuery({ ...RECORD, spans: [RECORD.spans[2]] }, wordTokenizer(new Map()), { maskId: 3 }, createRng(1));
    expect(result.ok === false && result.reason).toBe('no_valid_spans');
  });
});

describe('createRealmQuery with each strategy', () => {
  test("'salient' uses the salient path; the ablations mask a random sentence without spans", () => {
    const tokenize = wordTokenizer(new Map());
    const vocab = { maskId: 3, vocabSize: 5000 };
    const salient = createRealmQuery(RECORD, MaskingConfigSchema.parse({}), tokenize, vocab, createRng(4));
    expect(salient.ok && salient.span !== null).toBe(true);
    for (const strategy of ['random_token', 'random_span'] as const) {
      const config = MaskingConfigSchema.parse({ strategy });
      const result = createRealmQuery({ ...RECORD, spans: [] }, config, tokenize, vocab, createRng(4));
      if (!result.ok) throw new Error(result.detail);
      expect(result.span).toBeNull();
      expect(result.numPredictions).toBe(1); // 6 words: round(8 × 0.15) = 1, ceil(6 × 0.15) = 1
      expect(createRealmQuery({ ...RECORD, spans: [] }, config, tokenize, vocab, createRng(4))).toEqual(result);
    }
    expect(createRealmQuery({ text: '', sentences: [], spans: [] }, MaskingConfigSchema.parse({ strategy: 'random_span' }), tokenize, vocab, createRng(1))).toEqual({
      ok: false,
      reason: 'no_sentences',
      detail: 'the record has no non-empty sentence',
    });
  });
});

describe('MaskingConfigSchema', () => {
  test('defaults come from the paper and code; unknown keys and bad combinations fail', () => {
    expect(MaskingConfigSchema.parse({})).toEqual({
      strategy: 'salient',
      maxMasks: 10,
      querySeqLen: 96,
      maskProb: 0.15,
      replaceWithMaskProb: 0.8,
      keepOriginalProb: 0.1,
      wholeWordMask: false,
      spanGeometricP: 0.2,
      minSpanWords: 1,
      maxSpanWords: 10,
    });
    expect(MaskingConfigSchema.safeParse({ maxMask: 10 }).success).toBe(false);
    const bad = MaskingConfigSchema.safeParse({ replaceWithMaskProb: 0.95, keepOriginalProb: 0.1 });
    expect(bad.success === false && bad.error.issues[0].message).toBe('replaceWithMaskProb + keepOriginalProb must be ≤ 1, got 0.95 + 0.1');
    for (const [key, field] of Object.entries(MaskingConfigSchema.unwrap().shape)) {
      expect(field.description, key).toMatch(/\w/);
    }
  });
});

describe('REALM record byte offsets', () => {
  const text = 'José visited Zürich 😀 in 1891.';
  const annotation = {
    sentences: [{ start: 0, end: text.length }],
    spans: [
      { start: 26, end: 30, label: 'DATE' },
      { start: 0, end: 4, label: 'PERSON' },
      { start: 13, end: 19, label: 'PLACE' },
    ],
  };
  const byteOf = (i: number): number => Buffer.byteLength(text.slice(0, i), 'utf8');

  test('char offsets become UTF-8 byte offsets (checked against Buffer.byteLength); spans sorted by start', () => {
    expect(toRealmSalientFields(text, annotation)).toEqual({
      sentence_byte_start: [0],
      sentence_byte_limit: [byteOf(text.length)],
      span_byte_start: [0, byteOf(13), byteOf(26)],
      span_byte_limit: [byteOf(4), byteOf(19), byteOf(30)],
      span_type: ['PERSON', 'PLACE', 'DATE'],
    });
    expect(byteOf(4)).toBe(5); // é is two bytes
    expect(byteOf(26)).toBe(30); // ü two bytes, 😀 four bytes (two UTF-16 units)
    expect(utf8ByteOffsetsOf('😀a')).toEqual(new Int32Array([0, -1, 4, 5]));
  });

  test('round trip through the record fields', () => {
    const record = salientRecordFromFields(text, toRealmSalientFields(text, annotation));
    expect(record.sentences).toEqual(annotation.sentences);
    expect(record.spans).toEqual([...annotation.spans].sort((a, b) => a.start - b.start));
  });

  test('bad fields give errors naming the field and index', () => {
    const fields = toRealmSalientFields(text, annotation);
    expect(() => salientRecordFromFields(text, { ...fields, span_byte_start: [0, 4, 30] })).toThrow(
      'span_byte_start[1] = 4 is inside a multi-byte UTF-8 character',
    );
    expect(() => salientRecordFromFields(text, { ...fields, sentence_byte_limit: [99] })).toThrow(
      'sentence_byte_limit[0] = 99 is outside the text (35 bytes)',
    );
    expect(() => salientRecordFromFields(text, { ...fields, span_byte_limit: [5] })).toThrow(
      'span_byte_start has 3 values but span_byte_limit has 1',
    );
    expect(() => toRealmSalientFields(text, { sentences: [], spans: [{ start: 21, end: 22 }] })).toThrow(
      'toRealmSalientFields: span 0 start offset 21 splits a surrogate pair',
    );
  });
});
