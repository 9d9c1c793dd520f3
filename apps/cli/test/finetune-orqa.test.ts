// `realm finetune-orqa train|eval`, `realm ask` and `realm index add|remove` through the real binary
// on a tiny prepared world (--init none, a few steps): the --json line, the predictions file that
// `realm qa score` reads, a real CuratedTREC file scored by regex, knowledge-base updates, and errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '@realm/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from './run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'realm-orqa-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const run = join(root, 'run');
const out = join(root, 'ft');
const ct = fixture('qa/curatedtrec/CuratedTrec-train.txt');

const TINY_WORLD = [
  '--world.scale=0.05',
  '--model.embedder.hidden_size=16', '--model.embedder.num_hidden_layers=1', '--model.embedder.intermediate_size=32',
  '--model.reader.hidden_size=16', '--model.reader.num_hidden_layers=1', '--model.reader.intermediate_size=32',
];
const TINY_ORQA = ['--orqa.batchSize=2', '--orqa.spanHiddenSize=8', '--orqa.numWarmupSteps=1', '--run.evalEverySteps=2', '--run.maxDevQuestions=4'];
let trainStdout = '';

beforeAll(() => {
  const prepared = runCli(['pretrain', 'prepare', '--out', run, ...TINY_WORLD]);
  expect(prepared.status, prepared.stderr).toBe(0);
  const trained = runCli(['finetune-orqa', 'train', '--dataset', 'world', '--init', 'none', '--data', run, '--out', out, '--steps', '2', '--json', ...TINY_ORQA]);
  expect(trained.status, trained.stderr).toBe(0);
  trainStdout = trained.stdout;
}, 120_000);

describe('realm finetune-orqa', () => {
  test('train --json ends stdout with exactly one line of the four results', () => {
    const lines = trainStdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]) as Record<string, number>;
    expect(Object.keys(result)).toEqual(['test_exact_match', 'test_recall_at_5', 'dev_exact_match', 'wall_seconds']);
    expect(result.wall_seconds).toBeGreaterThan(0);
  });

  test('eval --dataset world writes predictions that `realm qa score` scores to the printed official EM', () => {
    const predictions = join(root, 'world-test.jsonl');
    const evaluated = runCli(['finetune-orqa', 'eval', '--dataset', 'world', '--model', out, '--out', predictions, '--json']);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    const summary = JSON.parse(evaluated.stdout) as { count: number; officialExactMatch: number; recall: Record<string, number> };
    const records = readFileSync(predictions, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { question: string; answers: string[] });
    expect(records).toHaveLength(summary.count);
    const gold = join(root, 'world-gold.jsonl');
    writeFileSync(gold, records.map((r) => JSON.stringify({ question: r.question, answer: r.answers })).join('\n') + '\n');
    const scored = runCli(['qa', 'score', '--predictions', predictions, '--gold', gold]);
    expect(scored.status, scored.stderr).toBe(0);
    expect(JSON.parse(scored.stdout).accuracy).toBeCloseTo(summary.officialExactMatch, 10);
    expect(Object.keys(summary.recall)).toEqual(['5', '10', '50', '100']);
  });

  test.skipIf(!ct.present)('eval --dataset ct reads the real CuratedTREC file and scores by regex', () => {
    const predictions = join(root, 'ct.jsonl');
    const evaluated = runCli(['finetune-orqa', 'eval', '--dataset', 'ct', '--input', ct.path, '--limit', '3', '--model', out, '--out', predictions]);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toMatch(/^3 questions: exact match .*recall@5/);
    const first = JSON.parse(readFileSync(predictions, 'utf8').split('\n')[0]) as { question: string; answers: string[] };
    expect(first).toMatchObject({ question: 'When is Fashion week in NYC?', answers: ['Sept?(ember)?|Feb(ruary)?'] });
  });

  test('ask prints the answer, the evidence with the span in [[...]] and the scores; --json too', () => {
    const asked = runCli(['ask', 'In what year was anyone born?', '--model', out]);
    expect(asked.status, asked.stderr).toBe(0);
    expect(asked.stdout).toMatch(/^answer: .+\nevidence \(block \d+, rank \d\): .+\n {2}.*\[\[.+\]\].*\nscores: total -?[\d.]+ = reader -?[\d.]+ \+ retrieval -?[\d.]+\n$/);
    const json = runCli(['ask', 'In what year was anyone born?', '--model', out, '--json']);
    const answer = JSON.parse(json.stdout) as { answer: string; block_text: string; answer_start: number; answer_end: number };
    expect(answer.block_text.slice(answer.answer_start, answer.answer_end)).toBe(answer.answer);
  });

  test('index add then remove publish new knowledge-base versions with the right counts; removing a missing title fails', () => {
    const docs = join(root, 'docs.jsonl');
    writeFileSync(docs, `${JSON.stringify({ title: 'Zed Novel', text: 'Zed Novel was born in 1901.' })}\n`);
    const added = runCli(['index', 'add', '--export', out, '--docs', docs]);
    expect(added.status, added.stderr).toBe(0);
    const addResult = JSON.parse(added.stdout) as { added: number; total: number; dir: string };
    expect(addResult.added).toBe(1);
    const removed = runCli(['index', 'remove', '--export', out, '--title', 'Zed Novel']);
    expect(removed.status, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ removed: 1, total: addResult.total - 1 });
    const missing = runCli(['index', 'remove', '--export', out, '--title', 'Zed Novel']);
    expect(missing.status).toBe(1);
    // stderr names the knowledge base picked, then the error.
    expect(missing.stderr).toMatch(/^index remove: updating knowledge base .*\nrealm: index remove: no block of .* has the title or uid "Zed Novel"\n$/);
  });

  test('bad input fails with a message naming it', () => {
    const nq = runCli(['finetune-orqa', 'train', '--dataset', 'nq', '--init', 'none', '--out', join(root, 'x')]);
    expect(nq.stderr).toBe('realm: --dataset nq: training is supported on the built-in world only (nq, wq and ct are for `finetune-orqa eval`)\n');
    const bad = runCli(['finetune-orqa', 'eval', '--dataset', 'squad', '--model', out, '--out', join(root, 'y.jsonl')]);
    expect(bad.stderr).toBe("realm: --dataset must be one of world, nq, wq, ct, got 'squad'\n");
    const noInput = runCli(['finetune-orqa', 'eval', '--dataset', 'nq', '--model', out, '--out', join(root, 'y.jsonl')]);
    expect(noInput.stderr).toBe('realm: --dataset nq needs --input FILE (the dataset\'s JSON lines, e.g. NQ-open.dev.jsonl)\n');
    const again = runCli(['finetune-orqa', 'train', '--dataset', 'world', '--init', 'none', '--out', out]);
    expect(again.stderr).toContain(`realm: ${out} already holds a fine-tuning run`);
    const noModel = runCli(['ask', 'q?', '--model', root]);
    expect(noModel.stderr).toContain(`realm: ${root}: no fine-tuned ORQA model`);
  });
});
