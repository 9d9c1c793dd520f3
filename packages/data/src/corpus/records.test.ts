import { describe, expect, test } from 'vitest';
import { decodeExample, encodeExample, type TfExample } from '../tfrecord/example.js';
import { buildExample } from '../tfrecord/features.js';
import { RealmExampleDimsSchema, realmExampleFromTfExample, realmExampleToTfExample, type RealmExample } from './realm-example.js';
import {
  orqaBlockExampleFromExample,
  orqaBlockExampleToExample,
  pretrainRecordFromExample,
  pretrainRecordToExample,
  retrievalDocumentFromExample,
  retrievalDocumentToExample,
  type PretrainRecord,
} from './records.js';

/** Encodes to wire bytes and decodes again before reading, so the test covers the real format. */
const viaBytes = <T>(example: TfExample, read: (e: TfExample) => T): T => read(decodeExample(encodeExample(example)));

describe('pre-training records (REALM X)', () => {
  // "Émile was born in 1843." — É is 2 UTF-8 bytes, so byte offsets run one ahead of char offsets.
  const record: PretrainRecord = {
    title: 'Émile',
    text: 'Émile was born in 1843. He sailed.',
    sentenceByteStart: [0, 25],
    sentenceByteLimit: [24, 35],
    spanByteStart: [0, 19],
    spanByteLimit: [6, 23],
    spanType: ['PERSON', 'DATE'],
    uid: 'abc',
  };

  test('round-trips through tf.Example bytes with REALM feature names', () => {
    const example = pretrainRecordToExample(record);
    expect(Object.keys(example).sort()).toEqual([
      'sentence_byte_limit', 'sentence_byte_start', 'span_byte_limit', 'span_byte_start', 'span_type', 'text', 'title', 'uid',
    ]);
    expect(viaBytes(example, (e) => pretrainRecordFromExample(e))).toEqual(record);
    const bytes = new TextEncoder().encode(record.text);
    expect(new TextDecoder().decode(bytes.subarray(19, 23))).toBe('1843');
  });

  test('reads a record without span_type/uid (features REALM ignores) and rejects bad offsets by name', () => {
    const minimal = buildExample(
      { title: 'bytes', text: 'bytes', sentence_byte_start: 'int64', sentence_byte_limit: 'int64', span_byte_start: 'int64', span_byte_limit: 'int64' },
      { title: 't', text: 'abc', sentence_byte_start: [0], sentence_byte_limit: [3], span_byte_start: [1], span_byte_limit: [2] },
    );
    expect(pretrainRecordFromExample(minimal)).toMatchObject({ spanType: [], uid: '', spanByteStart: [1] });
    const broken = { ...minimal, span_byte_limit: buildExample({ x: 'int64' }, { x: [9] }).x };
    expect(() => pretrainRecordFromExample(broken, 'shard-00001 record 7')).toThrow(
      /^shard-00001 record 7: .*span 0: \[1, 9\) is not inside the 3-byte text/,
    );
    const { text: _text, ...noText } = minimal;
    expect(() => pretrainRecordFromExample(noText, 'rec')).toThrow('rec: tf.Example has no feature "text"');
  });
});

test('retrieval documents write -1 token boundaries and round-trip', () => {
  const doc = { title: 'A', body: 'b c', titleTokenIds: [1037], bodyTokenIds: [1038, 1039], titleTokenTexts: ['a'], bodyTokenTexts: ['b', 'c'] };
  const example = retrievalDocumentToExample(doc);
  expect(Array.from((example.body_token_starts as { values: BigInt64Array }).values)).toEqual([-1n, -1n]);
  expect(viaBytes(example, (e) => retrievalDocumentFromExample(e))).toEqual(doc);
});

test('ORQA block examples round-trip', () => {
  const block = { titleIds: [5, 6], tokenIds: [7, 8, 9], sentenceStarts: [0, 2] };
  expect(viaBytes(orqaBlockExampleToExample(block), (e) => orqaBlockExampleFromExample(e))).toEqual(block);
});

describe('generator → trainer example', () => {
  const dims = RealmExampleDimsSchema.parse({ querySeqLen: 4, candidateSeqLen: 3, numCandidates: 2, maxMasks: 2 });
  const seq = (n: number, start: number) => Int32Array.from({ length: n }, (_, i) => start + i);
  const example: RealmExample = {
    candidateInputs: { tokenIds: seq(6, 100), mask: seq(6, 200), segmentIds: seq(6, 300) },
    candidateLabels: new Float32Array(2),
    exportTimestamp: 1700000000,
    jointInputs: { tokenIds: seq(14, 400), mask: seq(14, 500), segmentIds: seq(14, 600) },
    mlmMask: Int32Array.of(1, 0),
    mlmPositions: Int32Array.of(2, 0),
    mlmTargets: Int32Array.of(2003, 0),
    queryInputs: { tokenIds: seq(4, 700), mask: seq(4, 800), segmentIds: seq(4, 900) },
  };

  test('keys follow tf.nest order ("5" is joint_inputs.token_ids, "10" mlm_targets) and round-trip', () => {
    const tf = realmExampleToTfExample(example, dims);
    expect(Object.keys(tf).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 14 }, (_, i) => String(i)));
    expect(Array.from((tf['5'] as { values: BigInt64Array }).values, Number)).toEqual(Array.from(seq(14, 400)));
    expect(Array.from((tf['10'] as { values: BigInt64Array }).values, Number)).toEqual([2003, 0]);
    expect(Array.from((tf['4'] as { values: BigInt64Array }).values, Number)).toEqual([1700000000]);
    expect(tf['3'].kind).toBe('float');
    expect(realmExampleFromTfExample(decodeExample(encodeExample(tf)), dims)).toEqual(example);
  });

  test('a wrong length names the leaf', () => {
    const bad = { ...example, mlmTargets: Int32Array.of(1, 2, 3) };
    expect(() => realmExampleToTfExample(bad, dims)).toThrow('REALM example leaf "10" (mlm_targets) has 3 values; dims require 2');
    const tf = realmExampleToTfExample(example, dims);
    expect(() => realmExampleFromTfExample(tf, { ...dims, querySeqLen: 5 })).toThrow(/leaf "5" \(joint_inputs.token_ids\) has 14 values; dims require 16/);
  });
});
