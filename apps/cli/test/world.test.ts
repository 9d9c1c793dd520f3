import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateWorld } from '@realm/data';
import { afterAll, expect, test } from 'vitest';
import { runCli } from './run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'realm-world-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Manifest {
  config: { seed: number; scale: number };
  stats: { documents: number; facts: number; heldoutFacts: number; entities: { person: number }; qa: { train: number; dev: number; test: number } };
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'world.json'), 'utf8')) as Manifest;
}

function lineCount(path: string): number {
  return readFileSync(path, 'utf8').trimEnd().split('\n').length;
}

test('world generate writes the files and prints a one-line summary whose counts match them', () => {
  const out = join(root, 'default');
  const result = runCli(['world', 'generate', '--out', out]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(readdirSync(out).sort()).toEqual([
    'documents.jsonl', 'facts.jsonl', 'pretrain_heldout.jsonl', 'pretrain_train.jsonl', 'qa_dev.jsonl', 'qa_test.jsonl', 'qa_train.jsonl', 'world.json',
  ]);
  const { config, stats } = manifest(out);
  expect(config.seed).toBe(13);
  expect(stats.entities.person).toBe(400);
  expect(lineCount(join(out, 'documents.jsonl'))).toBe(stats.documents);
  expect(lineCount(join(out, 'qa_test.jsonl'))).toBe(stats.qa.test);
  expect(lineCount(join(out, 'pretrain_heldout.jsonl'))).toBe(stats.heldoutFacts);
  const lines = result.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toBe(
    `world: ${stats.documents} documents (400 people, 32 places, 24 organisations), ${stats.facts} facts (${stats.heldoutFacts} held out), ` +
      `pretrain ${stats.facts - stats.heldoutFacts} train / ${stats.heldoutFacts} heldout, ` +
      `qa ${stats.qa.train} train / ${stats.qa.dev} dev / ${stats.qa.test} test -> ${out}`,
  );
});

test('--seed and --scale reach the generator: the files equal an in-process generateWorld with that config', () => {
  const out = join(root, 'seeded');
  expect(runCli(['world', 'generate', '--out', out, '--seed', '4', '--scale', '0.5']).status).toBe(0);
  const expected = generateWorld({ seed: 4, scale: 0.5 });
  const jsonl = (records: unknown[]): string => records.map((r) => `${JSON.stringify(r)}\n`).join('');
  expect(readFileSync(join(out, 'documents.jsonl'), 'utf8')).toBe(jsonl(expected.documents));
  expect(readFileSync(join(out, 'pretrain_train.jsonl'), 'utf8')).toBe(jsonl(expected.pretrain.train));
  expect(manifest(out).config).toEqual(expected.config);
  expect(manifest(out).stats.entities.person).toBe(200);
});

test('bad flags fail with a message naming the flag or field', () => {
  const badSeed = runCli(['world', 'generate', '--out', join(root, 'x'), '--seed', 'abc']);
  expect(badSeed.status).toBe(1);
  expect(badSeed.stderr).toContain("--seed must be an integer, got 'abc'.");
  const badScale = runCli(['world', 'generate', '--out', join(root, 'x'), '--scale', '0']);
  expect(badScale.status).toBe(1);
  expect(badScale.stderr).toMatch(/^realm: world config: .*\n.*at scale/);
  const noOut = runCli(['world', 'generate']);
  expect(noOut.status).toBe(1);
  expect(noOut.stderr).toContain("required option '--out <dir>' not specified");
  expect(readdirSync(root)).not.toContain('x');
});
