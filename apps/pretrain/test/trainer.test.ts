// The trainer against live in-process generators: resume after kill -9, artifacts, waiting for a
// generator that is not up yet.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readEventFile } from '@realm/data';
import { restoreRealmTrainer } from '@realm/model';
import {
  freePort,
  listCheckpoints,
  listTimestamps,
  readGlobalStep,
  runBootstrap,
  runGenerator,
  runRefresher,
  runTrainer,
  TRAINING_DONE,
  type PretrainConfig,
  type RunLayout,
} from '../src/index.js';
import { quietContext, tinyRun, useBackend } from './helpers.js';

let layout: RunLayout;
let config: PretrainConfig;
const generators = new AbortController();
let address = '';

beforeAll(async () => {
  await useBackend();
  ({ layout, config } = await tinyRun(['run.steps=40']));
  await runBootstrap(layout, config, quietContext('bootstrap'));
  await runRefresher(layout, config, { once: true }, quietContext('refresher'));
  await new Promise<void>((resolve) => {
    void runGenerator(layout, config, { mode: 'train', port: 0, onListening: (a) => { address = a; resolve(); } }, quietContext('gen', generators.signal));
  });
}, 120_000);

afterAll(() => generators.abort());

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('trainer', () => {
  test('killed with SIGKILL mid-run, a restarted trainer resumes from its last checkpoint', async () => {
    const script = fileURLToPath(new URL('./run-program.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@realm/source', script, 'trainer', layout.root, address], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal === 'SIGKILL' ? -9 : _code)));
    await waitFor(async () => (await listCheckpoints(layout.checkpoints)).length > 0 || child.exitCode !== null, 90_000);
    child.kill('SIGKILL');
    expect(await exited, stderr).toBe(-9);
    const before = await listCheckpoints(layout.checkpoints);
    const lastStep = before[before.length - 1].step;
    expect(lastStep).toBeGreaterThanOrEqual(2);
    expect(lastStep).toBeLessThan(40);

    const context = quietContext('trainer');
    const summary = await runTrainer(layout, config, { trainGenerators: [address], evalGenerators: [address], stopAtStep: lastStep + 4 }, context);
    expect(summary.resumedFromStep).toBe(lastStep);
    expect(summary.steps).toBe(lastStep + 4);
    expect(context.lines.some((l) => l.endsWith(`resumed from ${join(layout.checkpoints, `ckpt-${lastStep}`)} (global step ${lastStep})`))).toBe(true);
    // Not the end of the run (40 steps), so no TRAINING_DONE.
    expect(existsSync(join(layout.root, TRAINING_DONE))).toBe(false);
  }, 150_000);

  test('metrics go to metrics.jsonl and TensorBoard; checkpoints and exports follow the cadence', async () => {
    const lines = (await readFile(layout.metrics, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | string>);
    const train = lines.filter((l) => l.kind === 'train');
    const evals = lines.filter((l) => l.kind === 'eval');
    expect(train.length).toBeGreaterThanOrEqual(4);
    for (const line of train) {
      expect(Number.isFinite(line.loss)).toBe(true);
      // Linear warmup from 0: the first update (logged at step 1) uses rate 0.
      if ((line.step as number) > 1) expect(line.learning_rate).toBeGreaterThan(0);
      expect(line.off_policy_delay_mins).toBeGreaterThanOrEqual(0);
    }
    expect(evals.length).toBeGreaterThanOrEqual(1);
    expect(Object.keys(evals[0])).toEqual(expect.arrayContaining(['retrieval_utility', 'accuracy_with_retrieval', 'accuracy_null_document']));
    const eventFiles = (await readdir(join(layout.root, 'tensorboard'))).filter((f) => f.startsWith('events.out.tfevents.'));
    expect(eventFiles.length).toBeGreaterThanOrEqual(1);
    const events = (await Promise.all(eventFiles.map((f) => readEventFile(join(layout.root, 'tensorboard', f))))).flat();
    expect(events.some((e) => e.scalars && 'loss' in e.scalars)).toBe(true);
    expect(events.some((e) => e.scalars && 'eval/retrieval_utility' in e.scalars)).toBe(true);
    // keepCheckpointMax 3 (recipe); every checkpoint step is a multiple of 2 (tiny cadence).
    const checkpoints = await listCheckpoints(layout.checkpoints);
    expect(checkpoints.length).toBeLessThanOrEqual(3);
    for (const c of checkpoints) expect(c.step % 2).toBe(0);
    const exported = await Promise.all((await listTimestamps(layout.tfHub)).map((ts) => readGlobalStep(join(layout.tfHub, String(ts)))));
    expect(exported.every((step) => step % 2 === 0)).toBe(true);
    expect(await listTimestamps(layout.tfHubBest)).not.toEqual([]);
  });

  test('with no generator up the trainer waits instead of failing, and trains once one appears', async () => {
    const port = await freePort();
    const context = quietContext('trainer');
    const start = (await listCheckpoints(layout.checkpoints)).at(-1)!.step;
    const training = runTrainer(layout, config, { trainGenerators: [`127.0.0.1:${port}`], evalGenerators: [`127.0.0.1:${port}`], stopAtStep: start + 2 }, context);
    await new Promise((r) => setTimeout(r, 1500));
    const late = new AbortController();
    await new Promise<void>((resolve) => {
      void runGenerator(layout, config, { mode: 'train', port, onListening: () => resolve() }, quietContext('late-gen', late.signal));
    });
    const summary = await training;
    late.abort();
    expect(summary.steps).toBe(start + 2);
    expect(context.lines.some((l) => l.includes(`generator 127.0.0.1:${port} unavailable`))).toBe(true);
  }, 120_000);

  test('a damaged newest checkpoint is moved aside, the trainer resumes from the one before, and that step is saved again', async () => {
    const checkpoints = await listCheckpoints(layout.checkpoints);
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
    const damaged = checkpoints.at(-1)!;
    const previous = checkpoints.at(-2)!;
    for (const name of await readdir(damaged.path)) await writeFile(join(damaged.path, name), 'damaged');
    const context = quietContext('trainer');
    const summary = await runTrainer(layout, config, { trainGenerators: [address], evalGenerators: [address], stopAtStep: damaged.step + 2 }, context);
    expect(summary.resumedFromStep).toBe(previous.step);
    expect(context.lines.find((l) => l.includes(`cannot restore ${damaged.path}`))).toMatch(/; trying an older checkpoint$/);
    expect(context.lines.find((l) => l.includes(`moved the unreadable ${damaged.path} to`))).toMatch(/\.damaged-[0-9]+$/);
    expect((await readdir(layout.checkpoints)).some((name) => name.startsWith(`ckpt-${damaged.step}.damaged-`))).toBe(true);
    // The step was trained and saved again: a readable checkpoint under the original name.
    const after = await listCheckpoints(layout.checkpoints);
    expect(after.map((c) => c.step)).toContain(damaged.step);
    const restored = await restoreRealmTrainer(join(layout.checkpoints, `ckpt-${damaged.step}`));
    expect(restored.trainer.globalStep).toBe(damaged.step);
    restored.trainer.dispose();
  }, 120_000);

  test('a wall-clock deadline ends the run: final checkpoint, export and evaluation, TRAINING_DONE; a rerun does not train again', async () => {
    const start = (await listCheckpoints(layout.checkpoints)).at(-1)!.step;
    const context = quietContext('trainer');
    // Already inside the final reserve: no step is taken, but the run is closed properly.
    const summary = await runTrainer(layout, config, { trainGenerators: [address], evalGenerators: [address], deadlineMs: Date.now() + 1000 }, context);
    expect(summary.stoppedBy).toBe('deadline');
    expect(summary.steps).toBe(start);
    expect(summary.lastEval?.step).toBe(start);
    expect(context.lines.some((l) => l.includes(`wall-clock budget: stopping at step ${start}`))).toBe(true);
    expect((await readFile(join(layout.root, TRAINING_DONE), 'utf8')).trim()).toBe(String(start));
    expect((await listCheckpoints(layout.checkpoints)).at(-1)!.step).toBe(start);
    const rerun = quietContext('trainer');
    const again = await runTrainer(layout, config, { trainGenerators: [address], evalGenerators: [address] }, rerun);
    expect(again.steps).toBe(start);
    expect(again.stoppedBy).toBe('finished');
    expect(rerun.lines.some((l) => l.endsWith(`says training finished at step ${start}: not training again`))).toBe(true);
  }, 120_000);
});
