// The retriever as the generator and refresher use it: the embedder(s) of an export directory,
// batched inference-mode embedding of packed sequences, and the corpus re-embedding. Thin over
// @realm/bert's loadBertModel and @realm/model's embedDocumentBatches (the `projected` signature of
// language/realm/retrieval.py and refresh_doc_embeds.py).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { disposeBertModel, loadBertModel, type BertModel } from '@realm/bert';
import type { BertInputs } from '@realm/data';
import { embedDocumentBatches, REALM_EXPORT_DIRS } from '@realm/model';
import type { PackingIds } from '@realm/tokenizer';
import { packBlock, type CorpusBlock } from './corpus.js';

/** The retrieval side of one export: documents use `documentEmbedder`, queries `queryEmbedder`. */
export interface ExportEmbedders {
  documentEmbedder: BertModel;
  queryEmbedder: BertModel;
  dispose(): void;
}

/**
 * Loads `<exportDir>/embedder` (and `<exportDir>/query_embedder` when the export has separate
 * embedders, share_embedders=False).
 */
export async function loadExportEmbedders(exportDir: string): Promise<ExportEmbedders> {
  const documentEmbedder = await loadBertModel(join(exportDir, REALM_EXPORT_DIRS.embedder));
  const queryDir = join(exportDir, REALM_EXPORT_DIRS.queryEmbedder);
  const queryEmbedder = existsSync(queryDir) ? await loadBertModel(queryDir) : documentEmbedder;
  return {
    documentEmbedder,
    queryEmbedder,
    dispose: () => {
      disposeBertModel(documentEmbedder);
      if (queryEmbedder !== documentEmbedder) disposeBertModel(queryEmbedder);
    },
  };
}

/** Embeds already-packed sequences of one length with `embedder`, dropout off: [n, P] row-major. */
export function embedPacked(embedder: BertModel, packed: readonly BertInputs[], seqLen: number, batchSize = packed.length): Promise<Float32Array> {
  return embedDocumentBatches(embedder, packed, { batchSize: Math.max(1, batchSize), seqLen });
}

/** Embeds every corpus block in corpus order (row i = block i), as the refresher does. */
export function embedCorpus(
  embedder: BertModel,
  blocks: readonly CorpusBlock[],
  ids: PackingIds,
  options: { seqLen: number; batchSize: number; onProgress?: (done: number) => void },
): Promise<Float32Array> {
  function* packed(): Generator<BertInputs> {
    for (const block of blocks) yield packBlock(block, ids, options.seqLen);
  }
  return embedDocumentBatches(embedder, packed(), { batchSize: options.batchSize, seqLen: options.seqLen, onProgress: options.onProgress });
}
