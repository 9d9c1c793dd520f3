// `corpus build`: raw documents → REALM's retrieval corpus (Z) and pre-training corpus (X), plus
// ORQA's blocks.tfr / titles.tfr / examples.tfr, all row-aligned (block i everywhere).
// Ports the block construction of language/orqa/preprocessing/wiki_preprocessor.py and the
// record layouts of language/realm/generate_retrieval_corpus.py and the TFDS salient-span corpus.
// Two streaming passes keep memory flat: pass 1 writes every block once to single-file streams,
// pass 2 cuts those into shards of ceil(total / numShards) in input order, as REALM's writer does.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { annotateSalientSpans, loadSalientAnnotator, toRealmSalientFields, type CharSpan, type FullTokenizer } from '@realm/tokenizer';
import { encodeExample } from '../tfrecord/example.js';
import { readTfRecords, TfRecordWriter } from '../tfrecord/record-file.js';
import { storageFor } from '../storage/index.js';
import { shardName } from '../storage/uri.js';
import { isExcludedTitle, packSentencesIntoBlocks } from './blocks.js';
import type { InputDocument } from './input.js';
import { orqaBlockExampleToExample, pretrainRecordToExample, retrievalDocumentToExample } from './records.js';
import { documentUid } from './uid.js';

export const CorpusBuildConfigSchema = z
  .strictObject({
    maxBlockLength: z.number().int().min(8).default(288).describe('Blocks fit [CLS] title [SEP] block [SEP] in this many wordpieces (ORQA/REALM: 288).'),
    numShards: z.number().int().positive().default(8).describe('Shards of the retrieval and pre-training corpora (REALM default 50; REALM uses the first 5 pre-training shards for eval, so keep > 5 there).'),
    excludeListPages: z.boolean().default(true).describe('Drop "List of", "Index of", "Outline of" and disambiguation titles, as ORQA does.'),
    gzip: z.boolean().default(true).describe('GZIP the sharded corpora (REALM writes them GZIP-compressed).'),
  })
  .readonly();
export type CorpusBuildConfig = z.infer<typeof CorpusBuildConfigSchema>;

/** Relative file layout of a built corpus. */
export const CORPUS_LAYOUT = {
  retrievalPrefix: 'retrieval/docs.tfr.gz',
  pretrainPrefix: 'pretrain/pretrain.tfrecord.gz',
  orqaBlocks: 'orqa/blocks.tfr',
  orqaTitles: 'orqa/titles.tfr',
  orqaExamples: 'orqa/examples.tfr',
  manifest: 'corpus.json',
} as const;

export interface CorpusBuildProgress {
  documents: number;
  blocks: number;
  /** 'blocks' while documents are split, 'shards' while the corpora are cut into shards. */
  phase: 'blocks' | 'shards';
}

export interface CorpusBuildStats {
  documents: number;
  skippedDocuments: number;
  blocks: number;
  blocksWithSpans: number;
  salientSpans: number;
  overLongBlocks: number;
  numShards: number;
}

/** One block in REALM coordinates: text joined from sentences with single spaces. */
interface Block {
  title: string;
  text: string;
  sentences: CharSpan[];
  spans: CharSpan[];
  sentenceTokenIds: Int32Array[];
}

/** Splits one document into blocks (requires `await loadSalientAnnotator()` first; buildCorpus does it). */
export function documentBlocks(document: InputDocument, tokenizer: FullTokenizer, maxBlockLength: number): Block[] {
  const annotation = annotateSalientSpans(document.text);
  const sentences = annotation.sentences
    .map((span) => ({ span, text: document.text.slice(span.start, span.end) }))
    .filter((s) => s.text.trim() !== '');
  const tokenIds = sentences.map((s) => tokenizer.encodeIds(s.text));
  const titleTokens = tokenizer.encodeIds(document.title).length;
  const packed = packSentencesIntoBlocks(titleTokens, sentences.map((s, i) => ({ text: s.text, numTokens: tokenIds[i].length })), maxBlockLength);
  return packed.map(({ start, end }) => {
    const blockSentences: CharSpan[] = [];
    const spans: CharSpan[] = [];
    let text = '';
    for (let i = start; i < end; i++) {
      if (i > start) text += ' ';
      const offset = text.length;
      const { span: sentence } = sentences[i];
      text += sentences[i].text;
      blockSentences.push({ start: offset, end: text.length });
      // Keep the salient spans wholly inside this sentence, moved into block coordinates.
      for (const salient of annotation.spans) {
        if (salient.start >= sentence.start && salient.end <= sentence.end) {
          spans.push({ start: salient.start - sentence.start + offset, end: salient.end - sentence.start + offset, label: salient.label });
        }
      }
    }
    return { title: document.title, text, sentences: blockSentences, spans, sentenceTokenIds: tokenIds.slice(start, end) };
  });
}

const concatIds = (parts: Int32Array[]): number[] => parts.flatMap((p) => Array.from(p));

/**
 * Builds the corpus into `outDir` (local path or gs://), published atomically: the directory
 * appears complete, with corpus.json, or not at all.
 */
export async function buildCorpus(
  documents: AsyncIterable<InputDocument> | Iterable<InputDocument>,
  tokenizer: FullTokenizer,
  outDir: string,
  configInput: Partial<CorpusBuildConfig> = {},
  onProgress?: (progress: CorpusBuildProgress) => void,
): Promise<CorpusBuildStats> {
  const config = CorpusBuildConfigSchema.parse(configInput);
  await loadSalientAnnotator();
  const scratch = await mkdtemp(join(tmpdir(), 'realm-corpus-'));
  const stats: CorpusBuildStats = { documents: 0, skippedDocuments: 0, blocks: 0, blocksWithSpans: 0, salientSpans: 0, overLongBlocks: 0, numShards: config.numShards };
  try {
    // Pass 1: every block once, in input order, into single-file streams.
    const open = (name: string) => TfRecordWriter.open(join(scratch, name), {});
    const [retrievalAll, pretrainAll, blocksOut, titlesOut, examplesOut] = await Promise.all(
      ['retrieval.all', 'pretrain.all', 'blocks.tfr', 'titles.tfr', 'examples.tfr'].map(open),
    );
    const utf8 = new TextEncoder();
    for await (const document of documents) {
      if (config.excludeListPages && isExcludedTitle(document.title)) {
        stats.skippedDocuments += 1;
        continue;
      }
      stats.documents += 1;
      const titleIds = Array.from(tokenizer.encodeIds(document.title));
      for (const block of documentBlocks(document, tokenizer, config.maxBlockLength)) {
        const bodyIds = concatIds(block.sentenceTokenIds);
        if (3 + titleIds.length + bodyIds.length > config.maxBlockLength) stats.overLongBlocks += 1;
        const uid = documentUid(block.title, block.text);
        const fields = toRealmSalientFields(block.text, { sentences: block.sentences, spans: block.spans });
        await retrievalAll.write(encodeExample(retrievalDocumentToExample({
          title: block.title, body: block.text, titleTokenIds: titleIds, bodyTokenIds: bodyIds,
          titleTokenTexts: tokenizer.vocab.convertIdsToTokens(titleIds), bodyTokenTexts: tokenizer.vocab.convertIdsToTokens(bodyIds),
        })));
        await pretrainAll.write(encodeExample(pretrainRecordToExample({
          title: block.title, text: block.text,
          sentenceByteStart: fields.sentence_byte_start, sentenceByteLimit: fields.sentence_byte_limit,
          spanByteStart: fields.span_byte_start, spanByteLimit: fields.span_byte_limit, spanType: fields.span_type, uid,
        })));
        let sentenceStart = 0;
        const sentenceStarts = block.sentenceTokenIds.map((ids) => ((sentenceStart += ids.length), sentenceStart - ids.length));
        await blocksOut.write(utf8.encode(block.text));
        await titlesOut.write(utf8.encode(block.title));
        await examplesOut.write(encodeExample(orqaBlockExampleToExample({ titleIds, tokenIds: bodyIds, sentenceStarts })));
        stats.blocks += 1;
        stats.salientSpans += block.spans.length;
        if (block.spans.length > 0) stats.blocksWithSpans += 1;
      }
      onProgress?.({ documents: stats.documents, blocks: stats.blocks, phase: 'blocks' });
    }
    for (const writer of [retrievalAll, pretrainAll, blocksOut, titlesOut, examplesOut]) await writer.close();
    if (stats.blocks === 0) throw new Error('corpus build: the input produced no blocks (no documents, or every document was empty or excluded)');

    // Pass 2: cut into shards and publish the whole directory at once.
    const storage = await storageFor(outDir);
    await storage.publishDirectory(outDir, async (staging) => {
      const perShard = Math.ceil(stats.blocks / config.numShards);
      for (const [source, prefix] of [['retrieval.all', CORPUS_LAYOUT.retrievalPrefix], ['pretrain.all', CORPUS_LAYOUT.pretrainPrefix]] as const) {
        let shard = -1;
        let writer: TfRecordWriter | undefined;
        let index = 0;
        for await (const payload of readTfRecords(join(scratch, source))) {
          if (index % perShard === 0) {
            await writer?.close();
            shard += 1;
            writer = await openShard(staging, shardName(prefix, shard, config.numShards), config.gzip);
          }
          await writer!.write(payload);
          index += 1;
        }
        await writer?.close();
        // ceil() can leave trailing shards empty (e.g. 10 blocks in 8 shards); they still exist, as in REALM.
        for (shard += 1; shard < config.numShards; shard++) await (await openShard(staging, shardName(prefix, shard, config.numShards), config.gzip)).close();
        onProgress?.({ documents: stats.documents, blocks: stats.blocks, phase: 'shards' });
      }
      const copy = async (name: string, target: string) => {
        const bytes = await (await storageFor(join(scratch, name))).read(join(scratch, name));
        await storage.write(`${staging}/${target}`, bytes);
      };
      await copy('blocks.tfr', CORPUS_LAYOUT.orqaBlocks);
      await copy('titles.tfr', CORPUS_LAYOUT.orqaTitles);
      await copy('examples.tfr', CORPUS_LAYOUT.orqaExamples);
      await storage.write(`${staging}/vocab.txt`, `${tokenizer.vocab.tokens.join('\n')}\n`);
      const manifest = { format: 'realm-ts corpus v1', config, stats, doLowerCase: tokenizer.config.doLowerCase, layout: CORPUS_LAYOUT };
      await storage.write(`${staging}/${CORPUS_LAYOUT.manifest}`, `${JSON.stringify(manifest, null, 2)}\n`);
    });
    return stats;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function openShard(staging: string, relative: string, gzip: boolean): Promise<TfRecordWriter> {
  if (staging.startsWith('gs://')) throw new Error('corpus build: writing shards directly to gs:// is not supported yet; build locally and copy');
  const path = join(staging, relative);
  await mkdir(dirname(path), { recursive: true });
  return TfRecordWriter.open(path, { gzip });
}
