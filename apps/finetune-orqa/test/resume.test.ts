// Crash-resume of `finetune-orqa train` on the cpu backend: a run killed with SIGKILL mid-training,
// then run again with the same --out, ends bit-for-bit where an uninterrupted run ends (best/
// weights, the last checkpoint, metrics, predictions, results); likewise a run with index refresh
// stopped by a throwing hook. Also: conflicting overrides and a finished run are errors.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckpointReader } from '@realm/data';
import { listCheckpoints, prepareRun, programContext } from '@realm/pretrain';
import { beforeAll, describe, expect, test } from 'vitest';
import { readKnowledgeBase } from '../src/knowledge-base.js';
import { runFinetune, type FinetuneOptions } from '../src/train.js';

const root = mkdtempSync(join(tmpdir(), 'orqa-resume-'));
const runDir = join(root, 'run');
const TINY_BERT = { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 128 };
const STEPS = 4;
const OVERRIDES = [
  `orqa.numTrainSteps=${STEPS}`, 'orqa.batchSize=2', 'orqa.spanHiddenSize=8', 'orqa.numWarmupSteps=1', 'orqa.learningRate=1e-2',
  'run.evalEverySteps=2', 'run.maxDevQuestions=3', 'run.checkpointEverySteps=2', 'run.keepCheckpoints=1', 'run.backend=cpu',
];
const REFRESH = [...OVERRIDES, 'run.refreshIndex=true', 'run.refreshEverySteps=2'];

function context(lines: string[] = []): ReturnType<typeof programContext> {
  return programContext('test', { signal: new AbortController().signal, log: (line) => lines.push(line) });
}

const options = (out: string, overrides: readonly string[]): FinetuneOptions => ({ init: 'none', data: runDir, out, overrides: [...overrides] });

const BUNDLE = /\.ckpt\.(index|data-[0-9]+-of-[0-9]+)$/;

/**
 * Every file under `dir` by relative path: TF checkpoint bundles as their tensors by name (a
 * restored model may write its variables in another order), other files as bytes. Staging
 * leftovers would show up as extra names.
 */
async function tree(dir: string): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  const walk = async (path: string): Promise<void> => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) await walk(full);
      else if (!BUNDLE.test(name)) out.set(relative(dir, full), readFileSync(full));
      else if (name.endsWith('.index')) {
        const reader = await CheckpointReader.open(full.slice(0, -'.index'.length));
        const tensors = new Map<string, unknown>();
        for (const entry of reader.list()) {
          const tensor = await reader.read(entry.name);
          tensors.set(entry.name, { dtype: tensor.dtype, shape: tensor.shape, values: Array.from(tensor.values as ArrayLike<number | bigint>) });
        }
        await reader.close();
        out.set(relative(dir, full), tensors);
      }
    }
  };
  await walk(dir);
  return out;
}

/** results.json without the wall time. */
function results(out: string): unknown {
  const { wall_seconds: _wall, ...rest } = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Record<string, unknown>;
  return rest;
}

async function expectSameEnd(resumed: string, uninterrupted: string): Promise<void> {
  expect(results(resumed)).toEqual(results(uninterrupted));
  expect(await tree(join(resumed, 'best'))).toEqual(await tree(join(uninterrupted, 'best')));
  // The final checkpoint's weights and AdamW state (its state.json differs only in the kb path).
  const last = (out: string): string => join(out, 'checkpoints', `ckpt-${STEPS}`, 'model');
  const finalState = await tree(last(resumed));
  expect(finalState.get('trainer.ckpt.index')).toBeInstanceOf(Map);
  expect(finalState).toEqual(await tree(last(uninterrupted)));
  // Lines logged after the checkpoint by the killed run are cut, so every step appears once.
  expect(readFileSync(join(resumed, 'log', 'metrics.jsonl'), 'utf8')).toBe(readFileSync(join(uninterrupted, 'log', 'metrics.jsonl'), 'utf8'));
  for (const split of ['dev', 'test']) {
    expect(readFileSync(join(resumed, 'predictions', `${split}.jsonl`), 'utf8')).toBe(readFileSync(join(uninterrupted, 'predictions', `${split}.jsonl`), 'utf8'));
  }
}

beforeAll(async () => {
  await prepareRun(
    runDir,
    [
      'world.numPeople=12', 'world.numPlaces=3', 'world.numOrganisations=2', 'world.numCountries=2',
      `model.embedder=${JSON.stringify(TINY_BERT)}`, `model.reader=${JSON.stringify(TINY_BERT)}`, 'model.projection.size=8',
    ],
    context(),
  );
}, 60_000);

describe('finetune-orqa train resumes an interrupted run', () => {
  test('killed with SIGKILL after a checkpoint, the same command ends bit-for-bit where an uninterrupted run ends', async () => {
    const uninterrupted = join(root, 'whole');
    await runFinetune(options(uninterrupted, OVERRIDES), context());

    const killed = join(root, 'killed');
    const script = fileURLToPath(new URL('./run-finetune.ts', import.meta.url));
    // Each step is slowed by 1.5 s, so the kill lands between the line of step 2 and that of step 3.
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@realm/source', script, killed, runDir, '1500', ...OVERRIDES], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal === 'SIGKILL' ? -9 : code)));
    const metrics = join(killed, 'log', 'metrics.jsonl');
    // Killed once step 2 is logged: after ckpt-2, so the log holds a line resume must cut.
    const pastCheckpoint = (): boolean => existsSync(metrics) && readFileSync(metrics, 'utf8').includes('"kind":"step","step":2,');
    const deadline = Date.now() + 90_000;
    while (!pastCheckpoint() && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    expect(await exited, stderr).toBe(-9);
    expect(existsSync(join(killed, 'results.json'))).toBe(false);
    const checkpoints = await listCheckpoints(join(killed, 'checkpoints'));
    const lastStep = checkpoints.at(-1)!.step;
    expect(lastStep).toBe(2);

    const lines: string[] = [];
    await runFinetune(options(killed, OVERRIDES), context(lines));
    expect(lines.some((l) => l.endsWith(`resuming from ${join(killed, 'checkpoints', `ckpt-${lastStep}`)} (step ${lastStep} of ${STEPS})`))).toBe(true);
    await expectSameEnd(killed, uninterrupted);
    // keepCheckpoints 1: only the last remains, and no staging directory was left behind.
    expect(readdirSync(join(killed, 'checkpoints'))).toEqual([`ckpt-${STEPS}`]);

    // Finished: an error, and nothing is touched.
    await expect(runFinetune(options(killed, OVERRIDES), context())).rejects.toThrow(
      `${killed} already holds a fine-tuning run that has finished (${join(killed, 'results.json')}); choose a new --out`,
    );
  }, 180_000);

  test('with index refresh, a run stopped mid-way resumes with the re-embedded index of its checkpoint', async () => {
    const uninterrupted = join(root, 'refresh-whole');
    await runFinetune(options(uninterrupted, REFRESH), context());

    const stopped = join(root, 'refresh-stopped');
    // Step index 3 throws: ckpt-2 is the newest checkpoint, taken after the refresh for the evaluation at step 2.
    const crash = { onStep: (metrics: { step: number }): void => { if (metrics.step === 3) throw new Error('simulated crash'); } };
    await expect(runFinetune(options(stopped, REFRESH), context(), crash)).rejects.toThrow('simulated crash');
    const state = JSON.parse(readFileSync(join(stopped, 'checkpoints', 'ckpt-2', 'state.json'), 'utf8')) as { step: number; refreshedAt: number };
    expect(state).toMatchObject({ step: 2, refreshedAt: 2 });

    // A conflicting override or another --init is refused, naming the field.
    const resuming = `${stopped} holds an unfinished fine-tuning run (${join(stopped, 'config.json')}) that is resumed with its own config`;
    await expect(runFinetune(options(stopped, [...REFRESH, 'orqa.learningRate=0.5']), context())).rejects.toThrow(
      `${resuming}: orqa.learningRate=0.5 conflicts with its orqa.learningRate=0.01; drop the override to resume or choose a new --out`,
    );
    await expect(runFinetune({ ...options(stopped, REFRESH), init: runDir }, context())).rejects.toThrow(
      `${resuming}: --init ${runDir} conflicts with its init none; pass --init none or choose a new --out`,
    );

    // Resumed with no overrides at all: the saved config is reused.
    await runFinetune(options(stopped, []), context());
    await expectSameEnd(stopped, uninterrupted);
    const [a, b] = await Promise.all([readKnowledgeBase(stopped), readKnowledgeBase(uninterrupted)]);
    expect(a.manifest.source).toBe(b.manifest.source);
    expect(a.vectors).toEqual(b.vectors);
  }, 180_000);
});
