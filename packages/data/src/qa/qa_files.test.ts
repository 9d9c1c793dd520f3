// Streaming QA readers: real fixture files, key order, and errors that name file, line and field.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '@realm/testing';
import { describe, expect, test } from 'vitest';
import { loadReferences, readLines, readQaExamples, readQaPredictions, readQaQuestions } from './qa_files.js';
import { resplitOrqaTrainFile } from './resplit.js';

const scratch = mkdtempSync(join(tmpdir(), 'realm-qa-files-'));

function writeScratch(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('readQaExamples on the fixtures', () => {
  const webQuestions = fixture('qa/webquestions/WebQuestions-train.txt');
  const nqSample = fixture('qa/nq_open/NQ-open.efficientqa.dev.1.1.sample.jsonl');
  const nqNoAnswers = fixture('qa/nq_open/NQ-open.efficientqa.dev.1.1.no-annotations.sample.jsonl');

  test.skipIf(!webQuestions.present)('WebQuestions lines start with "answer"; 3778 records, the second with its accent', async () => {
    const records = await collect(readQaExamples(webQuestions.path));
    expect(records).toHaveLength(3778);
    expect(records[1]).toMatchObject({ question: 'what character did natalie portman play in star wars?', answer: ['Padm\u00e9 Amidala'], lineNumber: 2 });
  });

  test.skipIf(!nqSample.present)('NQ-open sample: 100 records, the third with two answers', async () => {
    const records = await collect(readQaExamples(nqSample.path));
    expect(records).toHaveLength(100);
    expect(records[2].answer).toEqual(['Salzburg, Austria', 'Austria']);
  });

  test.skipIf(!nqNoAnswers.present)('the no-annotations file has questions but no answer field', async () => {
    expect(await collect(readQaQuestions(nqNoAnswers.path))).toHaveLength(100);
    await expect(collect(readQaExamples(nqNoAnswers.path))).rejects.toThrow(
      `${nqNoAnswers.path}:1: field "answer": Invalid input: expected array, received undefined`,
    );
  });
});

describe('errors name file and line', () => {
  test.each([
    ['{"question": "q", "answer": ["a"]}\n{"question": "q2", "answer": "a"}\n', '2: field "answer": Invalid input: expected array, received string'],
    ['{"question": "q", "answer": ["a"]}\n{"question": "q2", "answer": ["a"]\n', '2: invalid JSON: '],
    ['{"question": "q", "answer": ["a"]}\n\n{"question": "q3", "answer": []}\n', '2: empty line (expected one JSON object per line)'],
    ['{"question": 7, "answer": ["a"]}\n', '1: field "question": Invalid input: expected string, received number'],
    ['["q", ["a"]]\n', '1: line: Invalid input: expected object, received array'],
  ])('case %#', async (text, problem) => {
    const path = writeScratch('bad.jsonl', text);
    await expect(collect(readQaExamples(path))).rejects.toThrow(`${path}:${problem}`);
  });

  test('predictions need a string prediction', async () => {
    const path = writeScratch('preds.jsonl', '{"question": "q", "prediction": null}\n');
    await expect(collect(readQaPredictions(path))).rejects.toThrow(`${path}:1: field "prediction": Invalid input: expected string, received null`);
  });
});

describe('line splitting', () => {
  test('splits on \\n only, drops a trailing \\r, keeps U+2028 inside a line, no phantom last line', async () => {
    const path = writeScratch('lines.txt', 'a\r\nb\u2028c\nd');
    expect(await collect(readLines(path))).toEqual([
      { lineNumber: 1, text: 'a' },
      { lineNumber: 2, text: 'b\u2028c' },
      { lineNumber: 3, text: 'd' },
    ]);
  });

  test('a later duplicate question replaces the earlier answers', async () => {
    const path = writeScratch('dups.jsonl', '{"question": "q", "answer": ["x"]}\n{"answer": ["y"], "question": "q"}\n');
    expect(await loadReferences(path)).toEqual(new Map([['q', ['y']]]));
  });
});

describe('resplitOrqaTrainFile', () => {
  const curatedTrec = fixture('qa/curatedtrec/CuratedTrec-train.txt');

  test.skipIf(!curatedTrec.present)('writes 1353 train / 133 dev lines, verbatim, together the whole input in order', async () => {
    const trainPath = join(scratch, 'ct.train.jsonl');
    const devPath = join(scratch, 'ct.dev.jsonl');
    expect(await resplitOrqaTrainFile(curatedTrec.path, { trainPath, devPath })).toEqual({ train: 1353, dev: 133 });
    const input = readFileSync(curatedTrec.path, 'utf8').split('\n').filter(Boolean);
    const train = readFileSync(trainPath, 'utf8').split('\n').filter(Boolean);
    const dev = readFileSync(devPath, 'utf8').split('\n').filter(Boolean);
    expect(train).toHaveLength(1353);
    expect(dev).toHaveLength(133);
    const devSet = new Set(dev);
    expect(input.filter((line) => !devSet.has(line))).toEqual(train);
  });
});
