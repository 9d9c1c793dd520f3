import { createRng } from '@realm/tokenizer';
import { describe, expect, test } from 'vitest';
import { parseWorldConfig, WorldConfigSchema, worldSizes } from './config.js';
import { generateWorld } from './generate.js';
import { templateWords } from './templates.js';
import type { Relation } from './types.js';

const world = generateWorld();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whole-word containment: "1843" is not found inside "18430", "Mara" not inside "Maral". */
function mentions(text: string, phrase: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9])${escapeRegExp(phrase)}($|[^A-Za-z0-9])`).test(text);
}

function splitSentences(body: string): string[] {
  return body.split(/(?<=[.?]) /);
}

function sentenceOffsets(body: string): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const sentence of splitSentences(body)) {
    offsets.push(at);
    at += sentence.length + 1;
  }
  return offsets;
}

describe('WorldConfigSchema', () => {
  test('defaults', () => {
    expect(parseWorldConfig()).toEqual({
      seed: 13,
      scale: 1,
      numPeople: 400,
      numPlaces: 32,
      numOrganisations: 24,
      numCountries: 6,
      mentorFraction: 0.5,
      heldoutFraction: 0.2,
      devFraction: 0.5,
      restatementsPerFact: 1,
    });
  });

  test('every field is described', () => {
    for (const [key, field] of Object.entries(WorldConfigSchema.unwrap().shape)) expect(field.description, key).toBeTruthy();
  });

  test('a misspelled key or an out-of-range value is an error naming the field', () => {
    expect(() => parseWorldConfig({ numPeopel: 3 } as never)).toThrow(/numPeopel/);
    expect(() => parseWorldConfig({ heldoutFraction: 1.5 })).toThrow(/heldoutFraction/);
    expect(() => parseWorldConfig({ scale: 0 })).toThrow(/scale/);
  });
});

describe('generateWorld sizes', () => {
  test('scale 1: 400 people, 32 cities, 24 organisations, one document each', () => {
    expect(world.documents).toHaveLength(456);
    const count = (relation: Relation): number => world.facts.filter((f) => f.relation === relation).length;
    for (const relation of ['birth_year', 'birth_place', 'occupation', 'employer'] as const) expect(count(relation)).toBe(400);
    expect(count('country')).toBe(32);
    expect(count('founded')).toBe(24);
    // About half the people (those with an elder) have a mentor.
    expect(count('mentor')).toBeGreaterThan(150);
    expect(count('mentor')).toBeLessThan(250);
    expect(world.facts).toHaveLength(400 * 4 + count('mentor') + 32 * 2 + 24 * 3);
  });

  test('the scale knob changes every count proportionally', () => {
    expect(worldSizes(parseWorldConfig({ scale: 0.5 }))).toEqual({ people: 200, places: 16, organisations: 12, countries: 3 });
    const half = generateWorld({ scale: 0.5 });
    const double = generateWorld({ scale: 2 });
    expect(half.documents).toHaveLength(228);
    expect(double.documents).toHaveLength(912);
    const ratio = double.facts.length / half.facts.length;
    expect(ratio).toBeGreaterThan(3.7);
    expect(ratio).toBeLessThan(4.3);
    expect(double.qa.test.length / half.qa.test.length).toBeCloseTo(4, 0);
  });

  test('the same seed gives a deep-equal world; another seed a different one', () => {
    expect(generateWorld({ seed: 5, scale: 0.25 })).toEqual(generateWorld({ seed: 5, scale: 0.25 }));
    expect(generateWorld({}, createRng(13))).toEqual(world);
    const other = generateWorld({ seed: 14 });
    expect(other.documents.map((d) => d.title)).not.toEqual(world.documents.map((d) => d.title));
  });
});

describe('names', () => {
  test('entity names are unique, and no word is shared between two entities or equals a template word', () => {
    const names = world.entities.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    const reserved = templateWords();
    const owner = new Map<string, string>();
    for (const entity of world.entities) {
      // Organisation suffixes (Institute, Works, ...) are shared on purpose; their stem is not.
      const words = entity.kind === 'organisation' ? [entity.name.split(' ')[0]] : entity.name.split(' ');
      for (const word of words) {
        expect(owner.get(word), `${word} in ${entity.name} and ${owner.get(word)}`).toBeUndefined();
        expect(reserved.has(word.toLowerCase())).toBe(false);
        owner.set(word, entity.name);
      }
    }
  });

  test('mentors are born strictly earlier than their students', () => {
    const birthYear = new Map(world.facts.filter((f) => f.relation === 'birth_year').map((f) => [f.subject, Number(f.value)]));
    for (const fact of world.facts.filter((f) => f.relation === 'mentor')) {
      expect(birthYear.get(fact.value) as number).toBeLessThan(birthYear.get(fact.subject) as number);
    }
  });
});

describe('documents', () => {
  test('every fact value stands at its recorded span, inside its recorded sentence of its subject document', () => {
    for (const fact of world.facts) {
      const doc = world.documents[fact.docIndex];
      expect(doc.title).toBe(fact.subject);
      expect(doc.body.slice(fact.docValueSpan.start, fact.docValueSpan.end)).toBe(fact.value);
      const starts = sentenceOffsets(doc.body);
      const sentence = splitSentences(doc.body)[fact.docSentenceIndex];
      expect(fact.docValueSpan.start).toBeGreaterThanOrEqual(starts[fact.docSentenceIndex]);
      expect(fact.docValueSpan.end).toBeLessThanOrEqual(starts[fact.docSentenceIndex] + sentence.length);
    }
  });

  test('the subject name is not always the first token of a document sentence', () => {
    let sentences = 0;
    let nameFirst = 0;
    let pronounFirst = 0;
    for (const doc of world.documents) {
      for (const sentence of splitSentences(doc.body)) {
        sentences += 1;
        if (sentence.startsWith(doc.title)) nameFirst += 1;
        if (/^(He|She|It) /.test(sentence)) pronounFirst += 1;
      }
    }
    expect(nameFirst / sentences).toBeLessThan(0.5);
    expect(nameFirst / sentences).toBeGreaterThan(0.15);
    expect(pronounFirst / sentences).toBeGreaterThan(0.1);
  });

  test('documents use at least 4 distinct templates per relation, including two-fact sentences', () => {
    const templatesByRelation = new Map<Relation, Set<string>>();
    for (const fact of world.facts) {
      const set = templatesByRelation.get(fact.relation) ?? new Set<string>();
      set.add(fact.docTemplateId);
      templatesByRelation.set(fact.relation, set);
    }
    for (const [relation, ids] of templatesByRelation) expect(ids.size, relation).toBeGreaterThanOrEqual(4);
    expect(world.facts.some((f) => f.docTemplateId.includes('combo'))).toBe(true);
  });
});

describe('pre-training records', () => {
  const records = [...world.pretrain.train, ...world.pretrain.heldout];

  test('one record per fact; each span is the fact value with its label, inside the sentence', () => {
    expect(records).toHaveLength(world.facts.length);
    for (const record of records) {
      const fact = world.facts[record.factId];
      expect(record.spans).toHaveLength(1);
      const [span] = record.spans;
      expect(record.text.slice(span.start, span.end)).toBe(fact.value);
      expect(span.label).toBe(fact.label);
      expect(record.sentences).toEqual([{ start: 0, end: record.text.length }]);
      expect(span.start).toBeGreaterThanOrEqual(record.sentences[0].start);
      expect(span.end).toBeLessThanOrEqual(record.sentences[0].end);
      expect(mentions(record.text, fact.subject)).toBe(true);
      expect(record.title).toBe(fact.subject);
      expect(record.sourceDocIndex).toBe(fact.docIndex);
    }
  });

  test('facts point at their records, and each record restates its fact with another template than the document', () => {
    for (const fact of world.facts) {
      expect(fact.pretrainIndices).toHaveLength(1);
      const record = world.pretrain[fact.pretrainSplit][fact.pretrainIndices[0]];
      expect(record.factId).toBe(fact.id);
      expect(record.templateId).not.toBe(fact.docTemplateId);
    }
  });

  test('several templates per relation, and the subject is first in under half of the sentences', () => {
    const byRelation = new Map<Relation, Set<string>>();
    for (const record of records) {
      const relation = world.facts[record.factId].relation;
      byRelation.set(relation, (byRelation.get(relation) ?? new Set<string>()).add(record.templateId));
    }
    for (const [relation, ids] of byRelation) expect(ids.size, relation).toBeGreaterThanOrEqual(4);
    const subjectFirst = records.filter((r) => r.text.startsWith(r.title)).length;
    expect(subjectFirst / records.length).toBeLessThan(0.5);
  });

  test('restatementsPerFact gives that many distinct templates per fact', () => {
    const small = generateWorld({ scale: 0.1, restatementsPerFact: 3 });
    for (const fact of small.facts) {
      const ids = fact.pretrainIndices.map((i) => small.pretrain[fact.pretrainSplit][i].templateId);
      expect(new Set(ids).size).toBe(3);
      expect(ids).not.toContain(fact.docTemplateId);
    }
  });
});

describe('QA', () => {
  test('every answer is the fact value and appears verbatim in its fact document body', () => {
    for (const split of ['train', 'dev', 'test'] as const) {
      for (const example of world.qa[split]) {
        const fact = world.facts[example.factId];
        expect(example.answer).toEqual([fact.value]);
        expect(world.documents[fact.docIndex].body).toContain(example.answer[0]);
        expect(mentions(example.question, fact.subject)).toBe(true);
        expect(example.question.endsWith('?')).toBe(true);
      }
    }
  });

  test('three question templates per relation are in use', () => {
    const byRelation = new Map<Relation, Set<string>>();
    for (const example of world.qa.train) {
      const relation = world.facts[example.factId].relation;
      byRelation.set(relation, (byRelation.get(relation) ?? new Set<string>()).add(example.templateId));
    }
    for (const [relation, ids] of byRelation) expect(ids.size, relation).toBe(3);
  });
});

describe('held-out facts', () => {
  const heldout = world.facts.filter((f) => f.heldout);

  test('20% of each relation is held out; held-out questions split evenly into dev and test', () => {
    expect(world.facts.filter((f) => f.relation === 'birth_year' && f.heldout)).toHaveLength(80);
    expect(world.facts.filter((f) => f.relation === 'founded' && f.heldout)).toHaveLength(5); // round(24 * 0.2)
    expect(world.qa.dev.length + world.qa.test.length).toBe(heldout.length);
    expect(world.qa.dev.length).toBe(Math.round(heldout.length / 2));
    expect(world.pretrain.heldout).toHaveLength(heldout.length);
  });

  test('by fact id: training sentences and QA train never come from held-out facts; dev/test only do', () => {
    expect(world.pretrain.train.every((r) => !world.facts[r.factId].heldout && r.split === 'train')).toBe(true);
    expect(world.pretrain.heldout.every((r) => world.facts[r.factId].heldout && r.split === 'heldout')).toBe(true);
    expect(world.qa.train.every((q) => !world.facts[q.factId].heldout)).toBe(true);
    expect([...world.qa.dev, ...world.qa.test].every((q) => world.facts[q.factId].heldout)).toBe(true);
  });

  test('by string search: no training sentence or QA train question names a held-out subject with its value', () => {
    const trainingTexts = [...world.pretrain.train.map((r) => r.text), ...world.qa.train.map((q) => q.question)];
    let leaks = 0;
    for (const fact of heldout) {
      for (const text of trainingTexts) {
        if (text.includes(fact.subject) && mentions(text, fact.subject) && mentions(text, fact.value)) leaks += 1;
      }
    }
    expect(leaks).toBe(0);
    // The check can fire: the held-out sentences themselves do name subject and value together.
    expect(world.pretrain.heldout.every((r) => mentions(r.text, world.facts[r.factId].value))).toBe(true);
  });
});
