// ICT evaluation: in-batch accuracy (ict_model.py's masked/unmasked accuracy metrics) and
// recall@k of the own block against ALL blocks, the quantity REALM's MIPS retrieval relies on.
// Inference mode throughout (no dropout), as ORQA's encode_blocks.py and evaluation.
import * as tf from '@tensorflow/tfjs-core';
import { embedProjected, type BertModel, type RandomSource } from '@realm/bert';
import { embedDocumentBatches, projectionSize } from '../realm/embed.js';
import { IctConfigSchema, type IctConfigInput } from './config.js';
import { makeIctExample, packBertSegments, sampleIctBatch, type IctBlock, type IctSpecialIds } from './examples.js';
import { ictCorrect, ictEncoders, ictLogits, type IctEncoders } from './ict-model.js';

/** In-batch accuracies: overall and split by whether the sentence was removed from its block. */
export interface IctInBatchAccuracy {
  accuracy: number;
  maskedAccuracy: number;
  unmaskedAccuracy: number;
  numQueries: number;
}

/**
 * Mean in-batch accuracy over `numBatches` fresh batches of `config.batchSize` (chance is
 * 1/batchSize). `maskedAccuracy`/`unmaskedAccuracy` are NaN when no query of that kind was drawn.
 */
export function evaluateIctInBatch(
  embedders: BertModel | IctEncoders,
  blocks: readonly IctBlock[],
  options: IctConfigInput & { ids: IctSpecialIds; numBatches: number },
  rng: RandomSource,
): IctInBatchAccuracy {
  const { ids, numBatches, ...configInput } = options;
  const config = IctConfigSchema.parse(configInput);
  const encoders = ictEncoders(embedders);
  const tally = { masked: [0, 0], unmasked: [0, 0] };
  for (let i = 0; i < numBatches; i++) {
    const batch = sampleIctBatch(blocks, config.batchSize, rng, { ...config, ids });
    const logits = ictLogits(encoders, batch);
    try {
      ictCorrect(logits).forEach((correct, row) => {
        const bucket = batch.masked[row] ? tally.masked : tally.unmasked;
        bucket[0] += correct;
        bucket[1] += 1;
      });
    } finally {
      logits.dispose();
    }
  }
  const total = tally.masked[1] + tally.unmasked[1];
  return {
    accuracy: (tally.masked[0] + tally.unmasked[0]) / total,
    maskedAccuracy: tally.masked[0] / tally.masked[1],
    unmaskedAccuracy: tally.unmasked[0] / tally.unmasked[1],
    numQueries: total,
  };
}

/** Recall@k of the own block among all blocks, for each k asked. */
export interface IctRecall {
  /** k → fraction of queries whose own block ranks in the top k. */
  recall: Map<number, number>;
  numQueries: number;
}

/**
 * Embeds every block whole (as a retrieval index holds it: [CLS] title [SEP] all sentences [SEP])
 * with the block encoder, then for `numQueries` random blocks uses one random sentence as the
 * query and ranks all blocks by inner product. Ties count against the query (rank = 1 + #blocks
 * scoring strictly higher + #other blocks scoring equal).
 */
export async function ictRecallAtK(
  embedders: BertModel | IctEncoders,
  blocks: readonly IctBlock[],
  options: { ks: readonly number[]; numQueries: number; querySeqLen: number; blockSeqLen: number; ids: IctSpecialIds; batchSize?: number },
  rng: RandomSource,
): Promise<IctRecall> {
  const encoders = ictEncoders(embedders);
  const { ids, querySeqLen, blockSeqLen } = options;
  const batchSize = options.batchSize ?? 64;
  const P = projectionSize(encoders.block);
  const blockMatrix = await embedDocumentBatches(
    encoders.block,
    blocks.map((block) => packBertSegments([block.titleIds, Array.prototype.concat.apply([], block.sentences.map((s) => Array.from(s)))], blockSeqLen, ids)),
    { batchSize, seqLen: blockSeqLen },
  );
  const ranks: number[] = [];
  for (let q = 0; q < options.numQueries; q++) {
    const own = Math.floor(rng.next() * blocks.length);
    const example = makeIctExample(blocks[own], rng, { querySeqLen, blockSeqLen, maskRate: 0, ids });
    const embedding = tf.tidy(() =>
      embedProjected(encoders.query, {
        inputIds: tf.tensor2d(example!.query.tokenIds, [1, querySeqLen], 'int32'),
        inputMask: tf.tensor2d(example!.query.mask, [1, querySeqLen], 'int32'),
        tokenTypeIds: tf.tensor2d(example!.query.segmentIds, [1, querySeqLen], 'int32'),
      }),
    );
    const query = embedding.dataSync();
    embedding.dispose();
    const scores = new Float64Array(blocks.length);
    for (let b = 0; b < blocks.length; b++) {
      let dot = 0;
      for (let d = 0; d < P; d++) dot += query[d] * blockMatrix[b * P + d];
      scores[b] = dot;
    }
    let rank = 1;
    for (let b = 0; b < blocks.length; b++) if (b !== own && scores[b] >= scores[own]) rank++;
    ranks.push(rank);
  }
  const recall = new Map<number, number>();
  for (const k of options.ks) recall.set(k, ranks.filter((rank) => rank <= k).length / ranks.length);
  return { recall, numQueries: ranks.length };
}
