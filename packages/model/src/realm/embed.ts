// Inference-mode embeddings for retrieval: queries for MIPS and the whole document corpus for the
// index refresh (dropout off, the hub module loaded without the "train" tag). Ports the `projected`
// calls of language/realm/retrieval.py (query embedding) and refresh_doc_embeds.py (predict loop).
import * as tf from '@tensorflow/tfjs-core';
import { embedProjected, type BertModel } from '@realm/bert';
import type { BertInputs as FlatBertInputs } from '@realm/data';
import { flatInputTensors } from '../padding.js';
import type { RealmModel } from './realm-model.js';

/** Row-major int32 inputs of `batch` sequences of `seqLen` tokens. */
function checkFlatInputs(inputs: FlatBertInputs, batch: number, seqLen: number, where: string): void {
  const expected = batch * seqLen;
  for (const field of ['tokenIds', 'mask', 'segmentIds'] as const) {
    if (inputs[field].length !== expected) {
      throw new Error(`${where}: ${field} has ${inputs[field].length} values, expected ${batch} × ${seqLen} = ${expected}`);
    }
  }
}

/** The projection width of an embedder (its projection head's size). */
export function projectionSize(embedder: BertModel): number {
  const head = embedder.heads.projection;
  if (!head) throw new Error('this BERT model has no projection head, so it is not a REALM/ORQA embedder');
  return head.size;
}

/** Embeds `batch` flat inputs with `embedder` in inference mode (trailing padding trimmed): [batch, P] row-major. */
function embedFlat(embedder: BertModel, inputs: FlatBertInputs, batch: number): Float32Array {
  const output = tf.tidy(() =>
    embedProjected(embedder, flatInputTensors(inputs, batch)),
  );
  try {
    return output.dataSync() as Float32Array;
  } finally {
    output.dispose();
  }
}

/**
 * Embeds `batch` packed queries ([CLS] query [SEP], row-major [batch, seqLen]) with the model's
 * query embedder, dropout off: [batch, P] row-major (P = 128 by default).
 */
export function embedQueries(model: RealmModel, inputs: FlatBertInputs, batch: number, seqLen: number): Float32Array {
  checkFlatInputs(inputs, batch, seqLen, 'embedQueries');
  return embedFlat(model.queryEmbedder, inputs, batch);
}

export interface EmbedDocumentOptions {
  /** Documents per embedder call (refresh_doc_embeds.py predict_batch_size = 256). */
  batchSize: number;
  /** Length of every document's inputs (candidate_seq_len). */
  seqLen: number;
  /** Called after each batch with the number of documents embedded so far. */
  onProgress?: (documentsDone: number) => void;
}

/**
 * Embeds every document of `docs` (one packed [CLS] title [SEP] body [SEP] of `seqLen` tokens
 * each, in corpus order) with `embedder`, dropout off, `batchSize` at a time: [N, P] row-major,
 * row i for document i. Use the DOCUMENT embedder (RealmModel.documentEmbedder). The last batch
 * may be short; nothing is padded or dropped.
 */
export async function embedDocumentBatches(
  embedder: BertModel,
  docs: AsyncIterable<FlatBertInputs> | Iterable<FlatBertInputs>,
  options: EmbedDocumentOptions,
): Promise<Float32Array> {
  const { batchSize, seqLen } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`embedDocumentBatches: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new Error(`embedDocumentBatches: seqLen must be a positive integer, got ${seqLen}`);
  const P = projectionSize(embedder);
  const chunks: Float32Array[] = [];
  let pending: FlatBertInputs[] = [];
  let done = 0;
  const flush = async (): Promise<void> => {
    const n = pending.length;
    const flat: FlatBertInputs = { tokenIds: new Int32Array(n * seqLen), mask: new Int32Array(n * seqLen), segmentIds: new Int32Array(n * seqLen) };
    pending.forEach((doc, i) => {
      flat.tokenIds.set(doc.tokenIds, i * seqLen);
      flat.mask.set(doc.mask, i * seqLen);
      flat.segmentIds.set(doc.segmentIds, i * seqLen);
    });
    pending = [];
    const output = tf.tidy(() =>
      embedProjected(embedder, flatInputTensors(flat, n)),
    );
    try {
      chunks.push((await output.data()) as Float32Array);
    } finally {
      output.dispose();
    }
    done += n;
    options.onProgress?.(done);
  };
  for await (const doc of docs) {
    checkFlatInputs(doc, 1, seqLen, `embedDocumentBatches: document ${done + pending.length}`);
    pending.push(doc);
    if (pending.length === batchSize) await flush();
  }
  if (pending.length > 0) await flush();
  const out = new Float32Array(done * P);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
