import { createRng } from '@realm/tokenizer';
import { expect, test } from 'vitest';
import { UniqueNamer, type NameKind } from './names.js';

const KINDS: NameKind[] = ['given-feminine', 'given-masculine', 'family', 'city', 'country', 'organisation'];

test('5000 words across all kinds are unique, capitalised and pronounceable (no 4 consonants in a row)', () => {
  const namer = new UniqueNamer(createRng(1));
  const words = Array.from({ length: 5000 }, (_, i) => namer.word(KINDS[i % KINDS.length]));
  expect(new Set(words.map((w) => w.toLowerCase())).size).toBe(5000);
  expect(words.filter((word) => !/^[A-Z][a-z]{3,}$/.test(word) || /[^aeiou]{4}/i.test(word))).toEqual([]);
});

test('feminine given names end in a vowel, masculine ones in a consonant', () => {
  const namer = new UniqueNamer(createRng(2));
  const feminine = Array.from({ length: 200 }, () => namer.word('given-feminine'));
  const masculine = Array.from({ length: 200 }, () => namer.word('given-masculine'));
  expect(feminine.filter((name) => !/[aeiou]$/.test(name))).toEqual([]);
  expect(masculine.filter((name) => /[aeiou]$/.test(name))).toEqual([]);
});

test('reserved words are never produced', () => {
  const free = new UniqueNamer(createRng(3));
  const first = free.word('city').toLowerCase();
  const reserved = new UniqueNamer(createRng(3), new Set([first]));
  expect(reserved.word('city').toLowerCase()).not.toBe(first);
});

test('a generator that can only produce one word fails with a clear error on the second request', () => {
  const stuck = { next: (): number => 0 };
  const namer = new UniqueNamer(stuck);
  // Every draw picks item 0: 1 syllable, vowel-initial ('a' + 'ba'), then 'b' + 'a' + coda 'n'.
  expect(namer.word('family')).toBe('Ababan');
  expect(() => namer.word('family')).toThrow('names: no unused family name after 10000 tries (1 names in use)');
});
