// Precision/recall of annotateSalientSpans against the hand-labelled sample salient-sample.json.
// Floors are the measured values (labelled P 0.887, R 0.872 on 44 sentences / 117 spans) minus 0.03.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { annotateSalientSpans, loadSalientAnnotator, scoreSalientSpans, type LabelledSample } from '../src/index.js';

await loadSalientAnnotator();

interface GoldSpan {
  start: number;
  end: number;
  label: string;
  text: string;
}
const sample = JSON.parse(readFileSync(new URL('./salient-sample.json', import.meta.url), 'utf8')) as {
  sentences: { text: string; spans: GoldSpan[] }[];
};

describe('salient-sample.json', () => {
  test('gold offsets match their substrings, labels are known, spans are sorted and disjoint', () => {
    expect(sample.sentences.length).toBeGreaterThanOrEqual(40);
    for (const { text, spans } of sample.sentences) {
      spans.forEach((span, i) => {
        expect(text.slice(span.start, span.end), text).toBe(span.text);
        expect(['PERSON', 'PLACE', 'ORG', 'DATE']).toContain(span.label);
        if (i > 0) expect(span.start).toBeGreaterThanOrEqual(spans[i - 1].end);
      });
    }
    const labels = new Set(sample.sentences.flatMap((s) => s.spans.map((g) => g.label)));
    expect([...labels].sort()).toEqual(['DATE', 'ORG', 'PERSON', 'PLACE']);
  });
});

describe('scoreSalientSpans', () => {
  test('hand-worked counts: one exact hit, one wrong label, one miss', () => {
    const samples: LabelledSample[] = [
      { text: 'x', spans: [{ start: 0, end: 3, label: 'PERSON' }, { start: 5, end: 8, label: 'PLACE' }, { start: 10, end: 12, label: 'DATE' }] },
    ];
    const scores = scoreSalientSpans(samples, () => [{ start: 0, end: 3, label: 'PERSON' }, { start: 5, end: 8, label: 'ORG' }]);
    expect(scores.labelled).toMatchObject({ truePositives: 1, predicted: 2, gold: 3, precision: 0.5, recall: 1 / 3 });
    expect(scores.unlabelled).toMatchObject({ truePositives: 2, precision: 1, recall: 2 / 3 });
    expect(scores.perLabel.ORG).toMatchObject({ truePositives: 0, predicted: 1, gold: 0, precision: 0, recall: 1 });
    expect(scores.perLabel.PLACE).toMatchObject({ truePositives: 0, predicted: 0, gold: 1, precision: 1, recall: 0 });
  });
});

describe('annotateSalientSpans on the labelled sample', () => {
  const scores = scoreSalientSpans(sample.sentences, (text) => annotateSalientSpans(text).spans);

  test('labelled exact-match precision ≥ 0.85 and recall ≥ 0.84', () => {
    expect(scores.labelled.precision).toBeGreaterThanOrEqual(0.85);
    expect(scores.labelled.recall).toBeGreaterThanOrEqual(0.84);
  });

  test('per-label floors (measured − margin): DATE P ≥ 0.95, R ≥ 0.94; entities P, R ≥ 0.7', () => {
    expect(scores.perLabel.DATE.precision).toBeGreaterThanOrEqual(0.95);
    expect(scores.perLabel.DATE.recall).toBeGreaterThanOrEqual(0.94);
    for (const label of ['PERSON', 'PLACE', 'ORG']) {
      expect(scores.perLabel[label].precision, label).toBeGreaterThanOrEqual(0.7);
      expect(scores.perLabel[label].recall, label).toBeGreaterThanOrEqual(0.7);
    }
  });
});
