import { readFileSync } from 'node:fs';
import { fixture } from '@realm/testing';
import { describe, expect, test } from 'vitest';
import { FullTokenizer } from './full-tokenizer.js';
import { orqaAnswerText, originalTextOfWordpieceSpan, tokenizeWithOriginalMapping } from './orqa-mapping.js';
import { Vocab } from './vocab.js';

const VOCAB = new Vocab(['[UNK]', 'the', 'new', 'york', 'times', 'run', '##ning', ',', '.', 'sao', 'paulo', "'", 's', 'a', 'b']);
const uncased = fixture('bert_vocab/uncased_L-12_H-768_A-12/vocab.txt');

describe('tokenizeWithOriginalMapping', () => {
  test('wordpieces map to original tokens (whitespace and punctuation split, original spelling)', () => {
    const text = 'The NEW York Times, RUNNING in São Paulo.';
    const mapping = tokenizeWithOriginalMapping(new FullTokenizer(VOCAB), text);
    expect(mapping.originalTokens.map((t) => t.text)).toEqual(['The', 'NEW', 'York', 'Times', ',', 'RUNNING', 'in', 'São', 'Paulo', '.']);
    expect(mapping.wordpieces.map((p) => p.token)).toEqual(['the', 'new', 'york', 'times', ',', 'run', '##ning', '[UNK]', 'sao', 'paulo', '.']);
    expect(Array.from(mapping.tokenMap)).toEqual([0, 1, 2, 3, 4, 5, 5, 6, 7, 8, 9]);
    expect(Array.from(mapping.tokenIds)).toEqual([1, 2, 3, 4, 7, 5, 6, 0, 9, 10, 8]);
  });

  test('span → original text: exact substring (original case/accents) and ORQA space-joined answer', () => {
    const text = 'The NEW York Times, RUNNING in São Paulo.';
    const mapping = tokenizeWithOriginalMapping(new FullTokenizer(VOCAB), text);
    // Pieces 1..3 = new york times
    expect(originalTextOfWordpieceSpan(mapping, 1, 3)).toBe('NEW York Times');
    // A span ending inside a word ("run") widens to the whole original token.
    expect(originalTextOfWordpieceSpan(mapping, 3, 5)).toBe('Times, RUNNING');
    expect(orqaAnswerText(mapping, 3, 5)).toBe('Times , RUNNING');
    expect(originalTextOfWordpieceSpan(mapping, 8, 10)).toBe('São Paulo.');
    expect(orqaAnswerText(mapping, 8, 10)).toBe('São Paulo .');
  });

  test('an original token with no wordpieces (a lone accent) still takes an index', () => {
    const mapping = tokenizeWithOriginalMapping(new FullTokenizer(VOCAB), 'a \u0301 b');
    expect(mapping.originalTokens.map((t) => [t.text, t.start, t.end])).toEqual([
      ['a', 0, 1],
      ['\u0301', 2, 3],
      ['b', 4, 5],
    ]);
    expect(Array.from(mapping.tokenMap)).toEqual([0, 2]);
    expect(orqaAnswerText(mapping, 0, 1)).toBe('a \u0301 b');
  });

  test('bad spans are errors naming the span', () => {
    const mapping = tokenizeWithOriginalMapping(new FullTokenizer(VOCAB), 'the times');
    expect(() => originalTextOfWordpieceSpan(mapping, 1, 2)).toThrow('orqa-mapping: wordpiece span [1, 2] (inclusive) is not within the 2 wordpieces');
    expect(() => orqaAnswerText(mapping, 1, 0)).toThrow('wordpiece span [1, 0]');
  });

  test.skipIf(!uncased.present)('round trip on real vocab: every single-piece span maps back to text containing the piece', () => {
    const tokenizer = FullTokenizer.fromVocabText(readFileSync(uncased.path, 'utf8'));
    const text = "Aaron \"Ahärôn\" is a prophet, Ahärôn's brother — 東京 (Tōkyō).";
    const mapping = tokenizeWithOriginalMapping(tokenizer, text);
    expect(mapping.originalTokens.map((t) => t.text)).toEqual(['Aaron', '"', 'Ahärôn', '"', 'is', 'a', 'prophet', ',', 'Ahärôn', "'", 's', 'brother', '—', '東', '京', '(', 'Tōkyō', ')', '.']);
    mapping.wordpieces.forEach((piece, k) => {
      const original = originalTextOfWordpieceSpan(mapping, k, k);
      const normalized = original.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
      expect(normalized).toContain(piece.token.replace(/^##/, ''));
    });
    // "ahärôn" → ah ##aro ##n per the vespa fixture ids (6289, 10464, 2078).
    const first = mapping.wordpieces.findIndex((p) => p.id === 6289);
    expect(mapping.wordpieces.slice(first, first + 3).map((p) => p.id)).toEqual([6289, 10464, 2078]);
    expect(originalTextOfWordpieceSpan(mapping, first, first + 2)).toBe('Ahärôn');
  });
});
