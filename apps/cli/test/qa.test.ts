// `realm qa score` / `realm qa resplit` end to end on the real fixture files, via the real binary.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '@realm/testing';
import { describe, expect, test } from 'vitest';
import { runCli } from './run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'realm-cli-qa-'));

function writeScratch(name: string, lines: object[] | string): string {
  const path = join(scratch, name);
  writeFileSync(path, typeof lines === 'string' ? lines : lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
  return path;
}

describe('realm qa score', () => {
  const webQuestions = fixture('qa/webquestions/WebQuestions-train.txt');
  const curatedTrec = fixture('qa/curatedtrec/CuratedTrec-train.txt');

  test.skipIf(!webQuestions.present)('prints the ORQA result object for WebQuestions', () => {
    const predictions = writeScratch('wq.jsonl', [
      // gold "Jazmyn Bieber": "jazmyn bieber." -> "jazmyn bieber" -> correct.
      { question: 'what is the name of justin bieber brother?', prediction: 'jazmyn bieber.' },
      // gold "New York City": "A New York City" -> " new york city" -> "new york city" -> correct.
      { question: 'what state does selena gomez?', prediction: 'A New York City' },
      // gold "Padmé Amidala": "Amidala" alone -> wrong.
      { question: 'what character did natalie portman play in star wars?', prediction: 'Amidala' },
    ]);
    const result = runCli(['qa', 'score', '--predictions', predictions, '--gold', webQuestions.path]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // 2 correct of 3778 distinct questions; 3775 have no prediction. Key order as ORQA's dict.
    expect(result.stdout).toBe(`${JSON.stringify({ accuracy: 2 / 3778, num_correct: 2, num_total: 3778, missing_predictions: 3775 })}\n`);
  });

  test.skipIf(!curatedTrec.present)('--regex matches CuratedTrec patterns at the start of the prediction', () => {
    const predictions = writeScratch('ct.jsonl', [
      // "Sept?(ember)?|Feb(ruary)?" on "Sep 2024": "Sep" matches (the t is optional) -> correct.
      { question: 'When is Fashion week in NYC?', prediction: 'Sep 2024' },
      // "Saudi Arabia" on "in Saudi Arabia": must match at index 0 -> wrong.
      { question: 'What country is the holy city of Mecca located in?', prediction: 'in Saudi Arabia' },
      // "banana" on "BANANA cream": case-insensitive prefix -> correct.
      { question: 'What flavor filling did the original Twinkies have?', prediction: 'BANANA cream' },
    ]);
    const result = runCli(['qa', 'score', '--predictions', predictions, '--gold', curatedTrec.path, '--regex']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ accuracy: 2 / 1480, num_correct: 2, num_total: 1480, missing_predictions: 1477 });
  });

  test.skipIf(!curatedTrec.present)('a malformed predictions line is an error naming file and line', () => {
    const predictions = writeScratch('bad.jsonl', '{"question": "When is Fashion week in NYC?", "prediction": "Feb"}\n{"question": "x", "prediction": 3}\n');
    const result = runCli(['qa', 'score', '--predictions', predictions, '--gold', curatedTrec.path, '--regex']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`realm: ${predictions}:2: field "prediction": Invalid input: expected string, received number\n`);
  });

  test('a malformed gold line is an error naming file and line', () => {
    const gold = writeScratch('gold.jsonl', '{"question": "q", "answer": ["a"]}\nnot json\n');
    const predictions = writeScratch('p.jsonl', [{ question: 'q', prediction: 'a' }]);
    const result = runCli(['qa', 'score', '--predictions', predictions, '--gold', gold]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^realm: ${gold.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: invalid JSON: `));
  });

  test('--help documents the flags', () => {
    const result = runCli(['qa', 'score', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/--predictions <file>/);
    expect(result.stdout).toMatch(/--regex/);
  });
});

describe('realm qa resplit', () => {
  const webQuestions = fixture('qa/webquestions/WebQuestions-train.txt');

  test.skipIf(!webQuestions.present)('splits WebQuestions train into 3417 / 361 as ORQA did', () => {
    const trainOut = join(scratch, 'wq.train.jsonl');
    const devOut = join(scratch, 'wq.dev.jsonl');
    const result = runCli(['qa', 'resplit', '--input', webQuestions.path, '--train-out', trainOut, '--dev-out', devOut]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ train: 3417, dev: 361 });
    expect(readFileSync(devOut, 'utf8').split('\n').filter(Boolean)).toHaveLength(361);
  });
});
