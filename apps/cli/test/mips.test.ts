import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runCli } from './run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'realm-mips-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function f32File(name: string, values: number[]): string {
  const path = join(root, name);
  writeFileSync(path, new Uint8Array(new Float32Array(values).buffer));
  return path;
}

// dim 2. Row scores for query (1, 2): 1, 2, 3, 1.5; for query (1, 0): 1, 0, 1, 0.5 (a tie: ids 0 and 2).
const vectors = f32File('vectors.f32', [1, 0, 0, 1, 1, 1, 0.5, 0.5]);
const queries = f32File('queries.f32', [1, 2, 1, 0]);

test('mips search --json prints hand-worked ids and scores; ties go to the lower id', () => {
  const result = runCli(['mips', 'search', '--vectors', vectors, '--queries', queries, '--dim', '2', '--k', '3', '--json']);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toBe('{"ids":[[2,1,3],[0,2,3]],"scores":[[3,2,1.5],[1,1,0.5]]}\n');
});

test('mips search pads k > N with id -1 and score null, and prints text without --json', () => {
  const padded = runCli(['mips', 'search', '--vectors', vectors, '--queries', queries, '--dim', '2', '--k', '5', '--json', '--threads', '2']);
  expect(padded.stdout).toBe('{"ids":[[2,1,3,0,-1],[0,2,3,1,-1]],"scores":[[3,2,1.5,1,null],[1,1,0.5,0,null]]}\n');
  const text = runCli(['mips', 'search', '--vectors', vectors, '--queries', queries, '--dim', '2', '--k', '2']);
  expect(text.stdout).toBe('query 0: 2:3 1:2\nquery 1: 0:1 2:1\n');
});

test('a file whose size is not a multiple of 4·dim is rejected, naming the file', () => {
  const odd = f32File('odd.f32', [1, 2, 3]);
  const result = runCli(['mips', 'search', '--vectors', odd, '--queries', queries, '--dim', '2', '--k', '1']);
  expect(result.status).toBe(1);
  expect(result.stderr).toBe(`realm: --vectors ${odd}: size 12 bytes is not a multiple of 4·dim = 8 (float32 rows of dim 2)\n`);
  const missing = runCli(['mips', 'search', '--vectors', vectors, '--queries', join(root, 'nope.f32'), '--dim', '2', '--k', '1']);
  expect(missing.stderr).toBe(`realm: --queries ${join(root, 'nope.f32')}: cannot read (ENOENT)\n`);
  expect(runCli(['mips', 'search', '--vectors', vectors, '--queries', queries, '--dim', '2', '--k', '0']).stderr).toContain("--k must be a positive integer, got '0'.");
});

test('mips bench --json ends with {ours_qps, faiss_qps, ratio}', () => {
  const result = runCli(['mips', 'bench', '--n', '2000', '--dim', '8', '--batch', '3', '--k', '4', '--json', '--min-seconds', '0.05']);
  expect(result.status).toBe(0);
  const lines = result.stdout.trimEnd().split('\n');
  const last = JSON.parse(lines[lines.length - 1]) as { ours_qps: number; faiss_qps: number | null; ratio: number | null };
  expect(Object.keys(last)).toEqual(['ours_qps', 'faiss_qps', 'ratio']);
  expect(last.ours_qps).toBeGreaterThan(0);
  if (last.faiss_qps === null) {
    expect(result.stderr).toContain('FAISS unavailable');
    expect(last.ratio).toBeNull();
  } else {
    expect(last.ratio).toBeCloseTo(last.ours_qps / last.faiss_qps, 10);
  }
});
