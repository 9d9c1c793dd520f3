// `realm pretrain ...` through the real binary: the whole loop at a tiny scale (`all --json`), the
// launcher's layout and logs, and flag errors.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runCli } from './run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'realm-pretrain-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TINY = [
  '--world.scale=0.05',
  '--model.embedder.hidden_size=16', '--model.embedder.num_hidden_layers=1', '--model.embedder.intermediate_size=32',
  '--model.reader.hidden_size=16', '--model.reader.num_hidden_layers=1', '--model.reader.intermediate_size=32',
  '--ict.maxSeconds=0.5', '--ict.batchSize=4',
  '--train.batchSize=4', '--train.evalBatchSize=4', '--train.numEvalSteps=1',
  '--train.saveCheckpointsSteps=2', '--train.evalEverySteps=2', '--train.indexRefreshEverySteps=2',
  '--generator.trainPort=0', '--generator.evalPort=0', '--refresher.pollMs=200',
];

test('pretrain all --json runs bootstrap, refresher, generators and trainer and ends with the summary line', () => {
  const out = join(root, 'run');
  const result = runCli(['pretrain', 'all', '--out', out, '--json', '--steps', '6', ...TINY]);
  expect(result.status, result.stderr).toBe(0);
  const lines = result.stdout.trimEnd().split('\n');
  const summary = JSON.parse(lines[lines.length - 1]) as Record<string, number | null>;
  expect(Object.keys(summary)).toEqual(['steps', 'index_refreshes', 'retrieval_utility', 'heldout_accuracy_retrieval', 'heldout_accuracy_null', 'wall_seconds']);
  expect(summary.steps).toBe(6);
  // Exports at steps 2 and 4 and the final one at 6; each is re-embedded unless a newer one overtook it.
  expect(summary.index_refreshes).toBeGreaterThanOrEqual(1);
  expect(summary.index_refreshes).toBeLessThanOrEqual(3);
  expect(summary.heldout_accuracy_retrieval).toBeGreaterThanOrEqual(0);
  expect(summary.heldout_accuracy_retrieval).toBeLessThanOrEqual(1);
  expect(summary.wall_seconds).toBeGreaterThan(0);
  // One log per program, the saved config, and the published artifacts.
  expect(readdirSync(join(out, 'log')).filter((f) => f.endsWith('.log')).sort()).toEqual(['bootstrap.log', 'gen-eval.log', 'gen-train.log', 'refresher.log', 'trainer.log']);
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { run: { steps: number }; model: { reader: { hidden_size: number } } };
  expect(config.run.steps).toBe(6);
  expect(config.model.reader.hidden_size).toBe(16);
  expect(existsSync(join(out, 'TRAINING_DONE'))).toBe(true);
  expect(readdirSync(join(out, 'export', 'encoded')).length).toBeGreaterThanOrEqual(1);
  expect(readFileSync(join(out, 'log', 'trainer.log'), 'utf8')).toContain('finished at step 6');
}, 300_000);

test('a bad config override fails with the field named, before anything starts', () => {
  const result = runCli(['pretrain', 'all', '--out', join(root, 'bad'), '--train.batchSize=-1']);
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/^realm: pretrain config: .*\n.*train\.batchSize/s);
});

test('an argument that is not an override is refused', () => {
  const result = runCli(['pretrain', 'all', '--out', join(root, 'bad2'), 'stray']);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain("realm: pretrain: unexpected argument 'stray' (config overrides look like --train.batchSize=16)");
});

test('generator rejects an unknown mode', () => {
  const result = runCli(['pretrain', 'generator', '--out', root, '--mode', 'dev', '--port', '0']);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain("realm: --mode must be train or eval, got 'dev'");
});
