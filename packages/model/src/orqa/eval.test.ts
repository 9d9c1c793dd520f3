import { describe, expect, test } from 'vitest';
import {
  hasAnswer,
  hasAnswerNormalized,
  hasAnswerRegex,
  hasAnswerSubstring,
  officialExactMatch,
  OrqaConfigSchema,
  parseOrqaConfig,
  readerOracle,
  recallAtK,
  resolveOrqaWarmupSteps,
  summarizeOrqaEval,
} from './index.js';

describe('HasAnswer rules', () => {
  test("ORQA's substring test is raw: case-sensitive and fires inside words", () => {
    expect(hasAnswerSubstring('a party in Paris', ['art'])).toBe(true);
    expect(hasAnswerSubstring('a party in Paris', ['paris'])).toBe(false);
    expect(hasAnswerSubstring('a party in Paris', ['Rome', 'Paris'])).toBe(true);
    // std::string::find("") is 0, so an empty answer matches every block.
    expect(hasAnswerSubstring('anything', [''])).toBe(true);
  });

  test('the normalised rule matches whole tokens after ORQA normalisation', () => {
    expect(hasAnswerNormalized('A party in Paris.', ['art'])).toBe(false);
    expect(hasAnswerNormalized('The Art of War, by Sun Tzu', ['art of war'])).toBe(true);
    expect(hasAnswerNormalized('The Art of War, by Sun Tzu', ['THE ART-of'])).toBe(false); // "artof" after removing "-"
    expect(hasAnswerNormalized('sun tzu wrote it', ['Sun  Tzu!'])).toBe(true);
    expect(hasAnswerNormalized('a b c', ['the'])).toBe(false); // normalises to nothing
  });

  test('regex answers are searched anywhere, ignoring case; bad patterns never match', () => {
    expect(hasAnswerRegex('Born in 1961 in Honolulu', ['19[56]\\d'])).toBe(true);
    expect(hasAnswerRegex('Born in 1971', ['19[56]\\d'])).toBe(false);
    expect(hasAnswerRegex('capital: PARIS', ['paris'])).toBe(true);
    expect(hasAnswerRegex('anything', ['(unclosed'])).toBe(false);
    expect(hasAnswer('capital: PARIS', ['paris'], 'substring')).toBe(false);
    expect(hasAnswer('capital: PARIS', ['paris'], 'normalized')).toBe(true);
  });
});

describe('metrics', () => {
  test('recall@k looks at the first k retrieved blocks only', () => {
    const correct = [0, 0, 1, 0];
    expect(recallAtK(correct, 2)).toBe(false);
    expect(recallAtK(correct, 3)).toBe(true);
    expect(recallAtK(correct, 100)).toBe(true);
    expect(() => recallAtK(correct, 0)).toThrow('recallAtK: k must be a positive integer, got 0');
  });

  test('reader oracle and official exact match (normalised / regex from the start)', () => {
    expect(readerOracle(new Float32Array([0, 0, 1]))).toBe(true);
    expect(readerOracle(new Float32Array(4))).toBe(false);
    expect(officialExactMatch('the  Eiffel Tower!', ['Eiffel tower'], false)).toBe(true);
    expect(officialExactMatch('Eiffel', ['Eiffel tower'], false)).toBe(false);
    expect(officialExactMatch('1961 or so', ['19[56]\\d'], true)).toBe(true);
    expect(officialExactMatch('in 1961', ['19[56]\\d'], true)).toBe(false);
  });

  test('summarizeOrqaEval averages each metric', () => {
    const summary = summarizeOrqaEval(
      [
        { exactMatch: true, officialExactMatch: true, readerOracle: true, recall: { 5: true, 10: true } },
        { exactMatch: false, officialExactMatch: true, readerOracle: false, recall: { 5: false, 10: true } },
      ],
      [5, 10],
    );
    expect(summary).toEqual({ count: 2, exactMatch: 0.5, officialExactMatch: 1, readerOracle: 0.5, recall: { 5: 0.5, 10: 1 } });
  });
});

describe('OrqaConfigSchema', () => {
  test("defaults are ORQA's flags", () => {
    const config = OrqaConfigSchema.parse({});
    expect(config).toMatchObject({
      readerSeqLen: 320,
      maxSpanWidth: 10,
      spanHiddenSize: 256,
      spanLayerNormEpsilon: 1e-3,
      retrieverBeamSize: 5000,
      readerBeamSize: 5,
      learningRate: 1e-5,
      batchSize: 1,
      clipNorm: 1,
      answerMatcher: 'substring',
      trainDocumentEmbedder: false,
    });
    expect(resolveOrqaWarmupSteps(config)).toBe(6834);
    expect(resolveOrqaWarmupSteps({ numTrainSteps: 500, numWarmupSteps: null })).toBe(100);
  });

  test('errors name the field', () => {
    expect(() => parseOrqaConfig({ readerBeamSize: 10, retrieverBeamSize: 5 }, 'run.json')).toThrow(/run\.json: invalid ORQA config[\s\S]*readerBeamSize 10 must be ≤ retrieverBeamSize 5/);
    expect(() => parseOrqaConfig({ spanHiddenSize: 0 })).toThrow(/spanHiddenSize/);
    expect(() => parseOrqaConfig({ unknownField: 1 })).toThrow(/unknownField/);
  });
});
