import { readFileSync } from 'node:fs';
import { fixture } from '@realm/testing';
import { describe, expect, test } from 'vitest';
import { Vocab } from './vocab.js';

const uncased = fixture('bert_vocab/uncased_L-12_H-768_A-12/vocab.txt');

describe('Vocab.fromText', () => {
  test('index = line number; trailing newline adds no token', () => {
    const vocab = Vocab.fromText('[PAD]\n[UNK]\nthe\n##s\n');
    expect(vocab.size).toBe(4);
    expect(vocab.get('the')).toBe(2);
    expect(vocab.get('##s')).toBe(3);
    expect(vocab.tokens).toEqual(['[PAD]', '[UNK]', 'the', '##s']);
  });

  test('CRLF line endings are stripped (and a last line without newline counts)', () => {
    const vocab = Vocab.fromText('[PAD]\r\n[UNK]\r\nthe');
    expect(vocab.tokens).toEqual(['[PAD]', '[UNK]', 'the']);
    expect(vocab.get('[UNK]')).toBe(1);
    expect(vocab.get('[UNK]\r')).toBeUndefined();
  });

  test('a blank line in the middle keeps its index (as Python load_vocab does)', () => {
    const vocab = Vocab.fromText('a\n\nb\n');
    expect(vocab.size).toBe(3);
    expect(vocab.get('b')).toBe(2);
  });

  test('a repeated token keeps the later id (Python dict assignment)', () => {
    const vocab = Vocab.fromText('x\ny\nx\n');
    expect(vocab.get('x')).toBe(2);
    expect(vocab.convertIdsToTokens([0, 1, 2])).toEqual(['x', 'y', 'x']);
  });

  test('longest-token bounds used by WordPiece', () => {
    const vocab = new Vocab(['[UNK]', 'abc', '##defgh', 'z']);
    expect(vocab.maxTokenLength).toBe(7);
    expect(vocab.maxContinuationLength).toBe(5);
  });

  test('empty text is an error naming the source', () => {
    expect(() => Vocab.fromText('', 'my/vocab.txt')).toThrow('vocab my/vocab.txt: the vocabulary is empty');
  });
});

describe('special tokens and conversions', () => {
  test('a missing special token is a clear error naming the vocab and token', () => {
    const vocab = new Vocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]'], 'tiny.txt');
    expect(() => vocab.specialTokenIds()).toThrow('vocab tiny.txt: token "[MASK]" (needed for special token [MASK]) is not in the vocabulary of 4 tokens');
  });

  test('unknown token / id in conversions are errors', () => {
    const vocab = new Vocab(['[UNK]', 'a']);
    expect(vocab.convertTokensToIds(['a', '[UNK]'])).toEqual([1, 0]);
    expect(() => vocab.convertTokensToIds(['b'])).toThrow('token "b" (needed for convert_tokens_to_ids) is not in the vocabulary of 2 tokens');
    expect(() => vocab.convertIdsToTokens([2])).toThrow('vocab inline: id 2 is outside the vocabulary (size 2)');
  });

  test.skipIf(!uncased.present)('bert-base-uncased vocab: 30522 tokens and the MANIFEST ids', () => {
    const vocab = Vocab.fromText(readFileSync(uncased.path, 'utf8'), uncased.path);
    expect(vocab.size).toBe(30522);
    expect(vocab.specialTokenIds()).toEqual({ pad: 0, unk: 100, cls: 101, sep: 102, mask: 103 });
    expect(vocab.get('[unused0]')).toBe(1);
    expect(vocab.get('[unused99]')).toBe(104);
    expect(vocab.get('!')).toBe(999);
    expect(vocab.get('the')).toBe(1996);
    expect(vocab.get('##s')).toBe(2015);
  });
});
