// Shared fixtures of the app tests: a tiny run (small world, 1-layer encoders) prepared on disk.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '@realm/backend';
import { prepareRun, programContext, type PretrainConfig, type ProgramContext, type RunLayout } from '../src/index.js';

/** Overrides that make every program finish in seconds. */
export const TINY_OVERRIDES: readonly string[] = [
  'world.scale=0.05',
  'model.embedder.hidden_size=16',
  'model.embedder.num_hidden_layers=1',
  'model.embedder.intermediate_size=32',
  'model.reader.hidden_size=16',
  'model.reader.num_hidden_layers=1',
  'model.reader.intermediate_size=32',
  'ict.maxSeconds=0.5',
  'ict.batchSize=4',
  'train.batchSize=4',
  'train.evalBatchSize=4',
  'train.numEvalSteps=1',
  'train.saveCheckpointsSteps=2',
  'train.evalEverySteps=2',
  'train.indexRefreshEverySteps=2',
  'run.steps=6',
  'run.finalEvalSteps=1',
  'generator.queueSize=16',
  'generator.retrievalBatchSize=4',
  'refresher.batchSize=8',
  'refresher.pollMs=200',
];

/** Log lines collected instead of printed. */
export function quietContext(name: string, signal?: AbortSignal): ProgramContext & { lines: string[] } {
  const lines: string[] = [];
  const context = programContext(name, { signal: signal ?? new AbortController().signal, log: (line) => lines.push(line) });
  return Object.assign(context, { lines });
}

export async function tinyRun(extra: readonly string[] = []): Promise<{ layout: RunLayout; config: PretrainConfig; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'realm-pretrain-test-'));
  const { layout, config } = await prepareRun(dir, [...TINY_OVERRIDES, ...extra], quietContext('prepare'));
  return { layout, config, dir };
}

let backendReady: Promise<unknown> | undefined;
/** The fastest tfjs backend with gradients registered, once per test file. */
export function useBackend(): Promise<unknown> {
  backendReady ??= selectBackend({ log: false });
  return backendReady;
}
