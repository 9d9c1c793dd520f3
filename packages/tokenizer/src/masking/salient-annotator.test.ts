import { describe, expect, test } from 'vitest';
import { annotateSalientSpans, loadSalientAnnotator } from './salient-annotator.js';

await loadSalientAnnotator();

const show = (text: string, spans: { start: number; end: number; label?: string }[]): [string | undefined, string][] =>
  spans.map((s) => [s.label, text.slice(s.start, s.end)]);

describe('annotateSalientSpans', () => {
  const text =
    'Barack Obama was born in Honolulu, Hawaii, on August 4, 1961. He later worked for Microsoft.\n\n' +
    '"Dr. Jane Smith moved to Paris in 1990," the report said.';

  test('sentences keep their opening and closing punctuation, not the whitespace between them', () => {
    const { sentences } = annotateSalientSpans(text);
    expect(show(text, sentences).map(([, s]) => s)).toEqual([
      'Barack Obama was born in Honolulu, Hawaii, on August 4, 1961.',
      'He later worked for Microsoft.',
      '"Dr. Jane Smith moved to Paris in 1990," the report said.',
    ]);
    expect(sentences[0]).toEqual({ start: 0, end: 61 });
  });

  test('entities and dates, labelled, de-overlapped and sorted; titles dropped; "City, State" split', () => {
    const { spans } = annotateSalientSpans(text);
    expect(show(text, spans)).toEqual([
      ['PERSON', 'Barack Obama'],
      ['PLACE', 'Honolulu'],
      ['PLACE', 'Hawaii'],
      ['DATE', 'August 4, 1961'],
      ['ORG', 'Microsoft'],
      ['PERSON', 'Jane Smith'],
      ['PLACE', 'Paris'],
      ['DATE', '1990'],
    ]);
    expect(spans[0]).toEqual({ start: 0, end: 12, label: 'PERSON' });
    for (let i = 1; i < spans.length; i++) expect(spans[i].start).toBeGreaterThanOrEqual(spans[i - 1].end);
  });

  test("possessive 's is not part of the name", () => {
    const t = "President Joe Biden met Obama's staff.";
    expect(show(t, annotateSalientSpans(t).spans)).toEqual([
      ['PERSON', 'Joe Biden'],
      ['PERSON', 'Obama'],
    ]);
  });

  test('offsets are UTF-16 indices even after astral characters', () => {
    const t = '😀😀 Angela Merkel visited Zürich in 2003.';
    const { spans, sentences } = annotateSalientSpans(t);
    expect(show(t, spans)).toEqual([
      ['PERSON', 'Angela Merkel'],
      ['PLACE', 'Zürich'],
      ['DATE', '2003'],
    ]);
    expect(spans[0].start).toBe(5);
    expect(sentences).toEqual([{ start: 0, end: t.length }]);
  });

  test('blank text has nothing; non-strings are rejected', () => {
    expect(annotateSalientSpans(' \n ')).toEqual({ sentences: [], spans: [] });
    expect(() => annotateSalientSpans(42 as unknown as string)).toThrow('annotateSalientSpans: text must be a string, got number');
  });
});
