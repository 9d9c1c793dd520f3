// The shared-filesystem layout of one pre-training run (realm-spec §1.4's table) and the
// "newest by integer timestamp" rule the three programs use to find each other's output.
// Ports the directory conventions of language/realm/{train_realm,refresh_doc_embeds,example_generator}.py
// and common/utils/export_utils.py (best_export_path / newest timestamp).
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Every location of a run under its output directory (REALM's --model_dir). */
export interface RunLayout {
  root: string;
  /** The built-in world's corpora and vocab (written by the launcher). */
  data: string;
  vocab: string;
  retrievalShards: string;
  pretrainTrainShards: string;
  pretrainHeldoutShards: string;
  config: string;
  log: string;
  metrics: string;
  checkpoints: string;
  /** export/tf_hub/<ts>/{bert,embedder}: the trainer's newest exports (refresher input). */
  tfHub: string;
  /** export/tf_hub_best/<ts>/...: best exports by the configured metric. */
  tfHubBest: string;
  /** export/encoded/<ts>/{bert,embedder/encoded/encoded.ckpt}: published indexes (generator input). */
  encoded: string;
}

export function runLayout(root: string): RunLayout {
  const data = join(root, 'data');
  return {
    root,
    data,
    vocab: join(data, 'vocab.txt'),
    retrievalShards: join(data, 'corpus/retrieval/docs.tfr.gz-*-of-*'),
    pretrainTrainShards: join(data, 'pretrain/train.tfrecord.gz-*-of-*'),
    pretrainHeldoutShards: join(data, 'pretrain/heldout.tfrecord.gz-*-of-*'),
    config: join(root, 'config.json'),
    log: join(root, 'log'),
    metrics: join(root, 'log', 'metrics.jsonl'),
    checkpoints: join(root, 'checkpoints'),
    tfHub: join(root, 'export', 'tf_hub'),
    tfHubBest: join(root, 'export', 'tf_hub_best'),
    encoded: join(root, 'export', 'encoded'),
  };
}

/** The encoded index file inside a published encoded/<ts> directory (realm-spec §5.3). */
export function encodedCheckpointPrefix(encodedDir: string): string {
  return join(encodedDir, 'embedder', 'encoded', 'encoded.ckpt');
}

const TIMESTAMP_NAME = /^[0-9]+$/;

/**
 * Integer-named subdirectories of `dir`, oldest first. Staging directories (temp-*, .realm-tmp-*)
 * never match, so a half-written export is never listed. A missing `dir` lists nothing.
 */
export async function listTimestamps(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.filter((name) => TIMESTAMP_NAME.test(name)).map(Number).sort((a, b) => a - b);
}

/** The newest `<dir>/<ts>` by integer timestamp, or null when there is none. */
export async function newestTimestamp(dir: string): Promise<number | null> {
  const all = await listTimestamps(dir);
  return all.length === 0 ? null : all[all.length - 1];
}

/**
 * A fresh export timestamp: Unix seconds (REALM's <ts>), bumped past the newest existing one so
 * that two exports within one second still order correctly.
 */
export async function nextTimestamp(dir: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<number> {
  const newest = await newestTimestamp(dir);
  return newest === null ? nowSeconds : Math.max(nowSeconds, newest + 1);
}

/** Deletes all but the `keep` newest timestamp directories; returns the deleted timestamps. */
export async function pruneTimestamps(dir: string, keep: number): Promise<number[]> {
  const all = await listTimestamps(dir);
  const doomed = all.slice(0, Math.max(0, all.length - keep));
  for (const ts of doomed) await rm(join(dir, String(ts)), { recursive: true, force: true });
  return doomed;
}
