// `realm demo` through the real binary: one `--smoke --json` run of the whole pipeline (pre-training
// → fine-tuning → ask) checked against its own output directories and an independently regenerated
// world, plus the errors that must stop it before any training starts.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateWorld, normalizeAnswer, type WorldConfigInput } from '@realm/data';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_ASK_COUNT, SMOKE_FINETUNE_STEPS, SMOKE_PRETRAIN_STEPS, SMOKE_SCALE } from '../src/commands/demo-plan.js';
import { runCli, type CliResult } from './run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'realm-demo-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface DemoJson {
  pretrain: Record<string, number | null>;
  finetune: Record<string, number>;
  ask: Array<{ question: string; gold: string[]; answer: string; correct: boolean; block_title: string; block_rank: number; score: number }>;
  wall_seconds: number;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

describe('realm demo --smoke --json', () => {
  const out = join(root, 'demo');
  let run: CliResult;
  let summary: DemoJson;

  beforeAll(() => {
    // One override per stage checks the pass-through (neither changes what is learned).
    run = runCli(['demo', '--smoke', '--json', '--out', out, '--pretrain.refresher.keepEncoded=2', '--finetune.run.evalBatchSize=8']);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    summary = JSON.parse(lines[lines.length - 1]) as DemoJson;
  }, 300_000);

  test('ends stdout with one line holding each stage\'s summary', () => {
    expect(Object.keys(summary)).toEqual(['pretrain', 'finetune', 'ask', 'wall_seconds']);
    expect(Object.keys(summary.pretrain)).toEqual(['steps', 'index_refreshes', 'retrieval_utility', 'heldout_accuracy_retrieval', 'heldout_accuracy_null', 'wall_seconds']);
    expect(summary.pretrain.steps).toBe(SMOKE_PRETRAIN_STEPS);
    expect(summary.pretrain.index_refreshes).toBeGreaterThanOrEqual(1);
    for (const key of ['heldout_accuracy_retrieval', 'heldout_accuracy_null'] as const) {
      expect(summary.pretrain[key]).toBeGreaterThanOrEqual(0);
      expect(summary.pretrain[key]).toBeLessThanOrEqual(1);
    }
    expect(Object.keys(summary.finetune)).toEqual(['test_exact_match', 'test_recall_at_5', 'dev_exact_match', 'wall_seconds']);
    for (const key of ['test_exact_match', 'test_recall_at_5', 'dev_exact_match'] as const) {
      expect(summary.finetune[key]).toBeGreaterThanOrEqual(0);
      expect(summary.finetune[key]).toBeLessThanOrEqual(1);
    }
    // The finetune summary is the run's own results, and the demo's wall time covers both stages.
    const results = readJson<Record<string, unknown>>(join(out, 'finetune', 'results.json'));
    for (const [key, value] of Object.entries(summary.finetune)) expect(results[key], key).toBe(value);
    expect(summary.wall_seconds).toBeGreaterThanOrEqual(summary.pretrain.wall_seconds! + summary.finetune.wall_seconds - 1);
  });

  test('each stage announces itself and its output directory on stderr', () => {
    expect(run.stderr).toContain(`demo: [1/3] REALM pre-training → ${join(out, 'pretrain')}: realm pretrain all --out ${join(out, 'pretrain')}`);
    expect(run.stderr).toContain(`demo: [2/3] ORQA fine-tuning → ${join(out, 'finetune')}: realm finetune-orqa train --dataset world --init ${join(out, 'pretrain')} --out ${join(out, 'finetune')}`);
    expect(run.stderr).toContain(`demo: [3/3] ask: ${DEMO_ASK_COUNT} held-out questions of the world's test split`);
  });

  test('the pre-training and fine-tuning directories hold config.json beside their checkpoints, with the smoke sizes and the pass-through', () => {
    const pretrainDir = join(out, 'pretrain');
    const pretrainConfig = readJson<{ run: { steps: number }; world: { scale: number }; refresher: { keepEncoded: number } }>(join(pretrainDir, 'config.json'));
    expect(pretrainConfig.run.steps).toBe(SMOKE_PRETRAIN_STEPS);
    expect(pretrainConfig.world.scale).toBe(SMOKE_SCALE);
    expect(pretrainConfig.refresher.keepEncoded).toBe(2);
    expect(readdirSync(join(pretrainDir, 'checkpoints'))).toContain(`ckpt-${SMOKE_PRETRAIN_STEPS}`);
    expect(existsSync(join(pretrainDir, 'TRAINING_DONE'))).toBe(true);

    const finetuneDir = join(out, 'finetune');
    const finetuneConfig = readJson<{ init: string; finetune: { orqa: { numTrainSteps: number }; run: { evalBatchSize: number } } }>(join(finetuneDir, 'config.json'));
    expect(finetuneConfig.init).toBe(pretrainDir);
    expect(finetuneConfig.finetune.orqa.numTrainSteps).toBe(SMOKE_FINETUNE_STEPS);
    expect(finetuneConfig.finetune.run.evalBatchSize).toBe(8);
    expect(readdirSync(join(finetuneDir, 'best')).length).toBeGreaterThan(0);
    expect(readdirSync(join(finetuneDir, 'predictions')).sort()).toEqual(['dev.jsonl', 'test.jsonl']);
  });

  test('asks the first held-out test questions of the run\'s world and prints them as `realm ask` does', () => {
    const { world: worldConfig } = readJson<{ world: WorldConfigInput }>(join(out, 'pretrain', 'config.json'));
    const world = generateWorld(worldConfig);
    const expected = world.qa.test.slice(0, DEMO_ASK_COUNT);
    expect(summary.ask.map((a) => [a.question, a.gold])).toEqual(expected.map((q) => [q.question, q.answer]));
    for (const example of expected) expect(world.facts.find((f) => f.id === example.factId)?.heldout).toBe(true);
    const titles = new Set(world.documents.map((d) => d.title));
    for (const entry of summary.ask) {
      expect(titles.has(entry.block_title), entry.block_title).toBe(true);
      expect(entry.correct).toBe(entry.gold.some((g) => normalizeAnswer(g) === normalizeAnswer(entry.answer)));
      // Not a terminal: the span is marked [[...]] in the evidence block, as `realm ask` prints it.
      expect(run.stdout).toContain(`question: ${entry.question}\ngold: ${entry.gold.join(' | ')} (${entry.correct ? 'right' : 'wrong'})\nanswer: ${entry.answer}\nevidence (block `);
      expect(run.stdout).toMatch(new RegExp(`rank ${entry.block_rank + 1}\\): ${entry.block_title}\\n {2}.*\\[\\[${entry.answer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]\\]`));
    }
  });

  test('an existing run is resumed with its own config, so flags asking for another one are refused before any work', () => {
    const full = runCli(['demo', '--out', out, '--pretrain.refresher.keepEncoded=2']);
    expect(full.status).toBe(1);
    expect(full.stderr.startsWith(`realm: demo: ${join(out, 'pretrain')} holds a pre-training run made with another config: run.steps (${SMOKE_PRETRAIN_STEPS} there, `)).toBe(true);
    expect(full.stderr).toMatch(/asked for now\); give the flags it was made with, or choose a new --out\n$/);
  });
});

describe('realm demo refuses before training', () => {
  test('an override that names no stage, and a stray argument', () => {
    const noStage = runCli(['demo', '--smoke', '--out', join(root, 'x'), '--train.batchSize=8']);
    expect(noStage.status).toBe(1);
    expect(noStage.stderr).toBe("realm: demo: override '--train.batchSize=8' names no stage (use --pretrain.<section>.<field>=value or --finetune.<section>.<field>=value)\n");
    const stray = runCli(['demo', '--out', join(root, 'x'), 'stray']);
    expect(stray.stderr).toBe("realm: demo: unexpected argument 'stray' (config overrides look like --pretrain.train.batchSize=16)\n");
    expect(existsSync(join(root, 'x'))).toBe(false);
  });

  test('a bad fine-tuning override fails with the field named, before pre-training starts', () => {
    const bad = runCli(['demo', '--smoke', '--out', join(root, 'y'), '--finetune.orqa.batchSize=0']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^realm: finetune-orqa config: .*orqa\.batchSize/s);
    expect(existsSync(join(root, 'y'))).toBe(false);
  });

  test('an unfinished fine-tuning run in DIR/finetune is resumed, so a config.json it cannot resume from stops the demo before pre-training', () => {
    const dir = join(root, 'unfinished');
    mkdirSync(join(dir, 'finetune'), { recursive: true });
    writeFileSync(join(dir, 'finetune', 'config.json'), '{}\n');
    const result = runCli(['demo', '--smoke', '--out', dir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^realm: ${join(dir, 'finetune', 'config.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid fine-tuning run config, cannot resume\n`));
    expect(existsSync(join(dir, 'pretrain'))).toBe(false);
    expect(readFileSync(join(dir, 'finetune', 'config.json'), 'utf8')).toBe('{}\n');
  });
});

describe('realm demo with a finished fine-tuning stage', () => {
  test("answers on the backend the fine-tuning run was made with (its config.json), auto when unknown", async () => {
    const { finetuneBackend } = await import('../src/commands/demo.js');
    const f = await import('@realm/finetune-orqa');
    const { planDemo } = await import('../src/commands/demo-plan.js');
    const plan = planDemo(join(root, 'backend'), { smoke: true, passThrough: [] });
    expect(await finetuneBackend(f, plan)).toBe('auto');
    mkdirSync(plan.finetuneDir, { recursive: true });
    // The run record train.ts saves: the resolved config under `finetune`, with the run's inputs.
    const world = { seed: 13, scale: 0.25 };
    const record = { finetune: f.buildFinetuneConfig(['run.backend=cpu']), init: '/runs/pretrain', data: null, blocks: null, titles: null, overrides: ['run.backend=cpu'], world: (await import('@realm/data')).WorldConfigSchema.parse(world), questions: { train: 1, dev: 1, test: 1 } };
    writeFileSync(join(plan.finetuneDir, 'config.json'), `${JSON.stringify(f.SavedFinetuneRunSchema.parse(record))}\n`);
    expect(await finetuneBackend(f, plan)).toBe('cpu');
    writeFileSync(join(plan.finetuneDir, 'config.json'), '{not json');
    expect(await finetuneBackend(f, plan)).toBe('auto');
  });
});
