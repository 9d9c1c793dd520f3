// Invented, pronounceable names built from syllables with a seeded Rng. Every word handed out is
// unique across the whole world (a city never shares a word with a person or an organisation), so a
// name found in a sentence identifies one entity.
import { randomInt, type Rng } from '@realm/tokenizer';

const SINGLE_CONSONANTS = ['b', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z'];
const ONSETS = [...SINGLE_CONSONANTS, 'br', 'dr', 'gr', 'kr', 'tr', 'st', 'sh', 'th'];
const SIMPLE_VOWELS = ['a', 'e', 'i', 'o', 'u'];
const VOWELS = [...SIMPLE_VOWELS, 'a', 'e', 'o', 'ai', 'ou'];
const CODAS = ['n', 'r', 'l', 's', 'm', 'nd', 'rt', 'sk', 'th'];
const FEMININE_ENDINGS = ['a', 'ia', 'e', 'ine', 'ela'];
const MASCULINE_ENDINGS = ['an', 'or', 'el', 'us', 'ek', 'im', 'ard'];
const CITY_ENDINGS = ['ora', 'eth', 'avel', 'imar', 'ost', 'und', 'ell', 'is', 'ava', 'ir'];
const COUNTRY_ENDINGS = ['ia', 'and', 'ara', 'esh', 'onia', 'ovia'];
const MAX_TRIES = 10_000;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[randomInt(rng, items.length)];
}

/** `count` open syllables (consonant + vowel), the first one sometimes vowel-initial. */
function openSyllables(rng: Rng, count: number): string {
  let word = rng.next() < 0.15 ? pick(rng, VOWELS) : '';
  for (let i = 0; i < count; i++) word += pick(rng, ONSETS) + pick(rng, VOWELS);
  return word;
}

function capitalise(word: string): string {
  return word[0].toUpperCase() + word.slice(1);
}

export type NameKind = 'given-feminine' | 'given-masculine' | 'family' | 'city' | 'country' | 'organisation';

function candidate(rng: Rng, kind: NameKind): string {
  const syllables = 1 + randomInt(rng, 2);
  switch (kind) {
    case 'given-feminine':
      return openSyllables(rng, syllables) + pick(rng, SINGLE_CONSONANTS) + pick(rng, FEMININE_ENDINGS);
    case 'given-masculine':
      return openSyllables(rng, syllables) + pick(rng, SINGLE_CONSONANTS) + pick(rng, MASCULINE_ENDINGS);
    case 'family':
      return openSyllables(rng, syllables) + pick(rng, SINGLE_CONSONANTS) + pick(rng, SIMPLE_VOWELS) + pick(rng, CODAS);
    case 'city':
      return openSyllables(rng, syllables) + pick(rng, SINGLE_CONSONANTS) + pick(rng, CITY_ENDINGS);
    case 'country':
      return openSyllables(rng, syllables) + pick(rng, SINGLE_CONSONANTS) + pick(rng, COUNTRY_ENDINGS);
    case 'organisation':
      return openSyllables(rng, 1) + pick(rng, SINGLE_CONSONANTS) + pick(rng, SIMPLE_VOWELS) + pick(rng, CODAS);
  }
}

/** Hands out unique capitalised words; `reserved` (lower case) are never produced. */
export class UniqueNamer {
  private readonly used = new Set<string>();

  constructor(
    private readonly rng: Rng,
    private readonly reserved: ReadonlySet<string> = new Set(),
  ) {}

  /** A fresh word of the given kind, distinct from every word handed out before. */
  word(kind: NameKind): string {
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const word = candidate(this.rng, kind);
      if (word.length < 4 || this.used.has(word) || this.reserved.has(word)) continue;
      this.used.add(word);
      return capitalise(word);
    }
    throw new Error(`names: no unused ${kind} name after ${MAX_TRIES} tries (${this.used.size} names in use)`);
  }
}
