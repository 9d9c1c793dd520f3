// Sequence packing into fixed-length BERT inputs: [CLS] a [SEP] b [SEP] …, segment ids, mask, padding.
// Ports language/realm/featurization.py: bert_format, featurize_query, featurize_document and the
// joint inputs of featurize_query_and_docs; and language/orqa/ops/orqa_ops.cc: ReaderInputs.
import { z } from 'zod';
import type { SpecialTokenIds } from './vocab.js';

export const PackingConfigSchema = z
  .strictObject({
    querySeqLen: z.number().int().min(2).default(96).describe('REALM query_seq_len: [CLS] masked sentence (≤ 94 wordpieces) [SEP].'),
    candidateSeqLen: z.number().int().min(3).default(288).describe('REALM candidate_seq_len: [CLS] title [SEP] body [SEP] per retrieved document.'),
    readerSeqLen: z.number().int().min(3).default(320).describe('ORQA reader_seq_len: [CLS] question [SEP] block [SEP] (288 + 32).'),
  })
  .readonly();
export type PackingConfig = z.infer<typeof PackingConfigSchema>;

/** The special ids packing needs (a SpecialTokenIds from `vocab.specialTokenIds()` fits). */
export type PackingIds = Pick<SpecialTokenIds, 'cls' | 'sep'>;

/** One packed sequence of length L (padding positions are 0 in all three arrays). */
export interface PackedInputs {
  tokenIds: Int32Array;
  inputMask: Int32Array;
  segmentIds: Int32Array;
  /** How many tokens of each input segment were kept after truncation. */
  segmentLengths: number[];
}

function checkLength(maxSeqLen: number, what: string): void {
  if (!Number.isInteger(maxSeqLen) || maxSeqLen <= 0) throw new Error(`packing: ${what} must be a positive integer, got ${maxSeqLen}`);
}

/**
 * REALM's `bert_format`: [CLS] seg0 [SEP] seg1 [SEP] … padded with 0 to `maxSeqLen`. The token
 * budget L − 1 − K is spent greedily in segment order. Segment id k covers segment k's tokens and
 * its trailing [SEP]; [CLS] has segment 0.
 */
export function packSegments(segments: readonly ArrayLike<number>[], maxSeqLen: number, ids: PackingIds): PackedInputs {
  checkLength(maxSeqLen, 'maxSeqLen');
  let budget = maxSeqLen - 1 - segments.length;
  if (budget < 0) {
    throw new Error(`packing: maxSeqLen ${maxSeqLen} is too small for [CLS] and ${segments.length} [SEP] tokens`);
  }
  const tokenIds = new Int32Array(maxSeqLen);
  const inputMask = new Int32Array(maxSeqLen);
  const segmentIds = new Int32Array(maxSeqLen);
  const segmentLengths: number[] = [];
  tokenIds[0] = ids.cls;
  inputMask[0] = 1;
  let position = 1;
  segments.forEach((segment, segmentId) => {
    const kept = Math.min(segment.length, budget);
    for (let k = 0; k < kept; k++) {
      tokenIds[position] = segment[k];
      inputMask[position] = 1;
      segmentIds[position] = segmentId;
      position++;
    }
    tokenIds[position] = ids.sep;
    inputMask[position] = 1;
    segmentIds[position] = segmentId;
    position++;
    budget -= kept;
    segmentLengths.push(kept);
  });
  return { tokenIds, inputMask, segmentIds, segmentLengths };
}

/** REALM query_inputs: [CLS] query [SEP] (query ≤ querySeqLen − 2), all segment 0. */
export function packQuery(queryIds: ArrayLike<number>, ids: PackingIds, querySeqLen = 96): PackedInputs {
  return packSegments([queryIds], querySeqLen, ids);
}

/** REALM candidate_inputs: [CLS] title [SEP] body [SEP]; the title first, the body gets the rest. */
export function packCandidate(titleIds: ArrayLike<number>, bodyIds: ArrayLike<number>, ids: PackingIds, candidateSeqLen = 288): PackedInputs {
  return packSegments([titleIds, bodyIds], candidateSeqLen, ids);
}

function prefix(values: ArrayLike<number>, length: number): ArrayLike<number> {
  return values.length <= length ? values : Array.prototype.slice.call(values, 0, Math.max(length, 0));
}

/**
 * REALM joint_inputs (the reader's input): [CLS] query [SEP] body [SEP] in querySeqLen +
 * candidateSeqLen positions, with the query cut to querySeqLen − 2 and the body to
 * candidateSeqLen − 2 first (the title is not used).
 */
export function packJoint(queryIds: ArrayLike<number>, bodyIds: ArrayLike<number>, ids: PackingIds, querySeqLen = 96, candidateSeqLen = 288): PackedInputs {
  checkLength(querySeqLen, 'querySeqLen');
  checkLength(candidateSeqLen, 'candidateSeqLen');
  return packSegments([prefix(queryIds, querySeqLen - 2), prefix(bodyIds, candidateSeqLen - 2)], querySeqLen + candidateSeqLen, ids);
}

/** ORQA reader inputs for one block (outputs of the ReaderInputs op, without gold spans). */
export interface ReaderInputs {
  tokenIds: Int32Array;
  inputMask: Int32Array;
  segmentIds: Int32Array;
  /** 1 on block wordpieces (candidate span ends must have it), 0 elsewhere. */
  blockMask: Int32Array;
  /** Original-token index of each block wordpiece, −1 elsewhere. */
  tokenMap: Int32Array;
  /** Question wordpieces in the sequence (all of them, unless longer than readerSeqLen − 1). */
  questionLength: number;
  /** Block wordpieces kept. */
  blockLength: number;
}

/**
 * ORQA's ReaderInputs: [CLS] question [SEP] block [SEP], padded to readerSeqLen. The question is
 * never truncated; the block gets what is left, and when it does not fit the last position is
 * forced to [SEP]. As in the C++ op, a question of readerSeqLen − 1 or more wordpieces simply
 * fills the sequence (no [SEP], no block). `blockTokenMap` (per block wordpiece) defaults to −1s.
 */
export function packReaderInputs(questionIds: ArrayLike<number>, blockIds: ArrayLike<number>, ids: PackingIds, readerSeqLen = 320, blockTokenMap?: ArrayLike<number>): ReaderInputs {
  checkLength(readerSeqLen, 'readerSeqLen');
  if (blockTokenMap !== undefined && blockTokenMap.length !== blockIds.length) {
    throw new Error(`packing: blockTokenMap has ${blockTokenMap.length} entries but the block has ${blockIds.length} wordpieces`);
  }
  const L = readerSeqLen;
  const tokenIds = new Int32Array(L);
  const inputMask = new Int32Array(L);
  const segmentIds = new Int32Array(L);
  const blockMask = new Int32Array(L);
  const tokenMap = new Int32Array(L).fill(-1);
  const questionLength = questionIds.length;
  const blockLength = blockIds.length;
  let keptBlock = 0;
  for (let i = 0; i < L; i++) {
    const questionIndex = i - 1;
    const blockIndex = i - 1 - questionLength - 1;
    if (i === 0) {
      tokenIds[i] = ids.cls;
      inputMask[i] = 1;
    } else if (questionIndex < questionLength) {
      tokenIds[i] = questionIds[questionIndex];
      inputMask[i] = 1;
    } else if (questionIndex === questionLength) {
      tokenIds[i] = ids.sep;
      inputMask[i] = 1;
    } else if (blockIndex <= blockLength) {
      inputMask[i] = 1;
      segmentIds[i] = 1;
      if (blockIndex === blockLength || i === L - 1) {
        tokenIds[i] = ids.sep;
      } else {
        tokenIds[i] = blockIds[blockIndex];
        blockMask[i] = 1;
        tokenMap[i] = blockTokenMap === undefined ? -1 : blockTokenMap[blockIndex];
        keptBlock++;
      }
    }
  }
  return { tokenIds, inputMask, segmentIds, blockMask, tokenMap, questionLength: Math.min(questionLength, L - 1), blockLength: keptBlock };
}

/**
 * ORQA's gold spans for one block: every occurrence (overlaps included) of the answer's wordpiece
 * ids between the first block position and the last real position (exclusive), as inclusive
 * [start, end] sequence positions. An empty answer has no spans.
 */
export function findAnswerSpans(reader: ReaderInputs, answerIds: ArrayLike<number>): Array<[start: number, end: number]> {
  const spans: Array<[number, number]> = [];
  const width = answerIds.length;
  if (width === 0) return spans;
  let realLength = 0;
  while (realLength < reader.inputMask.length && reader.inputMask[realLength] === 1) realLength++;
  const searchFrom = 1 + reader.questionLength + 1;
  const searchTo = realLength - 1;
  for (let s = searchFrom; s + width <= searchTo; s++) {
    let k = 0;
    while (k < width && reader.tokenIds[s + k] === answerIds[k]) k++;
    if (k === width) spans.push([s, s + width - 1]);
  }
  return spans;
}
