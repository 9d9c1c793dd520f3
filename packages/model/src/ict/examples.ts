// ICT examples: a random sentence of a block becomes the pseudo-query and, with probability
// mask_rate, is cut out of the block; both are packed as BERT inputs. Ports
// language/orqa/datasets/ict_dataset.py get_retrieval_examples and orqa/utils/bert_utils.py
// pad_or_truncate / pad_or_truncate_pair.
import type { RandomSource } from '@realm/bert';
import type { BertInputs as FlatBertInputs } from '@realm/data';

/** A retrieval block: its title's wordpiece ids and its body as a list of sentences' wordpiece ids. */
export interface IctBlock {
  titleIds: ArrayLike<number>;
  sentences: readonly ArrayLike<number>[];
}

/** The [CLS] and [SEP] ids of the vocabulary (never hard-coded); [MASK] when pseudo-queries are masked. */
export interface IctSpecialIds {
  cls: number;
  sep: number;
  mask?: number;
}

/**
 * [CLS] seg₀ [SEP] seg₁ [SEP] … padded with 0 to `length`; segments are filled greedily in order
 * within length − 1 − #segments, segment id k covers segment k and its [SEP] (bert_utils packing).
 */
export function packBertSegments(segments: readonly ArrayLike<number>[], length: number, ids: IctSpecialIds): FlatBertInputs {
  let budget = length - 1 - segments.length;
  if (budget < 0) throw new Error(`packBertSegments: length ${length} cannot hold [CLS] and ${segments.length} [SEP]`);
  const tokenIds = new Int32Array(length);
  const mask = new Int32Array(length);
  const segmentIds = new Int32Array(length);
  tokenIds[0] = ids.cls;
  mask[0] = 1;
  let position = 1;
  segments.forEach((segment, segmentId) => {
    const kept = Math.min(segment.length, budget);
    budget -= kept;
    for (let i = 0; i <= kept; i++) {
      tokenIds[position] = i < kept ? segment[i] : ids.sep;
      mask[position] = 1;
      segmentIds[position] = segmentId;
      position++;
    }
  });
  return { tokenIds, mask, segmentIds };
}

/** One ICT pair. */
export interface IctExample {
  /** [Q]: [CLS] sentence [SEP], segment ids 0 */
  query: FlatBertInputs;
  /** [L]: [CLS] title [SEP] block (without the sentence when masked) [SEP] */
  block: FlatBertInputs;
  /** Whether the sentence was removed from the block. */
  masked: boolean;
  /** Index of the chosen sentence. */
  sentenceIndex: number;
}

export interface IctExampleOptions {
  querySeqLen: number;
  blockSeqLen: number;
  maskRate: number;
  /** Each pseudo-query wordpiece becomes ids.mask with this probability (default 0: ORQA's plain sentence). */
  queryMaskProb?: number;
  ids: IctSpecialIds;
}

/**
 * Makes the ICT pair of `block`: a uniformly chosen sentence is the query; with probability
 * `maskRate` it is removed from the block. Returns null for a masked single-sentence block, which
 * ORQA drops ("masked examples for single-sentence blocks don't make any sense"). Draws two
 * numbers from `rng`: the sentence, then the mask decision; with `queryMaskProb` > 0, then one per
 * query wordpiece (kept within querySeqLen), each becoming [MASK] with that probability.
 */
export function makeIctExample(block: IctBlock, rng: RandomSource, options: IctExampleOptions): IctExample | null {
  const count = block.sentences.length;
  if (count === 0) throw new Error('makeIctExample: the block has no sentences');
  const sentenceIndex = Math.min(count - 1, Math.floor(rng.next() * count));
  const masked = rng.next() < options.maskRate;
  if (masked && count === 1) return null;
  const body: number[] = [];
  block.sentences.forEach((sentence, i) => {
    if (masked && i === sentenceIndex) return;
    for (let t = 0; t < sentence.length; t++) body.push(sentence[t]);
  });
  let sentence: ArrayLike<number> = block.sentences[sentenceIndex];
  const queryMaskProb = options.queryMaskProb ?? 0;
  if (queryMaskProb > 0) {
    if (options.ids.mask === undefined) throw new Error('makeIctExample: queryMaskProb > 0 needs ids.mask (the [MASK] id)');
    // Only the pieces packBertSegments keeps ([CLS] sentence [SEP] within querySeqLen).
    const kept = Array.from(sentence).slice(0, Math.max(0, options.querySeqLen - 2));
    sentence = kept.map((id) => (rng.next() < queryMaskProb ? (options.ids.mask as number) : id));
  }
  return {
    query: packBertSegments([sentence], options.querySeqLen, options.ids),
    block: packBertSegments([block.titleIds, body], options.blockSeqLen, options.ids),
    masked,
    sentenceIndex,
  };
}

/** A batch of ICT pairs, row-major; query b belongs to block b. */
export interface IctBatch {
  /** [B, Q] */
  queries: FlatBertInputs;
  /** [B, L] */
  blocks: FlatBertInputs;
  /** [B] 1 where the sentence was removed from its block. */
  masked: Uint8Array;
  /** [B] indices into the block list. */
  blockIndices: Int32Array;
}

function stack(rows: readonly FlatBertInputs[], length: number): FlatBertInputs {
  const out: FlatBertInputs = { tokenIds: new Int32Array(rows.length * length), mask: new Int32Array(rows.length * length), segmentIds: new Int32Array(rows.length * length) };
  rows.forEach((row, i) => {
    out.tokenIds.set(row.tokenIds, i * length);
    out.mask.set(row.mask, i * length);
    out.segmentIds.set(row.segmentIds, i * length);
  });
  return out;
}

/**
 * `batchSize` ICT pairs from distinct blocks drawn uniformly (an in-batch negative is never the
 * positive's own block). A dropped pair (masked single-sentence block) is replaced by another block.
 */
export function sampleIctBatch(blocks: readonly IctBlock[], batchSize: number, rng: RandomSource, options: IctExampleOptions): IctBatch {
  if (blocks.length < batchSize) throw new Error(`sampleIctBatch: batch of ${batchSize} distinct blocks needs at least that many blocks, got ${blocks.length}`);
  const chosen = new Set<number>();
  const examples: IctExample[] = [];
  const indices: number[] = [];
  let attempts = 0;
  while (examples.length < batchSize) {
    if (++attempts > 100 * batchSize) {
      throw new Error(`sampleIctBatch: could not find ${batchSize} usable blocks (blocks with one sentence are dropped when their sentence is masked)`);
    }
    const index = Math.floor(rng.next() * blocks.length);
    if (chosen.has(index)) continue;
    const example = makeIctExample(blocks[index], rng, options);
    if (example === null) continue;
    chosen.add(index);
    examples.push(example);
    indices.push(index);
  }
  return {
    queries: stack(examples.map((e) => e.query), options.querySeqLen),
    blocks: stack(examples.map((e) => e.block), options.blockSeqLen),
    masked: Uint8Array.from(examples, (e) => (e.masked ? 1 : 0)),
    blockIndices: Int32Array.from(indices),
  };
}
