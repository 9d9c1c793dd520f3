// Data the programs share: the built-in world written in REALM's formats (prepareRunData), the
// retrieval corpus held in memory in sorted-shard order (row i = block_emb row i), and the
// pre-training records. Ports the loaders of language/realm/example_generator.py (load_documents,
// the pre-training shard split) and refresh_doc_embeds.py (corpus order).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  documentUid,
  generateWorld,
  pretrainRecordFromExample,
  readTfExamples,
  retrievalDocumentFromExample,
  storageFor,
  writeWorldRealmCorpora,
  type BertInputs,
  type PretrainRecord,
} from '@realm/data';
import { buildCorpusVocab, FullTokenizer, packCandidate, Vocab, type PackingIds } from '@realm/tokenizer';
import type { PretrainConfig } from './config.js';
import type { RunLayout } from './layout.js';

/** One retrievable block: pre-tokenized title and body, and its SHA-1 uid (realm-spec §5.2). */
export interface CorpusBlock {
  uid: string;
  titleIds: number[];
  bodyIds: number[];
}

export interface PreparedData {
  documents: number;
  blocks: number;
  pretrainTrain: number;
  pretrainHeldout: number;
  vocabSize: number;
}

/**
 * Generates the built-in world and writes it as REALM corpora under layout.data, with a WordPiece
 * vocab built from its own text (the world ships no BERT vocab).
 */
export async function prepareRunData(layout: RunLayout, config: PretrainConfig): Promise<PreparedData> {
  const world = generateWorld({ ...config.world, seed: config.world.seed });
  const texts = [...world.documents.flatMap((d) => [d.title, d.body]), ...world.pretrain.train.map((r) => r.text), ...world.pretrain.heldout.map((r) => r.text)];
  const vocabTokens = buildCorpusVocab(texts, config.vocab);
  await mkdir(dirname(layout.vocab), { recursive: true });
  await writeFile(layout.vocab, `${vocabTokens.join('\n')}\n`);
  const tokenizer = new FullTokenizer(new Vocab(vocabTokens, layout.vocab));
  const written = await writeWorldRealmCorpora(world, tokenizer, layout.data);
  return {
    documents: world.documents.length,
    blocks: written.corpus.blocks,
    pretrainTrain: written.pretrainTrain,
    pretrainHeldout: written.pretrainHeldout,
    vocabSize: vocabTokens.length,
  };
}

/**
 * The run's tokenizer, from its vocab file; lower-casing as data/corpus/corpus.json says (a cased
 * corpus from `realm corpus build --cased`), else on, as REALM's launcher.
 */
export async function loadTokenizer(layout: RunLayout): Promise<FullTokenizer> {
  const text = await readFile(layout.vocab, 'utf8').catch((error: unknown) => {
    throw new Error(`vocab ${layout.vocab}: ${(error as Error).message} (prepare the run data first)`, { cause: error });
  });
  const manifestPath = join(layout.data, 'corpus', 'corpus.json');
  let doLowerCase = true;
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { doLowerCase?: unknown };
    if (typeof manifest.doLowerCase === 'boolean') doLowerCase = manifest.doLowerCase;
  }
  return FullTokenizer.fromVocabText(text, { doLowerCase }, layout.vocab);
}

async function shardsOf(pattern: string, what: string): Promise<string[]> {
  const shards = await (await storageFor(pattern)).glob(pattern);
  if (shards.length === 0) throw new Error(`${what}: no shards match ${pattern}`);
  return shards;
}

/** Every retrieval block, in sorted-shard order (the row order of block_emb). */
export async function loadRetrievalCorpus(pattern: string): Promise<CorpusBlock[]> {
  const blocks: CorpusBlock[] = [];
  for (const shard of await shardsOf(pattern, 'retrieval corpus')) {
    for await (const { example, index } of readTfExamples(shard)) {
      const doc = retrievalDocumentFromExample(example, `${shard} record ${index}`);
      blocks.push({ uid: documentUid(doc.title, doc.body), titleIds: doc.titleTokenIds, bodyIds: doc.bodyTokenIds });
    }
  }
  return blocks;
}

/** Every pre-training record of the shards matching `pattern`, in sorted-shard order. */
export async function loadPretrainRecords(pattern: string): Promise<PretrainRecord[]> {
  const records: PretrainRecord[] = [];
  for (const shard of await shardsOf(pattern, 'pre-training corpus')) {
    for await (const { example, index } of readTfExamples(shard)) records.push(pretrainRecordFromExample(example, `${shard} record ${index}`));
  }
  return records;
}

/** A block as the embedder reads it: [CLS] title [SEP] body [SEP], padded to `seqLen`. */
export function packBlock(block: CorpusBlock, ids: PackingIds, seqLen: number): BertInputs {
  const packed = packCandidate(block.titleIds, block.bodyIds, ids, seqLen);
  return { tokenIds: packed.tokenIds, mask: packed.inputMask, segmentIds: packed.segmentIds };
}
