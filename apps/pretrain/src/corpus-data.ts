// A `realm corpus build` output as a run's data, instead of the built-in world: its files are
// linked (or copied, e.g. from gs://) into <out>/data under the names the programs read, and its
// pre-training shards are split as REALM's example generator splits them (the first sorted
// shards are held out for evaluation, the rest train).
import { createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CORPUS_LAYOUT, countTfRecords, isGcsUri, shardName, storageFor, type Storage } from '@realm/data';
import { Vocab } from '@realm/tokenizer';
import type { PretrainConfig } from './config.js';
import type { PreparedData } from './corpus.js';
import type { RunLayout } from './layout.js';

const CORPUS_FORMAT = 'realm-ts corpus v1';

/** What a corpus.json must say for the run to read the corpus. */
interface CorpusManifest {
  stats: { documents: number; blocks: number };
  doLowerCase: boolean;
}

function joinLocation(root: string, relative: string): string {
  return isGcsUri(root) ? `${root.replace(/\/+$/, '')}/${relative}` : join(root, relative);
}

async function readManifest(storage: Storage, path: string): Promise<CorpusManifest> {
  let text: string;
  try {
    text = new TextDecoder().decode(await storage.read(path));
  } catch (error) {
    throw new Error(`data.corpus: cannot read ${path}: ${(error as Error).message} (build the corpus with \`realm corpus build\`)`, { cause: error });
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new Error(`data.corpus: ${path} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const m = manifest as Partial<CorpusManifest & { format: string }> | null;
  if (m === null || typeof m !== 'object' || m.format !== CORPUS_FORMAT) {
    throw new Error(`data.corpus: ${path} is not a corpus manifest (expected "format": "${CORPUS_FORMAT}", as \`realm corpus build\` writes)`);
  }
  if (typeof m.doLowerCase !== 'boolean' || typeof m.stats?.blocks !== 'number' || typeof m.stats?.documents !== 'number') {
    throw new Error(`data.corpus: ${path} lacks "doLowerCase" or "stats.blocks"/"stats.documents"`);
  }
  return m as CorpusManifest;
}

/**
 * Puts `source` at local `destination`: a hard link when both are on this disk (no copy of a
 * large corpus), else a copy through a temporary name, renamed into place once complete.
 */
async function linkOrCopy(storage: Storage, source: string, destination: string): Promise<void> {
  await mkdir(dirname(destination), { recursive: true });
  await rm(destination, { force: true }); // a half-prepared earlier attempt
  if (!isGcsUri(source)) {
    try {
      await link(source, destination);
      return;
    } catch {
      // another filesystem, or links not allowed: copy below
    }
  }
  const temp = join(dirname(destination), `.realm-tmp-${basename(destination)}`);
  try {
    if (isGcsUri(source)) await pipeline(await storage.openRead(source), createWriteStream(temp));
    else await copyFile(source, temp);
    await rename(temp, destination);
  } catch (error) {
    await rm(temp, { force: true });
    throw new Error(`data.corpus: cannot copy ${source} to ${destination}: ${(error as Error).message}`, { cause: error });
  }
}

async function countRecords(paths: readonly string[]): Promise<number> {
  let total = 0;
  for (const path of paths) total += await countTfRecords(path);
  return total;
}

/**
 * Prepares <out>/data from the `realm corpus build` directory `config.data.corpus`: the retrieval
 * shards, ORQA block files, vocab and manifest under data/corpus, the vocab at data/vocab.txt, and
 * the pre-training shards as data/pretrain/{heldout,train}.tfrecord.gz-*-of-* (held out: the first
 * `data.heldoutShards` in sorted order; 0 = evaluate on the training shards).
 */
export async function prepareCorpusRunData(layout: RunLayout, config: PretrainConfig): Promise<PreparedData> {
  const root = config.data.corpus;
  if (root === null) throw new Error('prepareCorpusRunData: data.corpus is not set');
  const storage = await storageFor(root);
  const manifestPath = joinLocation(root, CORPUS_LAYOUT.manifest);
  const manifest = await readManifest(storage, manifestPath);
  const shardsOf = async (prefix: string): Promise<string[]> => (await storage.glob(joinLocation(root, `${prefix}-*-of-*`))).sort();
  const retrieval = await shardsOf(CORPUS_LAYOUT.retrievalPrefix);
  const pretrain = await shardsOf(CORPUS_LAYOUT.pretrainPrefix);
  if (retrieval.length === 0) throw new Error(`data.corpus: no retrieval shards ${joinLocation(root, `${CORPUS_LAYOUT.retrievalPrefix}-*-of-*`)} (listed in ${manifestPath})`);
  if (pretrain.length === 0) throw new Error(`data.corpus: no pre-training shards ${joinLocation(root, `${CORPUS_LAYOUT.pretrainPrefix}-*-of-*`)} (listed in ${manifestPath})`);
  const heldoutCount = config.data.heldoutShards;
  if (heldoutCount >= pretrain.length) {
    throw new Error(
      `data.heldoutShards = ${heldoutCount} but ${root} has ${pretrain.length} pre-training shard(s): training needs at least one more ` +
        `(rebuild with \`realm corpus build --shards ${heldoutCount + 1}\` or more, or set --data.heldoutShards=0 to evaluate on the training shards)`,
    );
  }

  const corpusOut = join(layout.data, 'corpus');
  for (const [i, shard] of retrieval.entries()) await linkOrCopy(storage, shard, join(corpusOut, shardName(CORPUS_LAYOUT.retrievalPrefix, i, retrieval.length)));
  for (const relative of [CORPUS_LAYOUT.orqaBlocks, CORPUS_LAYOUT.orqaTitles, CORPUS_LAYOUT.orqaExamples, 'vocab.txt']) {
    await linkOrCopy(storage, joinLocation(root, relative), join(corpusOut, relative));
  }
  await linkOrCopy(storage, join(corpusOut, 'vocab.txt'), layout.vocab);
  const heldout = heldoutCount === 0 ? pretrain : pretrain.slice(0, heldoutCount);
  const train = heldoutCount === 0 ? pretrain : pretrain.slice(heldoutCount);
  const pretrainOut = join(layout.data, 'pretrain');
  for (const [i, shard] of train.entries()) await linkOrCopy(storage, shard, join(pretrainOut, shardName('train.tfrecord.gz', i, train.length)));
  for (const [i, shard] of heldout.entries()) await linkOrCopy(storage, shard, join(pretrainOut, shardName('heldout.tfrecord.gz', i, heldout.length)));
  // The manifest last: its presence in data/corpus says the copy is complete.
  await linkOrCopy(storage, manifestPath, join(corpusOut, CORPUS_LAYOUT.manifest));

  const vocab = Vocab.fromText(new TextDecoder().decode(await storage.read(joinLocation(root, 'vocab.txt'))), joinLocation(root, 'vocab.txt'));
  return {
    documents: manifest.stats.documents,
    blocks: manifest.stats.blocks,
    pretrainTrain: await countRecords(train.map((_, i) => join(pretrainOut, shardName('train.tfrecord.gz', i, train.length)))),
    pretrainHeldout: await countRecords(heldout.map((_, i) => join(pretrainOut, shardName('heldout.tfrecord.gz', i, heldout.length)))),
    vocabSize: vocab.size,
  };
}
