import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { ExactMipsIndex, RemoteMipsShard, saveIndex } from '@realm/mips';
import { runCli } from './run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'realm-mips-cli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const BIN = fileURLToPath(new URL('../bin/realm.mjs', import.meta.url));

/** Starts `realm mips serve ...` and resolves with the child and its first stdout line. */
function startServe(args: string[]): Promise<{ child: ChildProcess; line: string; exited: Promise<{ code: number | null; stdout: string }> }> {
  const child = spawn(process.execPath, [BIN, 'mips', 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; stdout: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout })));
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline >= 0) resolve({ child, line: stdout.slice(0, newline), exited });
    });
    void exited.then(({ code }) => reject(new Error(`serve exited (${code}) before listening: ${stderr}`)));
  });
}

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

test('mips serve: a remote client gets global ids (--first-id) from the served rows; SIGTERM stops it cleanly', async () => {
  const { child, line, exited } = await startServe(['--vectors', vectors, '--dim', '2', '--first-id', '1000', '--threads', '1']);
  const match = /^mips shard listening on (127\.0\.0\.1:\d+) \(dim 2, 4 vectors, ids 1000 … 1003, float32\)$/.exec(line);
  expect(match, line).not.toBeNull();
  const address = (match as RegExpExecArray)[1];
  const shard = await RemoteMipsShard.connect(address);
  expect(shard.info).toMatchObject({ dim: 2, size: 4, firstId: 1000, generation: 0, storage: 'float32' });
  const { ids, scores } = await shard.search(new Float32Array([1, 2, 1, 0]), 3);
  expect(Array.from(ids)).toEqual([1002, 1001, 1003, 1000, 1002, 1003]);
  expect(Array.from(scores)).toEqual([3, 2, 1.5, 1, 1, 0.5]);
  shard.close();

  // A second server on the same port fails with a message naming the address.
  const port = address.split(':')[1];
  const clash = runCli(['mips', 'serve', '--vectors', vectors, '--dim', '2', '--port', port]);
  expect(clash.status).toBe(1);
  expect(clash.stderr).toContain(`realm: MipsShardServer: cannot bind 127.0.0.1:${port}:`);

  child.kill('SIGTERM');
  expect(await exited).toEqual({ code: 0, stdout: `${line}\nmips shard stopped\n` });
});

test('mips serve --index serves a saved int8 index; bad flag combinations are errors', async () => {
  const index = new ExactMipsIndex(2, { threads: 1, storage: 'int8' });
  index.add(new Float32Array([1, 0, 0, 1, 1, 1, 0.5, 0.5]));
  const saved = join(root, 'shard.mips');
  await saveIndex(saved, index);
  const { child, line, exited } = await startServe(['--index', saved, '--threads', '1']);
  expect(line).toMatch(/^mips shard listening on 127\.0\.0\.1:\d+ \(dim 2, 4 vectors, ids 0 … 3, int8\)$/);
  const shard = await RemoteMipsShard.connect(line.split(' ')[4]);
  expect(shard.info.storage).toBe('int8');
  expect(Array.from((await shard.search(new Float32Array([1, 2]), 2)).ids)).toEqual([2, 1]);
  shard.close();
  child.kill('SIGINT');
  expect((await exited).code).toBe(0);

  expect(runCli(['mips', 'serve', '--index', saved, '--vectors', vectors]).stderr).toBe('realm: mips serve: give either --index or --vectors with --dim, not both\n');
  expect(runCli(['mips', 'serve', '--vectors', vectors]).stderr).toBe('realm: mips serve: needs --vectors and --dim (or --index)\n');
  expect(runCli(['mips', 'serve', '--vectors', vectors, '--dim', '2', '--storage', 'int4']).stderr).toContain("error: option '--storage <dtype>' argument 'int4' is invalid. Allowed choices are float32, bfloat16, float16, int8.");
});
