import { fixture } from '@realm/testing';
import { describe, expect, test } from 'vitest';
import { runCli } from './run-cli.js';

const vocab = fixture('bert_vocab/uncased_L-12_H-768_A-12/vocab.txt');

describe('realm tokenize', () => {
  // Expected ids checked with google-research/bert tokenization.py (FullTokenizer, uncased).
  test.skipIf(!vocab.present)('one JSON object per stdin line, uncased by default (real vocab)', () => {
    const result = runCli(['tokenize', '--vocab', vocab.path], { input: 'Why is it that google released BERT?\r\n\nNaïve café, 東京\n' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        '{"tokens":["why","is","it","that","google","released","bert","?"],"ids":[2339,2003,2009,2008,8224,2207,14324,1029]}',
        '{"tokens":[],"ids":[]}',
        '{"tokens":["naive","cafe",",","東","京"],"ids":[15743,7668,1010,1879,1755]}',
        '',
      ].join('\n'),
    );
  });

  test.skipIf(!vocab.present)('--cased keeps case and accents (unknown to the uncased vocab)', () => {
    const result = runCli(['tokenize', '--vocab', vocab.path, '--cased'], { input: 'the Café' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('{"tokens":["the","[UNK]"],"ids":[1996,100]}\n');
  });

  test('a missing vocab file is a clear error naming the file', () => {
    const result = runCli(['tokenize', '--vocab', '/no/such/dir/vocab.txt'], { input: 'hello\n' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('realm: tokenize: cannot read vocab file /no/such/dir/vocab.txt: no such file\n');
  });

  test('--vocab is required', () => {
    const result = runCli(['tokenize'], { input: '' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/required option '--vocab <file>' not specified/);
  });
});
