// Crash-resume of `realm finetune-orqa train`: the saved config.json of an unfinished run (reused,
// with conflicting overrides rejected), and checkpoints/ckpt-<step>/ holding everything the next
// step depends on. The app-level counterpart of orqa_experiment.py's save_checkpoints_steps and
// tf.estimator's restore-from-latest-checkpoint (and of the pre-training trainer's ckpt-N fallback).
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { storageFor, TEMP_PREFIX, WorldConfigSchema } from '@realm/data';
import { loadBlockEmb, saveBlockEmb } from '@realm/mips';
import * as tf from '@tensorflow/tfjs-core';
import {
  disposeOrqaModel,
  loadOrqaModel,
  ORQA_MODEL_FILES,
  orqaVariables,
  readStateCheckpoint,
  saveOrqaModel,
  type OrqaEvalSummary,
  type OrqaModel,
  type OrqaTrainer,
} from '@realm/model';
import { listCheckpoints, parseOverride, setAsideDamagedCheckpoint } from '@realm/pretrain';
import type { Rng } from '@realm/tokenizer';
import { z } from 'zod';
import { buildFinetuneConfig, FinetuneConfigSchema } from './config.js';
import type { FinetuneLayout } from './layout.js';

/** Files of one checkpoints/ckpt-<step>/ directory. */
export const RESUME_FILES = Object.freeze({
  /** saveOrqaModel with the trainer (weights, AdamW slots, global_step, dropout seed). */
  model: 'model',
  /** The index the run retrieved from at this step (only when the document embedder is trained). */
  index: 'block_emb.ckpt',
  /** ResumeState. */
  state: 'state.json',
});

export const ResumeStateSchema = z
  .strictObject({
    step: z.int().min(0).describe('Steps taken (the trainer global_step)'),
    dataRngDraws: z.int().min(0).describe('Draws of the run rng before the first shuffle: the data order is replayed from there'),
    refreshedAt: z.int().min(0).describe('Step at which the index was last re-embedded (0 = never)'),
    best: z
      .strictObject({
        step: z.int().min(1).describe('Step of the best dev evaluation so far (the model in best/)'),
        metric: z.number().describe('Its dev metric (run.selectBy)'),
        summary: z.record(z.string(), z.unknown()).describe('Its dev OrqaEvalSummary'),
      })
      .nullable()
      .describe('The best dev evaluation so far, null before the first'),
    metricsBytes: z.int().min(0).describe('Length of log/metrics.jsonl at this step (later lines are cut on resume)'),
    kbDir: z.string().describe('The knowledge-base version holding the blocks (and, without index refresh, the embeddings) trained against'),
  })
  .readonly();
export type ResumeState = z.infer<typeof ResumeStateSchema>;

/** A rng that counts its draws, so a run can record and later replay its position. */
export interface CountingRng extends Rng {
  readonly draws: number;
}

/** Wraps `rng`, first discarding `skip` draws (a generator recreated from its seed is then where the original was). */
export function countingRng(rng: Rng, skip = 0): CountingRng {
  for (let i = 0; i < skip; i++) rng.next();
  let draws = skip;
  return {
    next: () => {
      draws++;
      return rng.next();
    },
    get draws() {
      return draws;
    },
  };
}

/** config.json of a run: the resolved config and what it was made from. */
export const SavedFinetuneRunSchema = z
  .strictObject({
    finetune: FinetuneConfigSchema.describe('The resolved config training used (retrieverBeamSize clamped to the corpus)'),
    init: z.string().describe('--init: a pre-training run directory or none'),
    data: z.string().nullable().describe('--data with --init none'),
    blocks: z.string().nullable().optional().describe("--blocks (ORQA blocks.tfr) with a Google REALM module --init (absent in runs saved before it existed)"),
    titles: z.string().nullable().optional().describe('--titles with a Google REALM module --init (absent in runs saved before it existed)'),
    overrides: z.array(z.string()).optional().describe('The --a.b=value overrides as given (absent in runs saved before resume existed)'),
    world: WorldConfigSchema.describe('The built-in world the questions come from'),
    questions: z
      .strictObject({
        train: z.int().describe('Training questions'),
        dev: z.int().describe('Dev questions'),
        test: z.int().describe('Test questions'),
      })
      .describe('Question counts per split'),
  })
  .readonly();
export type SavedFinetuneRun = z.infer<typeof SavedFinetuneRunSchema>;

/** Every leaf path of an override object, dotted (`{orqa: {a: 1}}` → `orqa.a`). */
function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => leafPaths(inner, [...prefix, key]));
}

function valueAt(object: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), object);
}

/**
 * The saved run of an output directory that has config.json but no results.json, checked against
 * the new invocation: --init and --data must name the same inputs, and every override must resolve
 * to the value the run was started with (the error names the field). Null when `out` holds no run.
 */
export async function readUnfinishedRun(
  layout: FinetuneLayout,
  options: { init: string; data?: string; blocks?: string; titles?: string; overrides: readonly string[] },
): Promise<SavedFinetuneRun | null> {
  if (!existsSync(layout.config)) return null;
  if (existsSync(layout.results)) throw new Error(`${layout.root} already holds a fine-tuning run that has finished (${layout.results}); choose a new --out`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(layout.config, 'utf8'));
  } catch (error) {
    throw new Error(`${layout.config}: cannot read the unfinished run's config to resume it (${(error as Error).message})`, { cause: error });
  }
  const parsed = SavedFinetuneRunSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${layout.config}: invalid fine-tuning run config, cannot resume\n${z.prettifyError(parsed.error)}`);
  const saved = parsed.data;
  const resuming = `${layout.root} holds an unfinished fine-tuning run (${layout.config}) that is resumed with its own config`;
  if (options.init !== saved.init) throw new Error(`${resuming}: --init ${options.init} conflicts with its init ${saved.init}; pass --init ${saved.init} or choose a new --out`);
  if (options.data !== undefined && options.data !== saved.data) {
    throw new Error(`${resuming}: --data ${options.data} conflicts with its data ${saved.data ?? '(none: the world prepared under --out)'}; drop --data or choose a new --out`);
  }
  for (const flag of ['blocks', 'titles'] as const) {
    const now = options[flag];
    const then = saved[flag] ?? null;
    if (now !== undefined && now !== then) throw new Error(`${resuming}: --${flag} ${now} conflicts with its ${flag} ${then ?? '(none)'}; drop --${flag} or choose a new --out`);
  }
  // Against the config the run really continues with (not today's recipe under its overrides).
  // retrieverBeamSize was clamped to the corpus size: a request that clamps to the same value agrees.
  const wanted = buildFinetuneConfig(options.overrides);
  for (const override of options.overrides) {
    for (const path of leafPaths(parseOverride(override))) {
      let now = valueAt(wanted, path);
      const then = valueAt(saved.finetune, path);
      if (path.join('.') === 'orqa.retrieverBeamSize' && typeof now === 'number' && typeof then === 'number' && now > then) now = then;
      if (JSON.stringify(now) !== JSON.stringify(then)) {
        throw new Error(`${resuming}: ${path.join('.')}=${JSON.stringify(now)} conflicts with its ${path.join('.')}=${JSON.stringify(then)}; drop the override to resume or choose a new --out`);
      }
    }
  }
  return saved;
}

/** What a checkpoint restores: the model directory, the state and, with index refresh, the index. */
export interface ResumeCheckpoint {
  dir: string;
  modelDir: string;
  state: ResumeState;
  /** [blocks, dim] embeddings the run retrieved from, when it re-embeds the corpus. */
  index: { vectors: Float32Array; dim: number } | null;
}

/** Writes checkpoints/ckpt-<step>/ atomically (built in staging, one rename) and keeps the `keep` newest; an existing one is left alone. */
export async function saveResumeCheckpoint(
  layout: FinetuneLayout,
  model: OrqaModel,
  trainer: OrqaTrainer,
  state: ResumeState,
  options: { keep: number; index: { vectors: Float32Array; dim: number } | null },
): Promise<string> {
  const dir = join(layout.checkpoints, `ckpt-${state.step}`);
  if (existsSync(dir)) return dir;
  await (await storageFor(dir)).publishDirectory(dir, async (staging) => {
    await saveOrqaModel(join(staging, RESUME_FILES.model), model, { trainer, extra: { step: state.step } });
    if (options.index) await saveBlockEmb(join(staging, RESUME_FILES.index), options.index.vectors, options.index.dim);
    await writeFile(join(staging, RESUME_FILES.state), `${JSON.stringify(state, null, 2)}\n`);
  });
  const all = await listCheckpoints(layout.checkpoints);
  for (const old of all.slice(0, Math.max(0, all.length - options.keep))) await rm(old.path, { recursive: true, force: true });
  return dir;
}

async function readCheckpoint(dir: string, withIndex: boolean): Promise<ResumeCheckpoint> {
  const statePath = join(dir, RESUME_FILES.state);
  const parsed = ResumeStateSchema.safeParse(JSON.parse(await readFile(statePath, 'utf8')));
  if (!parsed.success) throw new Error(`${statePath}: invalid resume state\n${z.prettifyError(parsed.error)}`);
  const index = withIndex ? await loadBlockEmb(join(dir, RESUME_FILES.index)) : null;
  return { dir, modelDir: join(dir, RESUME_FILES.model), state: parsed.data, index: index && { vectors: index.vectors, dim: index.dim } };
}

/**
 * The newest readable checkpoint (an unreadable one — only possible by outside damage, since they
 * appear by rename — is reported through `log` and an older one tried), or null when there is none.
 */
export async function newestResumeCheckpoint(layout: FinetuneLayout, withIndex: boolean, log: (message: string) => void): Promise<ResumeCheckpoint | null> {
  const unreadable: string[] = [];
  for (const checkpoint of (await listCheckpoints(layout.checkpoints)).reverse()) {
    try {
      const found = await readCheckpoint(checkpoint.path, withIndex);
      // Moved aside (once a good one is in hand) so that saving their steps again is not skipped
      // as already done.
      for (const path of unreadable) log(`moved the unreadable ${path} to ${await setAsideDamagedCheckpoint(path)}`);
      return found;
    } catch (error) {
      log(`cannot read ${checkpoint.path}: ${(error as Error).message}; trying an older checkpoint`);
      unreadable.push(checkpoint.path);
    }
  }
  return null;
}

/**
 * Repairs the one crash window of a directory replaced by writeDirectoryAtomically (old moved
 * aside, new not yet renamed in): the moved-aside copy is put back, and staging leftovers removed.
 * Returns true when `dir` was restored.
 */
export async function recoverReplacedDirectory(dir: string): Promise<boolean> {
  const parent = dirname(dir);
  if (!existsSync(parent)) return false;
  const name = basename(dir);
  const entries = await readdir(parent);
  for (const entry of entries.filter((e) => e.startsWith(`.${name}.tmp-`))) await rm(join(parent, entry), { recursive: true, force: true });
  const aside = entries.filter((e) => e.startsWith(`.${name}.old-`));
  if (existsSync(dir) || aside.length === 0) {
    for (const entry of aside) await rm(join(parent, entry), { recursive: true, force: true });
    return false;
  }
  await rename(join(parent, aside[0]), dir);
  return true;
}

/** The best dev evaluation as state.json keeps it, and back. */
export function bestToState(best: { step: number; metric: number; summary: OrqaEvalSummary } | null): ResumeState['best'] {
  return best && { step: best.step, metric: best.metric, summary: { ...best.summary } };
}

export function bestFromState(best: ResumeState['best']): { step: number; metric: number; summary: OrqaEvalSummary } | null {
  return best && { step: best.step, metric: best.metric, summary: best.summary as unknown as OrqaEvalSummary };
}

/**
 * Loads a checkpoint's weights, AdamW slots, global_step and dropout seed into `trainer`, whose
 * model was built exactly as the interrupted run built it (same parts, same creation order). Not
 * restoreOrqaTrainer: a loaded model creates its variables in another order than a built one, and
 * the trainer sums the global norm in that order, so a resumed step would clip by a norm rounded
 * differently (1 ulp) from the uninterrupted run's.
 */
export async function importCheckpointInto(trainer: OrqaTrainer, modelDir: string): Promise<void> {
  const loaded = (await loadOrqaModel(modelDir)).model;
  let optimizer: Map<string, tf.Tensor> | undefined;
  try {
    optimizer = await readStateCheckpoint(join(modelDir, ORQA_MODEL_FILES.trainerState), 'ORQA trainer state');
    trainer.importState(new Map<string, tf.Tensor>([...orqaVariables(loaded), ...optimizer]));
  } catch (error) {
    throw new Error(`${modelDir}: cannot restore the ORQA trainer: ${(error as Error).message}`, { cause: error });
  } finally {
    if (optimizer) tf.dispose([...optimizer.values()]);
    disposeOrqaModel(loaded);
  }
}

/** Deletes the half-written copies a crash leaves beside checkpoints and knowledge bases (never published). */
export async function removeStagingLeftovers(dirs: readonly string[], log: (line: string) => void): Promise<void> {
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of await readdir(dir)) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      await rm(join(dir, name), { recursive: true, force: true });
      log(`removed ${join(dir, name)}, left half-written by the interrupted run`);
    }
  }
}
