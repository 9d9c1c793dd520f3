import { describe, expect, test } from 'vitest';
import { renderTemplate } from './render.js';
import { patternRelations, questionTemplates, singleFactTemplates, STATEMENT_TEMPLATES } from './templates.js';

describe('renderTemplate', () => {
  test('fills slots, picks the article and records exact offsets (hand-counted)', () => {
    const out = renderTemplate('{A:occupation} by trade, {s} was widely respected.', 'Ada Lune', { occupation: 'engineer' });
    expect(out.text).toBe('An engineer by trade, Ada Lune was widely respected.');
    // "An " is 3 chars, "engineer" 8, ", by trade, " puts the name at 22.
    expect(out.valueSpans).toEqual({ occupation: { start: 3, end: 11 } });
    expect(out.subjectStart).toBe(22);
  });

  test('a lower-case article before a consonant, two values in one sentence', () => {
    const out = renderTemplate('At {employer}, {s} was employed as {a:occupation}.', 'she', { employer: 'Kalirt Works', occupation: 'printer' }, true);
    expect(out.text).toBe('At Kalirt Works, she was employed as a printer.');
    expect(out.valueSpans.employer).toEqual({ start: 3, end: 15 });
    expect(out.valueSpans.occupation).toEqual({ start: 39, end: 46 });
  });

  test('a pronoun subject is capitalised only at the start of the sentence', () => {
    expect(renderTemplate('{s} was born in {birth_year}.', 'she', { birth_year: '1843' }, true).text).toBe('She was born in 1843.');
    expect(renderTemplate('In {birth_year}, {s} was born.', 'he', { birth_year: '1843' }, true).text).toBe('In 1843, he was born.');
  });

  test('a missing value or a missing subject slot is an error naming the pattern', () => {
    expect(() => renderTemplate('{s} was born in {birth_year}.', 'X', {})).toThrow('renderTemplate: no value for slot {birth_year} in "{s} was born in {birth_year}."');
    expect(() => renderTemplate('Born in {birth_year}.', 'X', { birth_year: '1' })).toThrow('renderTemplate: pattern has no subject slot {s}: "Born in {birth_year}."');
  });
});

describe('templates', () => {
  test('every statement template has a subject slot and its declared relations', () => {
    for (const templates of Object.values(STATEMENT_TEMPLATES)) {
      for (const t of templates) {
        expect(t.pattern).toContain('{s}');
        expect(t.relations).toEqual(patternRelations(t.pattern));
        expect(t.relations.length).toBeGreaterThanOrEqual(1);
      }
    }
  });

  test('each relation has at least 4 single-fact statement templates and 3 question templates', () => {
    const relations = {
      person: ['birth_year', 'birth_place', 'occupation', 'employer', 'mentor'],
      place: ['country', 'population'],
      organisation: ['founded', 'headquarters', 'employees'],
    } as const;
    for (const [kind, list] of Object.entries(relations)) {
      for (const relation of list) {
        expect(singleFactTemplates(kind as keyof typeof relations, relation).length, `${kind}/${relation}`).toBeGreaterThanOrEqual(4);
        expect(questionTemplates(relation)).toHaveLength(3);
      }
    }
  });

  test('template ids are unique within an entity kind', () => {
    for (const templates of Object.values(STATEMENT_TEMPLATES)) {
      const ids = templates.map((t) => t.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});
