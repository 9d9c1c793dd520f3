// The invented entities of the synthetic world and the (relation, value) facts about each: people
// (birth year and city, occupation, employer, sometimes a mentor), cities (country, population) and
// organisations (founding year, headquarters city, employee count).
import { randomInt, shuffleInPlace, type Rng } from '@realm/tokenizer';
import type { WorldSizes } from './config.js';
import { UniqueNamer } from './names.js';
import type { EntityKind, Pronoun, Relation } from './types.js';

export const OCCUPATIONS: readonly string[] = [
  'astronomer', 'engineer', 'architect', 'cartographer', 'physician', 'botanist', 'sculptor', 'composer',
  'economist', 'historian', 'chemist', 'geologist', 'linguist', 'surveyor', 'navigator', 'printer',
  'painter', 'illustrator', 'mathematician', 'librarian', 'shipwright', 'watchmaker', 'translator',
  'optician', 'stonemason', 'weaver',
];

export const ORGANISATION_SUFFIXES: readonly string[] = [
  'Institute', 'Company', 'Works', 'Foundation', 'Society', 'Observatory', 'Press', 'Academy',
  'Shipyards', 'Bank', 'Trading House', 'Museum',
];

/** Year ranges: people are born after the oldest organisations were founded. */
const BIRTH_YEARS = { first: 1720, last: 1960 };
const FOUNDING_YEARS = { first: 1600, last: 1950 };

export interface EntityFact {
  relation: Relation;
  value: string;
}

export interface EntityRecord {
  kind: EntityKind;
  name: string;
  pronoun: Pronoun;
  facts: EntityFact[];
}

function yearIn(rng: Rng, range: { first: number; last: number }): number {
  return range.first + randomInt(rng, range.last - range.first + 1);
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[randomInt(rng, items.length)];
}

/**
 * Invents the entities and their facts, in document order: people, then cities, then
 * organisations. Employee counts are 2-3 digits and populations at least 5000, so no number ever
 * reads like one of the (4-digit, 1600-1960) years.
 */
export function buildEntities(sizes: WorldSizes, mentorFraction: number, namer: UniqueNamer, rng: Rng): EntityRecord[] {
  const countries = Array.from({ length: sizes.countries }, () => namer.word('country'));
  // Every country gets at least one city while there are cities to go round.
  const cityCountries = shuffleInPlace(rng, Array.from({ length: sizes.places }, (_, i) => (i < countries.length ? countries[i] : pick(rng, countries))));
  const places: EntityRecord[] = cityCountries.map((country) => ({
    kind: 'place',
    name: namer.word('city'),
    pronoun: 'it',
    facts: [
      { relation: 'country', value: country },
      { relation: 'population', value: String((500 + randomInt(rng, 99_500)) * 10) },
    ],
  }));
  const cityNames = places.map((p) => p.name);

  const organisations: EntityRecord[] = Array.from({ length: sizes.organisations }, () => ({
    kind: 'organisation',
    name: `${namer.word('organisation')} ${pick(rng, ORGANISATION_SUFFIXES)}`,
    pronoun: 'it',
    facts: [
      { relation: 'founded', value: String(yearIn(rng, FOUNDING_YEARS)) },
      { relation: 'headquarters', value: pick(rng, cityNames) },
      { relation: 'employees', value: String((2 + randomInt(rng, 98)) * 10) },
    ],
  }));
  const organisationNames = organisations.map((o) => o.name);

  const people: EntityRecord[] = [];
  const birthYears: number[] = [];
  for (let i = 0; i < sizes.people; i++) {
    const pronoun: Pronoun = rng.next() < 0.5 ? 'she' : 'he';
    const given = namer.word(pronoun === 'she' ? 'given-feminine' : 'given-masculine');
    const birthYear = yearIn(rng, BIRTH_YEARS);
    birthYears.push(birthYear);
    people.push({
      kind: 'person',
      name: `${given} ${namer.word('family')}`,
      pronoun,
      facts: [
        { relation: 'birth_year', value: String(birthYear) },
        { relation: 'birth_place', value: pick(rng, cityNames) },
        { relation: 'occupation', value: pick(rng, OCCUPATIONS) },
        { relation: 'employer', value: pick(rng, organisationNames) },
      ],
    });
  }
  // Mentors are born strictly earlier, so no two people mentor each other. `byAge` sorts people
  // oldest first; everyone before a person's first same-year peer is an elder.
  const byAge = people.map((_, i) => i).sort((a, b) => birthYears[a] - birthYears[b] || a - b);
  const eldersOf = new Array<number>(people.length);
  for (let rank = 0; rank < byAge.length; rank++) {
    const sameYearAsPrevious = rank > 0 && birthYears[byAge[rank]] === birthYears[byAge[rank - 1]];
    eldersOf[byAge[rank]] = sameYearAsPrevious ? eldersOf[byAge[rank - 1]] : rank;
  }
  for (let i = 0; i < people.length; i++) {
    if (rng.next() >= mentorFraction || eldersOf[i] === 0) continue;
    people[i].facts.push({ relation: 'mentor', value: people[byAge[randomInt(rng, eldersOf[i])]].name });
  }
  return [...people, ...places, ...organisations];
}
