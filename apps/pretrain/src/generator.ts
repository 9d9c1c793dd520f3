// The example generator program: masks pre-training sentences, embeds them with the newest
// published retriever, searches its index, post-processes the candidates (own block dropped, null
// document first), featurizes and queues the examples the trainer pulls over gRPC.
// Ports language/realm/example_generator.py (main loop, generate_queries_and_candidates, STATS).
import { join } from 'node:path';
import { BLOCK_EMB_VARIABLE, ExactMipsIndex, loadBlockEmb } from '@realm/mips';
import {
  documentUid,
  encodeExample,
  featurizeRealmExample,
  NULL_CANDIDATE_DOCUMENT,
  realmExampleToTfExample,
  type PretrainRecord,
} from '@realm/data';
import { postprocessCandidates } from '@realm/model';
import { createRealmQuery, createRng, packQuery, salientRecordFromFields, shuffleInPlace, type FullTokenizer, type RealmQuery, type Rng } from '@realm/tokenizer';
import type { PretrainConfig } from './config.js';
import { loadPretrainRecords, loadRetrievalCorpus, loadTokenizer, type CorpusBlock } from './corpus.js';
import { embedPacked, loadExportEmbedders, type ExportEmbedders } from './embedder-io.js';
import { encodedCheckpointPrefix, newestTimestamp, type RunLayout } from './layout.js';
import type { ProgramContext } from './program.js';
import { startExampleServer, type RunningServer } from './protocol.js';
import { BoundedQueue } from './queue.js';
import { NewestTimestampWatcher, waitForNewerTimestamp } from './watch.js';

export type GeneratorMode = 'train' | 'eval';

export interface GeneratorOptions {
  mode: GeneratorMode;
  port: number;
  host?: string;
  /** Stop after this many examples were queued (tests); default: run until aborted. */
  maxExamples?: number;
  /** Called once the server listens (tests learn the port of port 0 here). */
  onListening?: (address: string) => void;
}

/** Example-level counters (example_generator.py STATS), logged as the generator runs. */
export interface GeneratorStats {
  queued: number;
  skipped: Record<string, number>;
  indexReloads: number;
}

/** A loaded retriever: the embedders of encoded/<ts> and its block_emb as an exact MIPS index. */
interface Retriever {
  timestamp: number;
  embedders: ExportEmbedders;
  index: ExactMipsIndex;
}

async function loadRetriever(layout: RunLayout, timestamp: number, numBlocks: number): Promise<Retriever> {
  const dir = join(layout.encoded, String(timestamp));
  const { vectors, rows, dim } = await loadBlockEmb(encodedCheckpointPrefix(dir), BLOCK_EMB_VARIABLE);
  if (rows !== numBlocks) {
    // example_generator.py fails the same way: rows must align with the corpus documents.
    throw new Error(`${encodedCheckpointPrefix(dir)}: block_emb has ${rows} rows but the retrieval corpus has ${numBlocks} blocks`);
  }
  // The corpus is small next to a thread hand-off; scan on this thread.
  const index = new ExactMipsIndex(dim, { threads: 1 });
  index.add(vectors);
  return { timestamp, embedders: await loadExportEmbedders(dir), index };
}

/** Endless record order: train reshuffles every pass (REALM samples shards), eval is fixed. */
function* recordOrder(records: readonly PretrainRecord[], mode: GeneratorMode, rng: Rng): Generator<PretrainRecord> {
  const order = records.map((_, i) => i);
  for (;;) {
    if (mode === 'train') shuffleInPlace(rng, order);
    for (const i of order) yield records[i];
  }
}

/** REALM's masking of one pre-training record (salient span, or the configured ablation). */
export function maskRecord(record: PretrainRecord, config: PretrainConfig, tokenizer: FullTokenizer, rng: Rng): ReturnType<typeof createRealmQuery> {
  const salient = salientRecordFromFields(record.text, {
    sentence_byte_start: record.sentenceByteStart,
    sentence_byte_limit: record.sentenceByteLimit,
    span_byte_start: record.spanByteStart,
    span_byte_limit: record.spanByteLimit,
    span_type: record.spanType,
  });
  const special = tokenizer.vocab.specialTokenIds();
  return createRealmQuery(salient, config.masking, (text) => tokenizer.tokenizeWithOffsets(text), {
    maskId: special.mask,
    vocabSize: tokenizer.vocab.size,
    specialIds: Object.values(special),
  }, rng);
}

/**
 * Runs one generator until `context.signal` aborts (or maxExamples are queued). Serves from the
 * start: before the first index is published the trainer simply gets empty replies.
 */
export async function runGenerator(layout: RunLayout, config: PretrainConfig, options: GeneratorOptions, context: ProgramContext): Promise<GeneratorStats> {
  const { log, signal } = context;
  const dims = config.dims;
  const tokenizer = await loadTokenizer(layout);
  const special = tokenizer.vocab.specialTokenIds();
  const blocks: CorpusBlock[] = await loadRetrievalCorpus(layout.retrievalShards);
  const records = await loadPretrainRecords(options.mode === 'train' ? layout.pretrainTrainShards : layout.pretrainHeldoutShards);
  log(`${options.mode}: ${records.length} pre-training records, ${blocks.length} retrieval blocks, masking '${config.masking.strategy}'`);

  const stats: GeneratorStats = { queued: 0, skipped: {}, indexReloads: 0 };
  const skip = (reason: string): void => void (stats.skipped[reason] = (stats.skipped[reason] ?? 0) + 1);
  const queue = new BoundedQueue<Uint8Array>(config.generator.queueSize);
  let retriever: Retriever | undefined;
  const server: RunningServer = await startExampleServer(
    { mode: options.mode, take: (max, waitMs) => queue.take(max, waitMs), indexTimestamp: () => retriever?.timestamp ?? 0 },
    { host: options.host ?? config.generator.host, port: options.port },
  );
  log(`serving GetExamples on ${server.address}`);
  options.onListening?.(server.address);
  signal.addEventListener('abort', () => queue.close(), { once: true });

  const watcher = await NewestTimestampWatcher.start(layout.encoded, config.refresher.pollMs);
  const rng = createRng(config.run.seed + (options.mode === 'train' ? 1 : 2));
  const order = recordOrder(records, options.mode, rng);
  try {
    // Cold start: wait for the bootstrap's first published index (realm-spec §1.5).
    let current = await newestTimestamp(layout.encoded);
    if (current === null) {
      log(`no index under ${layout.encoded} yet; waiting for the refresher's first publish`);
      current = await waitForNewerTimestamp(layout.encoded, null, { signal, pollMs: config.refresher.pollMs });
      if (current === null) return stats;
    }
    retriever = await loadRetriever(layout, current, blocks.length);
    log(`retrieving with index ${current}`);
    let lastStatsLog = Date.now();

    while (!signal.aborted && (options.maxExamples === undefined || stats.queued < options.maxExamples)) {
      // Between batches: switch to a newer published index (REALM does so after each shard sample).
      const newest = watcher.latest;
      if (newest !== null && newest > retriever.timestamp) {
        const next = await loadRetriever(layout, newest, blocks.length);
        retriever.embedders.dispose();
        retriever = next;
        stats.indexReloads += 1;
        log(`reloaded index ${newest} (reload ${stats.indexReloads})`);
      }

      const batch: Array<{ record: PretrainRecord; query: RealmQuery }> = [];
      while (batch.length < config.generator.retrievalBatchSize) {
        const record = order.next().value as PretrainRecord;
        const query = maskRecord(record, config, tokenizer, rng);
        if (query.ok) batch.push({ record, query });
        else skip(query.reason);
      }
      const packed = batch.map(({ query }) => {
        const p = packQuery(query.maskedIds, special, dims.querySeqLen);
        return { tokenIds: p.tokenIds, mask: p.inputMask, segmentIds: p.segmentIds };
      });
      const queryVectors = await embedPacked(retriever.embedders.queryEmbedder, packed, dims.querySeqLen);
      const found = await retriever.index.search(queryVectors, dims.numCandidates);

      for (let q = 0; q < batch.length && !signal.aborted; q++) {
        const { record, query } = batch[q];
        const k = dims.numCandidates;
        const candidates = postprocessCandidates(
          found.ids.subarray(q * k, (q + 1) * k),
          found.scores.subarray(q * k, (q + 1) * k),
          documentUid(record.title, record.text),
          (docId) => blocks[docId].uid,
          { numCandidates: k, onDuplicate: config.generator.skipDuplicateCandidates ? 'skip_example' : 'drop_duplicates' },
        );
        if (!candidates.ok) {
          skip(candidates.reason);
          continue;
        }
        const documents = Array.from(candidates.docIds, (id) => (id < 0 ? NULL_CANDIDATE_DOCUMENT : blocks[id]));
        const example = featurizeRealmExample(
          { maskedIds: query.maskedIds, mlmPositions: query.mlmPositions, mlmTargets: query.mlmTargets, mlmWeights: query.mlmWeights },
          documents,
          special,
          dims,
          retriever.timestamp,
        );
        // Backpressure: waits here while the trainer is behind.
        if (!(await queue.push(encodeExample(realmExampleToTfExample(example, dims))))) break;
        stats.queued += 1;
      }
      if (Date.now() - lastStatsLog > 30_000) {
        lastStatsLog = Date.now();
        log(`queued ${stats.queued} examples (queue ${queue.size}/${queue.capacity}); skipped ${JSON.stringify(stats.skipped)}`);
      }
    }
    // Production is done (maxExamples): keep serving what is queued until told to stop.
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    return stats;
  } finally {
    watcher.close();
    queue.close();
    await server.close();
    retriever?.embedders.dispose();
    log(`stopped after ${stats.queued} examples; skipped ${JSON.stringify(stats.skipped)}`);
  }
}
