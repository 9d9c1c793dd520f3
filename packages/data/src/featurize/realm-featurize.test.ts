import { createRng, createSalientSpanQuery, FullTokenizer, Vocab } from '@realm/tokenizer';
import { describe, expect, test } from 'vitest';
import { realmExampleFromTfExample, realmExampleToTfExample, RealmExampleDimsSchema } from '../corpus/realm-example.js';
import { decodeExample, encodeExample } from '../tfrecord/example.js';
import { featurizeRealmExample, NULL_CANDIDATE_DOCUMENT, type CandidateDocument, type RealmQueryFeatures } from './realm-featurize.js';

// Tiny vocab: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4, then w5 … w69.
const vocab = new Vocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...Array.from({ length: 65 }, (_, i) => `w${i + 5}`)]);
const ids = vocab.specialTokenIds();
const CLS = ids.cls;
const SEP = ids.sep;
const MASK = ids.mask;

// Q = 8, C = 7, K = 3 candidates, M = 3 masks (distinct sizes so no axis can be swapped unnoticed).
const dims = RealmExampleDimsSchema.parse({ querySeqLen: 8, candidateSeqLen: 7, numCandidates: 3, maxMasks: 3 });

// "w10 [MASK] [MASK] w12": pieces 1 and 2 (original w20 w21) are masked.
const QUERY: RealmQueryFeatures = { maskedIds: [10, MASK, MASK, 12], mlmPositions: [2, 3, 0], mlmTargets: [20, 21, 0], mlmWeights: [1, 1, 0] };
const SHORT_TITLE: CandidateDocument = { titleIds: [30, 31], bodyIds: [40, 41, 42, 43] };
const LONG_TITLE: CandidateDocument = { titleIds: [50, 51, 52, 53, 54], bodyIds: [60] };

describe('featurizeRealmExample (featurize_query_and_docs)', () => {
  const example = featurizeRealmExample(QUERY, [NULL_CANDIDATE_DOCUMENT, SHORT_TITLE, LONG_TITLE], ids, dims, 1_600_000_000);

  test('query_inputs: [CLS] masked query [SEP], all segment 0', () => {
    expect(Array.from(example.queryInputs.tokenIds)).toEqual([CLS, 10, MASK, MASK, 12, SEP, 0, 0]);
    expect(Array.from(example.queryInputs.mask)).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
    expect(Array.from(example.queryInputs.segmentIds)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('candidate_inputs: null → [CLS] [SEP] [SEP]; title first (≤ C−3), body gets the rest', () => {
    const rows = (values: Int32Array): number[][] => [0, 1, 2].map((k) => Array.from(values.subarray(k * 7, (k + 1) * 7)));
    expect(rows(example.candidateInputs.tokenIds)).toEqual([
      [CLS, SEP, SEP, 0, 0, 0, 0],
      [CLS, 30, 31, SEP, 40, 41, SEP],
      [CLS, 50, 51, 52, 53, SEP, SEP],
    ]);
    expect(rows(example.candidateInputs.segmentIds)).toEqual([
      [0, 0, 1, 0, 0, 0, 0],
      [0, 0, 0, 0, 1, 1, 1],
      [0, 0, 0, 0, 0, 0, 1],
    ]);
    expect(rows(example.candidateInputs.mask)).toEqual([
      [1, 1, 1, 0, 0, 0, 0],
      [1, 1, 1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1, 1, 1],
    ]);
  });

  test('joint_inputs: [CLS] query [SEP] body (≤ C−2) [SEP] in Q + C, no title, segments 0 then 1', () => {
    const rows = (values: Int32Array): number[][] => [0, 1, 2].map((k) => Array.from(values.subarray(k * 15, (k + 1) * 15)));
    expect(rows(example.jointInputs.tokenIds)).toEqual([
      [CLS, 10, MASK, MASK, 12, SEP, SEP, 0, 0, 0, 0, 0, 0, 0, 0],
      [CLS, 10, MASK, MASK, 12, SEP, 40, 41, 42, 43, SEP, 0, 0, 0, 0],
      [CLS, 10, MASK, MASK, 12, SEP, 60, SEP, 0, 0, 0, 0, 0, 0, 0],
    ]);
    expect(rows(example.jointInputs.segmentIds)).toEqual([
      [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    ]);
    expect(rows(example.jointInputs.mask)).toEqual([
      [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
      [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0],
      [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    ]);
  });

  test('MLM slots point at the [MASK]s of both query_inputs and joint_inputs; labels zero; timestamp kept', () => {
    expect(Array.from(example.mlmPositions)).toEqual([2, 3, 0]);
    expect(Array.from(example.mlmTargets)).toEqual([20, 21, 0]);
    expect(Array.from(example.mlmMask)).toEqual([1, 1, 0]);
    for (const position of [2, 3]) {
      expect(example.queryInputs.tokenIds[position]).toBe(MASK);
      for (let k = 0; k < 3; k++) expect(example.jointInputs.tokenIds[k * 15 + position]).toBe(MASK);
    }
    expect(Array.from(example.candidateLabels)).toEqual([0, 0, 0]);
    expect(example.exportTimestamp).toBe(1_600_000_000);
  });

  test('long query and body: query cut to Q−2 in both inputs, body cut to C−2 in the joint input', () => {
    const longQuery: RealmQueryFeatures = { maskedIds: [MASK, 11, 12, 13, 14, 15, 16, 17], mlmPositions: [1], mlmTargets: [9], mlmWeights: [1] };
    const longBody: CandidateDocument = { titleIds: [30], bodyIds: [40, 41, 42, 43, 44, 45] };
    const out = featurizeRealmExample(longQuery, [NULL_CANDIDATE_DOCUMENT, longBody, longBody], ids, dims);
    expect(Array.from(out.queryInputs.tokenIds)).toEqual([CLS, MASK, 11, 12, 13, 14, 15, SEP]);
    expect(Array.from(out.jointInputs.tokenIds.subarray(15, 30))).toEqual([CLS, MASK, 11, 12, 13, 14, 15, SEP, 40, 41, 42, 43, 44, SEP, 0]);
    expect(Array.from(out.candidateInputs.tokenIds.subarray(7, 14))).toEqual([CLS, 30, SEP, 40, 41, 42, SEP]);
    // Slots are 0-padded to M, as truncate_or_pad does; the export timestamp defaults to 0.
    expect(Array.from(out.mlmPositions)).toEqual([1, 0, 0]);
    expect(Array.from(out.mlmMask)).toEqual([1, 0, 0]);
    expect(out.exportTimestamp).toBe(0);
  });

  test('more slots than M are truncated to the first M', () => {
    const many: RealmQueryFeatures = { maskedIds: [MASK, MASK, MASK, MASK], mlmPositions: [1, 2, 3, 4], mlmTargets: [5, 6, 7, 8], mlmWeights: [1, 1, 1, 1] };
    const out = featurizeRealmExample(many, [NULL_CANDIDATE_DOCUMENT, SHORT_TITLE, LONG_TITLE], ids, dims);
    expect(Array.from(out.mlmPositions)).toEqual([1, 2, 3]);
    expect(Array.from(out.mlmTargets)).toEqual([5, 6, 7]);
  });

  test('round trip through the positional tf.Example (and its bytes)', () => {
    const bytes = encodeExample(realmExampleToTfExample(example, dims));
    expect(realmExampleFromTfExample(decodeExample(bytes), dims)).toEqual(example);
  });

  test('bad inputs get clear errors', () => {
    expect(() => featurizeRealmExample(QUERY, [NULL_CANDIDATE_DOCUMENT, SHORT_TITLE], ids, dims)).toThrow(
      'featurizeRealmExample: got 2 candidate documents; numCandidates is 3 (null document included)',
    );
    const docs = [NULL_CANDIDATE_DOCUMENT, SHORT_TITLE, LONG_TITLE];
    expect(() => featurizeRealmExample({ ...QUERY, mlmPositions: [2, 7, 0] }, docs, ids, dims)).toThrow(
      "featurizeRealmExample: mlmPositions[1] = 7 is outside the query's wordpieces [1, 4] (querySeqLen 8, 4 query wordpieces)",
    );
    expect(() => featurizeRealmExample({ ...QUERY, mlmTargets: [20, 21] }, docs, ids, dims)).toThrow(
      'featurizeRealmExample: mlmPositions, mlmTargets and mlmWeights have different lengths (3, 2, 3)',
    );
    expect(() => featurizeRealmExample(QUERY, docs, ids, dims, -5)).toThrow(
      'featurizeRealmExample: exportTimestamp must be a non-negative int32 (Unix seconds), got -5',
    );
  });
});

describe('featurizeRealmExample with a real masked query', () => {
  test('createSalientSpanQuery output featurizes with its [MASK]s at mlm_positions', () => {
    const words = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'fermat', 'prime', 'is', '3', '##7', 'a', 'number', '.'];
    const wordVocab = new Vocab(words);
    const tokenizer = new FullTokenizer(wordVocab);
    const text = '37 is a fermat prime.';
    // One sentence, one salient span: "fermat prime" at [8, 20).
    const built = createSalientSpanQuery(
      { text, sentences: [{ start: 0, end: text.length }], spans: [{ start: 8, end: 20 }] },
      (sentence) => tokenizer.tokenizeWithOffsets(sentence),
      { maskId: wordVocab.specialTokenIds().mask, maxMasks: 3, querySeqLen: 8 },
      createRng(1),
    );
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const special = wordVocab.specialTokenIds();
    const doc: CandidateDocument = { titleIds: [6], bodyIds: [6, 7, 8, 11, 12] };
    const out = featurizeRealmExample(built, [NULL_CANDIDATE_DOCUMENT, doc, doc], special, dims);
    // 3 ##7 is a [MASK] [MASK] . → ids 9 10 8 11 4 4 13; Q − 2 = 6 pieces fit, so '.' is cut.
    expect(Array.from(out.queryInputs.tokenIds)).toEqual([special.cls, 9, 10, 8, 11, 4, 4, special.sep]);
    expect(Array.from(out.jointInputs.tokenIds.subarray(15, 30))).toEqual([special.cls, 9, 10, 8, 11, 4, 4, special.sep, 6, 7, 8, 11, 12, special.sep, 0]);
    expect(Array.from(out.mlmPositions)).toEqual([5, 6, 0]);
    expect(Array.from(out.mlmTargets)).toEqual([6, 7, 0]);
    expect(Array.from(out.mlmMask)).toEqual([1, 1, 0]);
  });
});
