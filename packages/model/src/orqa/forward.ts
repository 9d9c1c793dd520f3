// ORQA's forward pass for a batch of questions: MIPS retrieval outside the gradient, the retrieval
// logits recomputed as h_q · block_emb[ids] (gradient to the question encoder), HasAnswer labels,
// and the reader's span logits over the first k blocks with gold-span labels.
// Ports language/orqa/models/orqa_model.py: retrieve, read and the label parts of model_fn.
import * as tf from '@tensorflow/tfjs-core';
import { bertForward, embedProjected, type BertInputs, type RandomSource } from '@realm/bert';
import type { BertInputs as FlatBertInputs } from '@realm/data';
import type { SearchResult } from '@realm/mips';
import { flatInputTensors, usedLength } from '../padding.js';
import { hasAnswer } from './eval.js';
import { correctSpanVector } from './losses.js';
import type { OrqaModel } from './orqa-model.js';
import { numSpanCandidates, spanCandidates, spanLogits, type SpanCandidates } from './span-head.js';

/** One question. */
export interface OrqaExample {
  question: string;
  /** Gold answers (strings; Python regexes for CuratedTREC). */
  answers: readonly string[];
  /** Retriever input ids: [CLS] question [SEP] with the embedder's vocabulary, never truncated, unpadded. */
  questionInputIds: Int32Array;
}

/** Reader inputs of one (question, block) pair: ORQA's ReaderInputs op (see @realm/tokenizer packReaderInputs / findAnswerSpans). */
export interface OrqaReaderBlock {
  /** [readerSeqLen] each: [CLS] question [SEP] block [SEP], zero padding. */
  tokenIds: Int32Array;
  inputMask: Int32Array;
  segmentIds: Int32Array;
  /** 1 on block wordpieces (candidate span ends must have it). */
  blockMask: Int32Array;
  /** Inclusive (start, end) sequence positions of every answer occurrence in the block part. */
  goldSpans: ReadonlyArray<readonly [number, number]>;
  /** Original-token index of each position (−1 outside the block); needed for prediction text. */
  tokenMap?: Int32Array;
  /** The block's original tokens (whitespace/punctuation split, original case); needed for prediction text. */
  originalTokens?: ReadonlyArray<{ readonly text: string }>;
}

/** The block corpus as the model needs it; the app builds it over blocks.tfr / a world corpus and a tokenizer. */
export interface OrqaBlockSource {
  /** Raw text of block `id` (for HasAnswer). */
  text(id: number): string;
  /** Reader inputs of `example` with block `id`, gold spans of the example's answers included. */
  readerInputs(example: OrqaExample, id: number): OrqaReaderBlock;
  /** Packed [CLS] title [SEP] block [SEP] embedder inputs (only for trainDocumentEmbedder). */
  documentInputs?(id: number): FlatBertInputs;
}

/** The frozen block-embedding index (an ExactMipsIndex fits). */
export interface OrqaRetrievalIndex {
  readonly dim: number;
  readonly size: number;
  search(queries: Float32Array, k: number): Promise<SearchResult>;
  /** The stored embedding of row `id`. */
  reconstruct(id: number): Float32Array;
}

/** A batch with retrieval done and every label computed, ready for a (differentiable) forward pass. */
export interface PreparedOrqaBatch {
  examples: readonly OrqaExample[];
  /** Questions B, retrieved blocks c, read blocks k. */
  numQuestions: number;
  numRetrieved: number;
  numRead: number;
  /** [B·c] retrieved block ids in retrieval order. */
  blockIds: Int32Array;
  /** [B·c·P] frozen block embeddings of those ids. */
  blockEmbeddings: Float32Array;
  /** [B·c] HasAnswer labels (1/0). */
  retrievalCorrect: Float32Array;
  /** [B·k] reader inputs of the read blocks. */
  readerBlocks: OrqaReaderBlock[];
  /** Reader length T after dropping all-padding columns, and its candidates. */
  readerLength: number;
  candidates: SpanCandidates;
  /** [B·k·C] gold-span labels. */
  readerCorrect: Float32Array;
}

/** Dropout on or off; `rng` must give the same stream to prepare and forward (so the search and the logits see the same h_q). */
export interface OrqaForwardOptions {
  /** Dropout in the reader (and a trained document embedder). */
  training: boolean;
  rng?: RandomSource;
  /** Dropout in the question encoder; defaults to `training` (OrqaConfig.questionEmbedderDropout). */
  questionEmbedderTraining?: boolean;
}

function questionOptions(options: OrqaForwardOptions): { training: boolean; rng?: RandomSource } {
  return { training: options.questionEmbedderTraining ?? options.training, rng: options.rng };
}

/** [CLS] q [SEP] inputs of the batch as [B, Tq] tensors, padded with zeros to the longest question. */
export function stackQuestionInputs(examples: readonly OrqaExample[]): BertInputs {
  if (examples.length === 0) throw new Error('ORQA batch is empty');
  const width = Math.max(...examples.map((e) => e.questionInputIds.length));
  if (width === 0) throw new Error('ORQA batch: every questionInputIds is empty (expected [CLS] question [SEP])');
  const ids = new Int32Array(examples.length * width);
  const mask = new Int32Array(examples.length * width);
  examples.forEach((example, b) => {
    if (example.questionInputIds.length === 0) throw new Error(`ORQA batch example ${b} ("${example.question}"): questionInputIds is empty`);
    ids.set(example.questionInputIds, b * width);
    mask.fill(1, b * width, b * width + example.questionInputIds.length);
  });
  const shape: [number, number] = [examples.length, width];
  return { inputIds: tf.tensor2d(ids, shape, 'int32'), inputMask: tf.tensor2d(mask, shape, 'int32'), tokenTypeIds: tf.zeros(shape, 'int32') };
}

function disposeInputs(inputs: BertInputs): void {
  tf.dispose([inputs.inputIds, inputs.inputMask!, inputs.tokenTypeIds!]);
}

/** h_q for the batch: [B, P] (owned by the caller). */
export function embedQuestions(model: OrqaModel, examples: readonly OrqaExample[], options: OrqaForwardOptions): tf.Tensor2D {
  const inputs = stackQuestionInputs(examples);
  try {
    return embedProjected(model.questionEmbedder, inputs, options);
  } finally {
    disposeInputs(inputs);
  }
}

/** MIPS top-k over the index for the questions' embeddings (outside any gradient): ids [B·k]. */
export async function retrieveBlockIds(model: OrqaModel, index: OrqaRetrievalIndex, examples: readonly OrqaExample[], k: number, options: OrqaForwardOptions): Promise<Int32Array> {
  if (index.dim !== model.questionEmbedder.heads.projection?.size) {
    throw new Error(`ORQA retrieval: the index has dimension ${index.dim}, the question embedder projects to ${model.questionEmbedder.heads.projection?.size}`);
  }
  if (k > index.size) throw new Error(`ORQA retrieval: asked for ${k} blocks but the index holds ${index.size}`);
  const embeddings = embedQuestions(model, examples, questionOptions(options));
  let queries: Float32Array;
  try {
    queries = (await embeddings.data()) as Float32Array;
  } finally {
    embeddings.dispose();
  }
  const { ids } = await index.search(queries, k);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < 0) throw new Error(`ORQA retrieval: the index returned fewer than ${k} blocks for question ${Math.floor(i / k)}`);
  }
  return ids;
}

/**
 * Retrieves c blocks per question and computes every label: HasAnswer on all c, reader inputs and
 * gold spans on the first k. `options.rng` (when training) must be a fresh copy of the stream the
 * forward pass will use, so both draw the same question-encoder dropout masks.
 */
export async function prepareOrqaBatch(
  model: OrqaModel,
  examples: readonly OrqaExample[],
  index: OrqaRetrievalIndex,
  blocks: OrqaBlockSource,
  sizes: { numRetrieved: number; numRead: number },
  options: OrqaForwardOptions,
): Promise<PreparedOrqaBatch> {
  const { numRetrieved: c, numRead: k } = sizes;
  if (k > c) throw new Error(`prepareOrqaBatch: numRead ${k} > numRetrieved ${c}`);
  const B = examples.length;
  const blockIds = await retrieveBlockIds(model, index, examples, c, options);
  const P = index.dim;
  const blockEmbeddings = new Float32Array(B * c * P);
  const retrievalCorrect = new Float32Array(B * c);
  for (let i = 0; i < B * c; i++) {
    const id = blockIds[i];
    blockEmbeddings.set(index.reconstruct(id), i * P);
    retrievalCorrect[i] = hasAnswer(blocks.text(id), examples[Math.floor(i / c)].answers, model.config.answerMatcher) ? 1 : 0;
  }
  const L = model.config.readerSeqLen;
  const readerBlocks: OrqaReaderBlock[] = [];
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < k; j++) {
      const block = blocks.readerInputs(examples[b], blockIds[b * c + j]);
      for (const field of ['tokenIds', 'inputMask', 'segmentIds', 'blockMask'] as const) {
        if (block[field].length !== L) {
          throw new Error(`ORQA reader inputs of question ${b}, block ${blockIds[b * c + j]}: ${field} has ${block[field].length} values, expected readerSeqLen ${L}`);
        }
      }
      readerBlocks.push(block);
    }
  }
  const allMasks = new Int32Array(B * k * L);
  readerBlocks.forEach((block, n) => allMasks.set(block.inputMask, n * L));
  const T = usedLength(allMasks, B * k, L);
  const candidates = spanCandidates(T, model.config.maxSpanWidth);
  const C = numSpanCandidates(T, model.config.maxSpanWidth);
  const readerCorrect = new Float32Array(B * k * C);
  readerBlocks.forEach((block, n) => readerCorrect.set(correctSpanVector(block.goldSpans, T, model.config.maxSpanWidth, C), n * C));
  return { examples, numQuestions: B, numRetrieved: c, numRead: k, blockIds, blockEmbeddings, retrievalCorrect, readerBlocks, readerLength: T, candidates, readerCorrect };
}

/** The read blocks as [B·k, T] tensors (the first T columns of each) plus the block mask. */
function stackReaderBlocks(batch: PreparedOrqaBatch, readerSeqLen: number): BertInputs & { blockMask: tf.Tensor2D } {
  const N = batch.readerBlocks.length;
  const T = batch.readerLength;
  const field = (pick: (b: OrqaReaderBlock) => Int32Array): tf.Tensor2D => {
    const out = new Int32Array(N * T);
    batch.readerBlocks.forEach((block, n) => out.set(pick(block).subarray(0, T), n * T));
    return tf.tensor2d(out, [N, T], 'int32');
  };
  if (T > readerSeqLen) throw new Error(`ORQA reader: length ${T} exceeds readerSeqLen ${readerSeqLen}`);
  return { inputIds: field((b) => b.tokenIds), inputMask: field((b) => b.inputMask), tokenTypeIds: field((b) => b.segmentIds), blockMask: field((b) => b.blockMask) };
}

/** Differentiable outputs of the forward pass (owned by the caller). */
export type OrqaForwardOutputs = {
  /** [B, P] h_q */
  questionEmbeddings: tf.Tensor2D;
  /** [B, c] h_q · h_b of the retrieved blocks */
  retrievalLogits: tf.Tensor2D;
  /** [B, k, C] span logits incl. the invalid-span mask and the retrieval score */
  readerLogits: tf.Tensor3D;
};

/**
 * The forward pass on a prepared batch; differentiable with respect to the question encoder, the
 * reader, the span head and (with trainDocumentEmbedder) the document embedder, which re-embeds the
 * retrieved blocks with its current weights instead of using the frozen index rows.
 */
export function orqaForward(model: OrqaModel, batch: PreparedOrqaBatch, blocks: OrqaBlockSource | null, options: OrqaForwardOptions): OrqaForwardOutputs {
  const { numQuestions: B, numRetrieved: c, numRead: k } = batch;
  const reader = stackReaderBlocks(batch, model.config.readerSeqLen);
  const questions = stackQuestionInputs(batch.examples);
  let documents: BertInputs | null = null;
  try {
    if (model.config.trainDocumentEmbedder) documents = stackDocumentInputs(batch, blocks);
    return tf.tidy(() => {
      // [B, P]: first call of the stream, so its dropout masks equal those of the search pass
      const questionEmbeddings = embedProjected(model.questionEmbedder, questions, questionOptions(options));
      const P = questionEmbeddings.shape[1];
      // [B, c, P]
      const blockEmbeddings = documents
        ? tf.reshape(embedProjected(model.documentEmbedder!, documents, options), [B, c, P])
        : tf.tensor3d(batch.blockEmbeddings, [B, c, P]);
      // [B, c]: the batched form of matmul(question_emb, retrieved_block_emb, transpose_b=True)
      const retrievalLogits = tf.reshape(tf.matMul(tf.reshape(questionEmbeddings, [B, 1, P]), blockEmbeddings, false, true), [B, c]) as tf.Tensor2D;
      // [B·k]: the read blocks are the first k retrieved
      const readRetrievalLogits = tf.reshape(tf.slice(retrievalLogits, [0, 0], [B, k]), [B * k]) as tf.Tensor1D;
      // [B·k, T, H]
      const { sequenceOutput } = bertForward(model.reader, reader, options);
      // [B·k, C]
      const logits = spanLogits(model.spanHead, sequenceOutput, reader.blockMask, readRetrievalLogits, batch.candidates);
      // [B, k, C]
      const readerLogits = tf.reshape(logits, [B, k, logits.shape[1]]) as tf.Tensor3D;
      return { questionEmbeddings, retrievalLogits, readerLogits };
    }) as OrqaForwardOutputs;
  } finally {
    disposeInputs(reader);
    reader.blockMask.dispose();
    disposeInputs(questions);
    if (documents) disposeInputs(documents);
  }
}

/** [B·c, Cd] document-embedder inputs of every retrieved block (trainDocumentEmbedder), trailing all-padding columns dropped. */
function stackDocumentInputs(batch: PreparedOrqaBatch, blocks: OrqaBlockSource | null): BertInputs {
  if (!blocks?.documentInputs) throw new Error('trainDocumentEmbedder needs a block source with documentInputs(id)');
  const docs = Array.from(batch.blockIds, (id) => blocks.documentInputs!(id));
  const width = docs[0].tokenIds.length;
  const n = docs.length;
  const ids = new Int32Array(n * width);
  const mask = new Int32Array(n * width);
  const segments = new Int32Array(n * width);
  docs.forEach((doc, i) => {
    if (doc.tokenIds.length !== width || doc.mask.length !== width || doc.segmentIds.length !== width) {
      throw new Error(`ORQA document inputs of block ${batch.blockIds[i]}: expected ${width} values in each field like block ${batch.blockIds[0]}`);
    }
    ids.set(doc.tokenIds, i * width);
    mask.set(doc.mask, i * width);
    segments.set(doc.segmentIds, i * width);
  });
  return flatInputTensors({ tokenIds: ids, mask, segmentIds: segments }, n);
}
