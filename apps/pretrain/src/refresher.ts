// The document index refresher program: waits for a newer export under export/tf_hub, embeds the
// whole retrieval corpus with its embedder, and publishes export/encoded/<ts> (the export's bert/
// and embedder/ plus embedder/encoded/encoded.ckpt holding block_emb) in one atomic rename.
// Ports language/realm/refresh_doc_embeds.py, without its busy-poll and its re-embedding of stale
// exports (realm-spec §1.3, §1.5): only the newest export is processed.
import { existsSync } from 'node:fs';
import { appendFile, cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { storageFor } from '@realm/data';
import { loadBlockEmb, saveBlockEmb } from '@realm/mips';
import { projectionSize } from '@realm/model';
import type { PretrainConfig } from './config.js';
import { loadRetrievalCorpus, loadTokenizer, type CorpusBlock } from './corpus.js';
import { embedCorpus, loadExportEmbedders } from './embedder-io.js';
import { encodedCheckpointPrefix, newestTimestamp, pruneTimestamps, type RunLayout } from './layout.js';
import type { ProgramContext } from './program.js';
import { readGlobalStep } from './exports.js';
import { waitForNewerTimestamp, waitForPath } from './watch.js';

/** Shard i of n: this refresher embeds only rows [⌊iN/n⌋, ⌊(i+1)N/n⌋) (REALM's --tpu_workers split). */
export interface RefresherShard {
  index: number;
  count: number;
}

/** Parses `i/n` (0 ≤ i < n). */
export function parseShard(text: string): RefresherShard {
  const match = /^([0-9]+)\/([0-9]+)$/.exec(text.trim());
  const shard = match ? { index: Number(match[1]), count: Number(match[2]) } : null;
  if (!shard || shard.count < 1 || shard.index >= shard.count) throw new Error(`--shard must be i/n with 0 ≤ i < n, got '${text}'`);
  return shard;
}

/** The corpus rows [start, end) of a shard. */
export function shardRows(total: number, shard: RefresherShard): [number, number] {
  return [Math.floor((shard.index * total) / shard.count), Math.floor(((shard.index + 1) * total) / shard.count)];
}

export interface RefresherOptions {
  /** Embed one shard of the corpus; shard 0 gathers every part and publishes the index. */
  shard?: RefresherShard;
  /** Encode the newest export once and return (bootstrap and the frozen-index ablation). */
  once?: boolean;
  /** Progress callback per embedded batch (the CLI draws a bar with it). */
  onProgress?: (done: number, total: number) => void;
}

/** One line of log/refreshes.jsonl per published index. */
export interface RefreshRecord {
  timestamp: number;
  globalStep: number;
  blocks: number;
  seconds: number;
}

/** Marker the trainer writes when it has finished (train_realm.py's TRAINING_DONE). */
export const TRAINING_DONE = 'TRAINING_DONE';

/** Embeds every block with the export at tf_hub/<ts> and publishes encoded/<ts> atomically. */
export async function encodeExport(
  layout: RunLayout,
  config: PretrainConfig,
  timestamp: number,
  blocks: readonly CorpusBlock[],
  context: ProgramContext,
  onProgress?: (done: number, total: number) => void,
  shard: RefresherShard = { index: 0, count: 1 },
): Promise<RefreshRecord | null> {
  const started = Date.now();
  const source = join(layout.tfHub, String(timestamp));
  const destination = join(layout.encoded, String(timestamp));
  const globalStep = await readGlobalStep(source);
  const [first, last] = shardRows(blocks.length, shard);
  const mine = blocks.slice(first, last);
  context.log(`embedding ${shard.count > 1 ? `shard ${shard.index}/${shard.count}: blocks ${first}–${last - 1} of ${blocks.length}` : `${blocks.length} blocks`} with export ${timestamp} (step ${globalStep})`);
  const tokenizer = await loadTokenizer(layout);
  const embedders = await loadExportEmbedders(source);
  const dim = projectionSize(embedders.documentEmbedder);
  let vectors: Float32Array;
  try {
    vectors = await embedCorpus(embedders.documentEmbedder, mine, tokenizer.vocab.specialTokenIds(), {
      seqLen: config.dims.candidateSeqLen,
      batchSize: config.refresher.batchSize,
      onProgress: (done) => onProgress?.(done, mine.length),
    });
  } finally {
    embedders.dispose();
  }
  const partsDir = join(layout.root, 'export', 'encoded_parts', String(timestamp));
  if (shard.count > 1) {
    vectors = await exchangeShardParts(partsDir, shard, vectors, dim, context);
    if (shard.index !== 0) return null;
  }
  // Copy rather than move tf_hub/<ts>: the trainer owns and prunes tf_hub; generators must only
  // ever see the complete encoded/<ts>, so it is built in staging and renamed into place.
  await (await storageFor(destination)).publishDirectory(destination, async (staging) => {
    await cp(source, staging, { recursive: true });
    await mkdir(join(staging, 'embedder', 'encoded'), { recursive: true });
    await saveBlockEmb(encodedCheckpointPrefix(staging), vectors, dim);
  });
  await rm(partsDir, { recursive: true, force: true });
  const pruned = await pruneTimestamps(layout.encoded, config.refresher.keepEncoded);
  const record: RefreshRecord = { timestamp, globalStep, blocks: blocks.length, seconds: (Date.now() - started) / 1000 };
  await mkdir(layout.log, { recursive: true });
  await appendFile(join(layout.log, 'refreshes.jsonl'), `${JSON.stringify(record)}\n`);
  context.log(`published ${destination} in ${record.seconds.toFixed(1)}s${pruned.length ? `; removed old indexes ${pruned.join(', ')}` : ''}`);
  return record;
}

/**
 * Publishes this shard's rows as encoded_parts/<ts>/part-i-of-n (atomically); shard 0 then waits
 * for every part and returns the whole matrix in corpus order, the others return their own rows.
 */
async function exchangeShardParts(partsDir: string, shard: RefresherShard, vectors: Float32Array, dim: number, context: ProgramContext): Promise<Float32Array> {
  const partName = (i: number): string => join(partsDir, `part-${i}-of-${shard.count}`);
  const mine = partName(shard.index);
  if (!existsSync(mine)) {
    await (await storageFor(mine)).publishDirectory(mine, (staging) => saveBlockEmb(join(staging, 'block_emb.ckpt'), vectors, dim));
  }
  if (shard.index !== 0) {
    context.log(`shard ${shard.index}/${shard.count}: part published to ${mine}`);
    return vectors;
  }
  const parts: Float32Array[] = [];
  for (let i = 0; i < shard.count; i++) {
    if (!existsSync(partName(i))) context.log(`waiting for ${partName(i)}`);
    if (!(await waitForPath(partName(i), { signal: context.signal, pollMs: 250 }))) throw new Error('refresher: stopped while waiting for shard parts');
    parts.push((await loadBlockEmb(join(partName(i), 'block_emb.ckpt'))).vectors);
  }
  const whole = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}

/**
 * Runs the refresher until aborted or until the trainer writes TRAINING_DONE: each time a newer
 * export than the newest published index appears, it is embedded and published. With no export
 * at all the caller should bootstrap first (see bootstrap.ts).
 */
export async function runRefresher(layout: RunLayout, config: PretrainConfig, options: RefresherOptions, context: ProgramContext): Promise<RefreshRecord[]> {
  const { log, signal } = context;
  const blocks = await loadRetrievalCorpus(layout.retrievalShards);
  const done: RefreshRecord[] = [];
  let lastEncoded = await newestTimestamp(layout.encoded);
  log(`${blocks.length} retrieval blocks; newest published index: ${lastEncoded ?? 'none'}`);
  while (!signal.aborted) {
    const newest = await newestTimestamp(layout.tfHub);
    if (newest !== null && (lastEncoded === null || newest > lastEncoded)) {
      const record = await encodeExport(layout, config, newest, blocks, context, options.onProgress, options.shard);
      if (record) done.push(record);
      lastEncoded = newest;
      if (options.once) break;
      continue; // a newer export may have arrived while embedding
    }
    if (options.once) {
      if (newest === null) throw new Error(`refresher --once: no export under ${layout.tfHub}`);
      log(`index ${lastEncoded} is already the newest export; nothing to do`);
      break;
    }
    if (existsSync(join(layout.root, TRAINING_DONE))) {
      log('the trainer has finished; exiting');
      break;
    }
    // Sleep until the trainer exports again (watch + slow poll; also wakes for TRAINING_DONE).
    const controller = new AbortController();
    const stopOnAbort = (): void => controller.abort();
    signal.addEventListener('abort', stopOnAbort, { once: true });
    const doneWatcher = waitForNewerTimestamp(layout.tfHub, lastEncoded, { signal: controller.signal, pollMs: config.refresher.pollMs });
    const finishedPoll = setInterval(() => existsSync(join(layout.root, TRAINING_DONE)) && controller.abort(), 1000);
    try {
      await doneWatcher;
    } finally {
      clearInterval(finishedPoll);
      signal.removeEventListener('abort', stopOnAbort);
    }
  }
  return done;
}
