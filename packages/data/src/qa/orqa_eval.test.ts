// ORQA evaluation on the real dataset files with hand-worked predictions (eval_utils.evaluate_predictions).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '@realm/testing';
import { describe, expect, test } from 'vitest';
import { evaluatePredictionFiles, evaluatePredictions, exactMatchScore, isCorrect, regexMatchScore } from './orqa_eval.js';

const scratch = mkdtempSync(join(tmpdir(), 'realm-qa-eval-'));

function writePredictions(name: string, predictions: Array<[string, string]>): string {
  const path = join(scratch, name);
  writeFileSync(path, predictions.map(([question, prediction]) => JSON.stringify({ question, prediction })).join('\n') + '\n');
  return path;
}

/** Distinct questions, counted with plain JSON.parse (independent of the reader under test). */
function distinctQuestions(path: string): number {
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.length > 0);
  return new Set(lines.map((line) => (JSON.parse(line) as { question: string }).question)).size;
}

describe('scores', () => {
  test('exact match normalises both sides', () => {
    expect(exactMatchScore('The  Beatles.', 'beatles')).toBe(true);
    expect(exactMatchScore('\u201cAustria\u201d', 'Austria')).toBe(false); // curly quotes are kept
  });

  test('regex match is anchored at the start and a bad pattern scores false', () => {
    expect(regexMatchScore('February', 'Sept?(ember)?|Feb(ruary)?')).toBe(true);
    expect(regexMatchScore('  September', 'Sept?(ember)?|Feb(ruary)?')).toBe(false);
    expect(regexMatchScore('Sievert (Sv)', 'Sievert \\(Sv\\)\\')).toBe(false);
  });

  test('isCorrect is the max over gold answers', () => {
    expect(isCorrect(['Salzburg, Austria', 'Austria'], 'salzburg austria', false)).toBe(true);
    expect(isCorrect(['x', 'y'], 'z', false)).toBe(false);
  });

  test('evaluatePredictions counts missing predictions as wrong and ignores extra ones', () => {
    const references = new Map([
      ['q1', ['a dog']],
      ['q2', ['cat']],
      ['q3', ['emu']],
    ]);
    const predictions = new Map([
      ['q1', 'Dog'],
      ['q2', 'cats'],
      ['unknown', 'emu'],
    ]);
    // q1 correct ("a dog" and "Dog" both normalise to "dog"), q2 wrong, q3 missing: 1/3.
    expect(evaluatePredictions(references, predictions, false)).toEqual({ accuracy: 1 / 3, num_correct: 1, num_total: 3, missing_predictions: 1 });
  });
});

describe('evaluatePredictionFiles on the fixtures', () => {
  const webQuestions = fixture('qa/webquestions/WebQuestions-train.txt');
  const curatedTrec = fixture('qa/curatedtrec/CuratedTrec-train.txt');
  const nqOpen = fixture('qa/nq_open/NQ-open.efficientqa.dev.1.1.jsonl');

  test.skipIf(!webQuestions.present)('WebQuestions: accents via NFD, odd whitespace, duplicates in predictions', async () => {
    const predictions = writePredictions('wq.jsonl', [
      // gold "Jaxon Bieber": "  JAXON  bieber!! " -> "jaxon bieber" -> correct.
      ['what is the name of justin bieber brother?', '  JAXON  bieber!! '],
      // gold "Padmé Amidala"; "Padme Amidala" lacks the U+0301 that NFD gives the gold -> wrong ...
      ['what character did natalie portman play in star wars?', 'Padme Amidala'],
      // ... but the later line wins, and precomposed "Padmé" equals decomposed "Padme\u0301" after NFD -> correct.
      ['what character did natalie portman play in star wars?', 'Padme\u0301 Amidala'],
      // gold "New York City": "the new\u00a0york\u3000city." -> " new york city" -> "new york city" -> correct.
      ['what state does selena gomez?', 'the new\u00a0york\u3000city.'],
      ['a question that is not in the file', 'ignored'],
    ]);
    const total = distinctQuestions(webQuestions.path);
    expect(total).toBe(3778);
    const report = await evaluatePredictionFiles(webQuestions.path, predictions);
    expect(report.result).toEqual({ accuracy: 3 / 3778, num_correct: 3, num_total: 3778, missing_predictions: 3775 });
    expect(report.warnings).toEqual([]);
  });

  test.skipIf(!nqOpen.present)('NQ-open: punctuation removed, Unicode quotes kept', async () => {
    const predictions = writePredictions('nq.jsonl', [
      // gold ["Salzburg, Austria", "Austria"]: "“Austria”" keeps U+201C/U+201D -> wrong.
      ['where does the movie the sound of music take place', '\u201cAustria\u201d'],
      // gold ["1988"]: "(1988)" -> "1988" -> correct.
      ['the last time la dodgers won the world series', '(1988)'],
    ]);
    const report = await evaluatePredictionFiles(nqOpen.path, predictions);
    expect(report.result).toEqual({ accuracy: 1 / 1800, num_correct: 1, num_total: 1800, missing_predictions: 1798 });
  });

  test.skipIf(!curatedTrec.present)('CuratedTrec regexes: anchoring, a non-compiling gold pattern, duplicate references', async () => {
    const predictions = writePredictions('ct.jsonl', [
      // "Sept?(ember)?|Feb(ruary)?": "February" matches at 0 -> correct; "  September" would not.
      ['When is Fashion week in NYC?', 'February'],
      // "Long Island|New\\s?York|Roosevelt Field": prefix match, trailing text allowed -> correct.
      ['What site did Lindbergh begin his flight from in 1927?', 'roosevelt field, NY'],
      // "How hot is the sun?": "(5,?778|...)\\s*K|..." needs the number first -> "about 5778 K" is wrong.
      ['How hot is the sun?', 'about 5778 K'],
      // Gold ends in a lone backslash, which Python cannot compile -> wrong whatever the prediction.
      ['What is measured in curies?', 'radiation'],
      // Asked twice in the file; the later gold "1809|Feb(ruary|\\.?) 12" wins, so "February 12, 1809" -> correct
      // (the earlier "1809.*?" would have rejected it).
      ['When was Abraham Lincoln born?', 'February 12, 1809'],
    ]);
    const total = distinctQuestions(curatedTrec.path);
    expect(total).toBe(1480); // 1486 lines, 6 repeated questions
    const report = await evaluatePredictionFiles(curatedTrec.path, predictions, { isRegex: true });
    expect(report.result).toEqual({ accuracy: 3 / 1480, num_correct: 3, num_total: 1480, missing_predictions: 1475 });
    expect(report.warnings).toEqual([]);
  });

  test.skipIf(!curatedTrec.present)('warns like evaluate_predictions when --is_regex and the file name disagree', async () => {
    const predictions = writePredictions('none.jsonl', [['When is Fashion week in NYC?', 'Feb']]);
    const report = await evaluatePredictionFiles(curatedTrec.path, predictions, { isRegex: false });
    expect(report.warnings).toEqual(['Warning: regex evaluation should (only) be applied to CuratedTrec.']);
    // Without --is_regex the pattern is compared as text: "feb" != "septemberfebruary" -> wrong.
    expect(report.result.num_correct).toBe(0);
  });
});
