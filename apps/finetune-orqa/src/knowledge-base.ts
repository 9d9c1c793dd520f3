// A self-contained, versioned ORQA knowledge base: blocks.tfr + titles.tfr (ORQA's raw UTF-8
// records), block_emb (REALM's encoded checkpoint variable), the document embedder that made it and
// the vocab, published as <root>/<ts>/ by one rename so blocks and embeddings always match. Also
// builds one from a pre-training run (data/corpus/orqa + export/encoded newest), the inputs of
// language/orqa/models/orqa_model.py retrieve() (block_records_path, retriever_module_path).
import { cp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type BertModel, saveBertModel } from '@realm/bert';
import { decodeUtf8Record, readTfRecords, storageFor, writeTfRecordFile } from '@realm/data';
import { ExactMipsIndex, loadBlockEmb, saveBlockEmb } from '@realm/mips';
import { encodedCheckpointPrefix, newestTimestamp, nextTimestamp, pruneTimestamps, readPretrainConfig, runLayout } from '@realm/pretrain';
import { FullTokenizer } from '@realm/tokenizer';
import { z } from 'zod';
import type { TextBlock } from './blocks.js';

export const KB_FILES = Object.freeze({
  manifest: 'kb.json',
  blocks: 'blocks.tfr',
  titles: 'titles.tfr',
  blockEmb: 'block_emb.ckpt',
  embedder: 'embedder',
  vocab: 'vocab.txt',
});

export const KbManifestSchema = z
  .strictObject({
    format: z.literal('realm-ts/orqa-kb').describe('Identifies a realm-ts ORQA knowledge-base version'),
    formatVersion: z.literal(1).describe('Version of this layout'),
    blocks: z.int().min(1).describe('Rows of blocks.tfr, titles.tfr and block_emb (equal by construction)'),
    dim: z.int().min(1).describe('Width of block_emb (the embedder projection size)'),
    documentSeqLen: z.int().min(3).describe('Length of [CLS] title [SEP] block [SEP] the embedder read'),
    doLowerCase: z.boolean().describe('Tokenizer lower-casing of vocab.txt'),
    source: z.string().describe('Where the blocks and embeddings came from (for humans)'),
  })
  .readonly();
export type KbManifest = z.infer<typeof KbManifestSchema>;

/** One loaded version; `vectors` is [blocks, dim] row-major, row i = block i. */
export interface KnowledgeBase {
  /** The version directory it was read from (null when built in memory). */
  dir: string | null;
  manifest: KbManifest;
  blocks: TextBlock[];
  vectors: Float32Array;
  tokenizer: FullTokenizer;
  vocabText: string;
  /** Directory of the saved document embedder (saveBertModel format). */
  embedderDir: string;
}

/** An exact single-process MIPS index over the KB's embeddings. */
export function knowledgeBaseIndex(vectors: Float32Array, dim: number): ExactMipsIndex {
  const index = new ExactMipsIndex(dim);
  index.add(vectors);
  return index;
}

async function readStrings(path: string): Promise<string[]> {
  if (!existsSync(path)) throw new Error(`${path}: no such file`);
  const out: string[] = [];
  for await (const payload of readTfRecords(path)) out.push(decodeUtf8Record(payload, `${path} record ${out.length}`));
  return out;
}

/** Reads ORQA's blocks.tfr and titles.tfr (row-aligned) into blocks. */
export async function readOrqaBlockFiles(blocksPath: string, titlesPath: string): Promise<TextBlock[]> {
  const [texts, titles] = await Promise.all([readStrings(blocksPath), readStrings(titlesPath)]);
  if (texts.length !== titles.length) throw new Error(`${blocksPath} holds ${texts.length} blocks but ${titlesPath} holds ${titles.length} titles`);
  return texts.map((text, i) => ({ title: titles[i], text }));
}

/**
 * The newest version directory a path names: a version itself (it has kb.json), a KB root of
 * <ts>/ versions, or a fine-tuning output directory holding kb/.
 */
export async function resolveKnowledgeBaseDir(path: string): Promise<string> {
  if (existsSync(join(path, KB_FILES.manifest))) return path;
  const root = existsSync(join(path, 'kb')) ? join(path, 'kb') : path;
  const ts = await newestTimestamp(root);
  if (ts === null) throw new Error(`${path}: no knowledge base (expected ${KB_FILES.manifest}, <ts>/ versions or kb/ from \`realm finetune-orqa train\`)`);
  return join(root, String(ts));
}

/** Loads the newest version under `path` (see resolveKnowledgeBaseDir). */
export async function readKnowledgeBase(path: string): Promise<KnowledgeBase> {
  const dir = await resolveKnowledgeBaseDir(path);
  const manifestPath = join(dir, KB_FILES.manifest);
  const parsed = KbManifestSchema.safeParse(JSON.parse(await readFile(manifestPath, 'utf8')));
  if (!parsed.success) throw new Error(`${manifestPath}: invalid knowledge-base manifest\n${z.prettifyError(parsed.error)}`);
  const manifest = parsed.data;
  const blocks = await readOrqaBlockFiles(join(dir, KB_FILES.blocks), join(dir, KB_FILES.titles));
  const { vectors, rows, dim } = await loadBlockEmb(join(dir, KB_FILES.blockEmb));
  if (rows !== blocks.length || dim !== manifest.dim) {
    throw new Error(`${dir}: block_emb is [${rows}, ${dim}] but the knowledge base has ${blocks.length} blocks of dimension ${manifest.dim}`);
  }
  const vocabText = await readFile(join(dir, KB_FILES.vocab), 'utf8');
  const tokenizer = FullTokenizer.fromVocabText(vocabText, { doLowerCase: manifest.doLowerCase }, join(dir, KB_FILES.vocab));
  return { dir, manifest, blocks, vectors, tokenizer, vocabText, embedderDir: join(dir, KB_FILES.embedder) };
}

/** What a new version is made of; the embedder is a saved directory to copy or a model to save. */
export interface KnowledgeBaseContents {
  blocks: readonly TextBlock[];
  vectors: Float32Array;
  dim: number;
  documentSeqLen: number;
  vocabText: string;
  doLowerCase: boolean;
  embedder: string | BertModel;
  source: string;
}

/**
 * Publishes `contents` as <root>/<ts>/ (built in a staging sibling, then renamed: a reader that
 * resolves the newest version sees either the old pair or the new pair, never a mix) and keeps the
 * `keep` newest versions. Returns the new version directory.
 */
export async function publishKnowledgeBase(root: string, contents: KnowledgeBaseContents, keep = 3): Promise<string> {
  const { blocks, vectors, dim } = contents;
  if (vectors.length !== blocks.length * dim) throw new Error(`publishKnowledgeBase: ${blocks.length} blocks need ${blocks.length * dim} embedding values, got ${vectors.length}`);
  if (blocks.length === 0) throw new Error('publishKnowledgeBase: a knowledge base needs at least one block');
  const destination = join(root, String(await nextTimestamp(root)));
  const utf8 = new TextEncoder();
  await (await storageFor(destination)).publishDirectory(destination, async (staging) => {
    await writeTfRecordFile(join(staging, KB_FILES.blocks), blocks.map((b) => utf8.encode(b.text)));
    await writeTfRecordFile(join(staging, KB_FILES.titles), blocks.map((b) => utf8.encode(b.title)));
    await saveBlockEmb(join(staging, KB_FILES.blockEmb), vectors, dim);
    if (typeof contents.embedder === 'string') await cp(contents.embedder, join(staging, KB_FILES.embedder), { recursive: true });
    else await saveBertModel(join(staging, KB_FILES.embedder), contents.embedder);
    await writeFile(join(staging, KB_FILES.vocab), contents.vocabText);
    const manifest: KbManifest = {
      format: 'realm-ts/orqa-kb',
      formatVersion: 1,
      blocks: blocks.length,
      dim,
      documentSeqLen: contents.documentSeqLen,
      doLowerCase: contents.doLowerCase,
      source: contents.source,
    };
    await writeFile(join(staging, KB_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  });
  await pruneTimestamps(root, keep);
  return destination;
}

/** The pieces of a pre-training run that fine-tuning starts from. */
export interface PretrainRunInputs {
  config: Awaited<ReturnType<typeof readPretrainConfig>>;
  /** ORQA blocks, row-aligned with the retrieval corpus and with block_emb. */
  blocks: TextBlock[];
  vocabText: string;
  doLowerCase: boolean;
  documentSeqLen: number;
  /** export/encoded/<newest> (reader bert/, embedder/ and its block_emb), when asked for. */
  index: { exportDir: string; vectors: Float32Array; dim: number } | null;
}

/**
 * Reads a pre-training run (`realm pretrain all|prepare --out DIR`): its config, vocab and ORQA
 * block files, and with `withIndex` the newest published index with the export it came from.
 */
export async function readPretrainRun(runDir: string, withIndex: boolean): Promise<PretrainRunInputs> {
  const layout = runLayout(runDir);
  const config = await readPretrainConfig(layout.config);
  const orqa = join(layout.data, 'corpus', 'orqa');
  const blocks = await readOrqaBlockFiles(join(orqa, 'blocks.tfr'), join(orqa, 'titles.tfr'));
  const vocabText = await readFile(layout.vocab, 'utf8').catch((error: unknown) => {
    throw new Error(`${layout.vocab}: ${(error as Error).message}`, { cause: error });
  });
  // The launcher's tokenizer lower-cases (the FullTokenizer default), as REALM's does.
  const inputs: PretrainRunInputs = { config, blocks, vocabText, doLowerCase: true, documentSeqLen: config.dims.candidateSeqLen, index: null };
  if (!withIndex) return inputs;
  const ts = await newestTimestamp(layout.encoded);
  if (ts === null) throw new Error(`${runDir}: no published index under ${layout.encoded} (run \`realm pretrain all --out ${runDir}\` first)`);
  const exportDir = join(layout.encoded, String(ts));
  const prefix = encodedCheckpointPrefix(exportDir);
  const { vectors, rows, dim } = await loadBlockEmb(prefix);
  if (rows !== blocks.length) throw new Error(`${prefix}: block_emb has ${rows} rows but ${join(orqa, 'blocks.tfr')} has ${blocks.length} blocks`);
  return { ...inputs, index: { exportDir, vectors, dim } };
}
