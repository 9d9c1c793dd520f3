// Masked-LM examples for the reader warm start, laid out as the reader's joint input so that the
// pre-trained weights meet the same positions and segments in REALM training:
//   [CLS] sentence with BERT masking [SEP] body of its block [SEP]
// The sentence comes from a corpus block and, with probability sentenceRemovalRate, is cut out of
// the body (as ICT does): the reader learns the language of the corpus and to take words from the
// second segment, which is what reading a retrieved document asks of it.
import { maskRandomTokens, packJoint, type Rng } from '@realm/tokenizer';
import type { BertInputs as FlatBertInputs } from '../corpus/realm-example.js';

/** A corpus block as a list of its sentences' wordpiece ids (ICT's blocks fit; the title is unused, as in the reader). */
export interface SentenceBlock {
  sentences: readonly ArrayLike<number>[];
}

/** The vocabulary ids the masking needs (never hard-coded). */
export interface ReaderMlmVocab {
  cls: number;
  sep: number;
  mask: number;
  /** Vocabulary size: BERT's 10% random replacements are uniform over [0, size). */
  size: number;
  /** Ids never selected for prediction ([CLS], [SEP], [PAD], [UNK], [MASK]). */
  specialIds: readonly number[];
}

export interface ReaderMlmExampleOptions {
  querySeqLen: number;
  candidateSeqLen: number;
  maskProb: number;
  maxMasks: number;
  sentenceRemovalRate: number;
  vocab: ReaderMlmVocab;
}

/** One masked joint input. */
export interface ReaderMlmExample {
  /** [Q + C]: [CLS] masked sentence [SEP] body [SEP], segment ids 0 then 1 */
  inputs: FlatBertInputs;
  /** [M] positions of the predictions in `inputs` (0-padded) */
  positions: Int32Array;
  /** [M] original ids at those positions (0-padded) */
  targets: Int32Array;
  /** [M] 1 for a prediction, 0 for padding */
  weights: Float32Array;
  /** Whether the sentence was cut out of the body. */
  sentenceRemoved: boolean;
}

/**
 * The example of one block's sentence `sentenceIndex`: BERT's masking (80% [MASK], 10% random, 10%
 * kept) of round(maskProb × length) of its pieces, then the body with the sentence removed when
 * `removeSentence`. Returns null when the sentence has no piece to predict.
 */
export function makeReaderMlmExample(block: SentenceBlock, sentenceIndex: number, removeSentence: boolean, rng: Rng, options: ReaderMlmExampleOptions): ReaderMlmExample | null {
  const sentence = block.sentences[sentenceIndex];
  if (sentence === undefined) throw new Error(`makeReaderMlmExample: the block has ${block.sentences.length} sentences, no sentence ${sentenceIndex}`);
  const { vocab } = options;
  const pieces = Array.from(sentence, (id) => ({ id, token: '' }));
  const special = new Set(vocab.specialIds);
  if (!pieces.slice(0, options.querySeqLen - 2).some((piece) => !special.has(piece.id))) return null;
  const masked = maskRandomTokens(pieces, {
    maskId: vocab.mask,
    vocabSize: vocab.size,
    maskProb: options.maskProb,
    maxMasks: options.maxMasks,
    querySeqLen: options.querySeqLen,
    specialIds: vocab.specialIds,
  }, rng);
  const body: number[] = [];
  block.sentences.forEach((other, i) => {
    if (removeSentence && i === sentenceIndex) return;
    for (let t = 0; t < other.length; t++) body.push(other[t]);
  });
  const packed = packJoint(masked.maskedIds, body, vocab, options.querySeqLen, options.candidateSeqLen);
  return {
    inputs: { tokenIds: packed.tokenIds, mask: packed.inputMask, segmentIds: packed.segmentIds },
    positions: Int32Array.from(masked.mlmPositions),
    targets: Int32Array.from(masked.mlmTargets),
    weights: Float32Array.from(masked.mlmWeights),
    sentenceRemoved: removeSentence,
  };
}

/** A batch of examples, row-major. */
export interface ReaderMlmBatch {
  /** [B, Q + C] */
  inputs: FlatBertInputs;
  /** [B, M] */
  positions: Int32Array;
  /** [B, M] */
  targets: Int32Array;
  /** [B, M] */
  weights: Float32Array;
}

/** `batchSize` examples from blocks and sentences drawn uniformly (sentence, then removal, then masking from `rng`). */
export function sampleReaderMlmBatch(blocks: readonly SentenceBlock[], batchSize: number, rng: Rng, options: ReaderMlmExampleOptions): ReaderMlmBatch {
  const usable = blocks.filter((block) => block.sentences.length > 0);
  if (usable.length === 0) throw new Error('sampleReaderMlmBatch: no block has a sentence');
  const length = options.querySeqLen + options.candidateSeqLen;
  const M = options.maxMasks;
  const batch: ReaderMlmBatch = {
    inputs: { tokenIds: new Int32Array(batchSize * length), mask: new Int32Array(batchSize * length), segmentIds: new Int32Array(batchSize * length) },
    positions: new Int32Array(batchSize * M),
    targets: new Int32Array(batchSize * M),
    weights: new Float32Array(batchSize * M),
  };
  let filled = 0;
  for (let attempts = 0; filled < batchSize; attempts++) {
    if (attempts > 100 * batchSize) throw new Error(`sampleReaderMlmBatch: could not find ${batchSize} sentences with a piece to predict`);
    const block = usable[Math.floor(rng.next() * usable.length)];
    const sentenceIndex = Math.min(block.sentences.length - 1, Math.floor(rng.next() * block.sentences.length));
    const example = makeReaderMlmExample(block, sentenceIndex, rng.next() < options.sentenceRemovalRate, rng, options);
    if (example === null) continue;
    batch.inputs.tokenIds.set(example.inputs.tokenIds, filled * length);
    batch.inputs.mask.set(example.inputs.mask, filled * length);
    batch.inputs.segmentIds.set(example.inputs.segmentIds, filled * length);
    batch.positions.set(example.positions, filled * M);
    batch.targets.set(example.targets, filled * M);
    batch.weights.set(example.weights, filled * M);
    filled++;
  }
  return batch;
}
