// Scoring hand-worked predictions against the real NQ-open and CuratedTREC files through the app's
// path: the questions come from readQaFile, the predictions are written by writePredictions, and
// they are scored both per question (officialExactMatch, as evaluateQuestions does with the
// dataset's regex switch) and by `realm qa score`'s evaluatePredictionFiles over the whole file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluatePredictionFiles } from '@realm/data';
import { officialExactMatch } from '@realm/model';
import { fixture } from '@realm/testing';
import { describe, expect, test } from 'vitest';
import { datasetIsRegex, readQaFile } from './datasets.js';
import { writePredictions, type PredictionRecord } from './evaluate.js';

const nq = fixture('qa/nq_open/NQ-open.efficientqa.dev.1.1.sample.jsonl');
const ct = fixture('qa/curatedtrec/CuratedTrec-train.txt');
const wq = fixture('qa/webquestions/WebQuestions-train.txt');

/** A prediction line as `finetune-orqa eval` writes it (block fields filled with placeholders). */
function record(question: string, answers: readonly string[], prediction: string, isRegex: boolean): PredictionRecord {
  const correct = officialExactMatch(prediction, answers, isRegex);
  return {
    question, prediction, answers, block_id: 0, block_rank: 0, block_title: 't', block_text: prediction, answer_start: 0, answer_end: prediction.length,
    score: 0, reader_score: 0, retrieval_score: 0, exact_match: correct, official_exact_match: correct, reader_oracle: correct, recall: { 5: correct },
  };
}

describe('scoring predictions of real QA files', () => {
  test.skipIf(!nq.present)('NQ-open: normalised exact match, missing predictions count as wrong', async () => {
    const items = await readQaFile(nq.path, 3);
    expect(items).toEqual([
      { question: 'the last time la dodgers won the world series', answers: ['1988'] },
      { question: "who sings ain't nothing but a good time", answers: ['Poison'] },
      { question: 'where does the movie the sound of music take place', answers: ['Salzburg, Austria', 'Austria'] },
    ]);
    expect(datasetIsRegex('nq')).toBe(false);
    // "poison." normalises to "poison" (lower case, punctuation dropped); Vienna matches nothing.
    const predictions = ['1988', 'poison.', 'Vienna'];
    const records = items.map((item, i) => record(item.question, item.answers, predictions[i], false));
    expect(records.map((r) => r.official_exact_match)).toEqual([true, true, false]);
    const out = join(mkdtempSync(join(tmpdir(), 'orqa-score-')), 'nq.jsonl');
    await writePredictions(out, records);
    const report = await evaluatePredictionFiles(nq.path, out);
    // 2 correct of the file's 100 questions (97 have no prediction).
    expect(report.result).toEqual({ accuracy: 0.02, num_correct: 2, num_total: 100, missing_predictions: 97 });
  });

  test.skipIf(!ct.present)('CuratedTREC: regex answers matched at the start of the prediction', async () => {
    const items = await readQaFile(ct.path, 3);
    expect(items.map((i) => i.answers)).toEqual([['Sept?(ember)?|Feb(ruary)?'], ['Long Island|New\\s?York|Roosevelt Field'], ['Saudi Arabia']]);
    expect(datasetIsRegex('ct')).toBe(true);
    // "september 2013" matches Sept?(ember)? case-insensitively at its start; "Roosevelt Field, NY" matches
    // the third alternative; "in Saudi Arabia" does not match at position 0 (re.match, not re.search).
    const predictions = ['september 2013', 'Roosevelt Field, NY', 'in Saudi Arabia'];
    const records = items.map((item, i) => record(item.question, item.answers, predictions[i], true));
    expect(records.map((r) => r.official_exact_match)).toEqual([true, true, false]);
    const out = join(mkdtempSync(join(tmpdir(), 'orqa-score-')), 'ct.jsonl');
    await writePredictions(out, records);
    const report = await evaluatePredictionFiles(ct.path, out, { isRegex: true });
    expect(report.result.num_correct).toBe(2);
    // 1486 lines, but references are keyed by question text: 6 repeated questions collapse to 1480.
    expect(report.result.num_total).toBe(1480);
  });

  test.skipIf(!wq.present)('WebQuestions: the answer-first key order loads, and accents survive NFD normalisation', async () => {
    const items = await readQaFile(wq.path, 2);
    expect(items[1]).toEqual({ question: 'what character did natalie portman play in star wars?', answers: ['Padmé Amidala'] });
    // NFD on both sides: the precomposed é equals e + combining acute.
    expect(officialExactMatch('Padme\u0301 Amidala', items[1].answers, false)).toBe(true);
    expect(officialExactMatch('Padme Amidala', items[1].answers, false)).toBe(false);
  });
});
