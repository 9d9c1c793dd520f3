// Inverse Cloze Task (ICT) configuration: ORQA's retriever pre-training that warm-starts REALM's
// embedder. Defaults are ORQA's recipe (orqa-spec §1.3; language/orqa/experiments/ict_experiment.py,
// orqa/README.md): query 64, block 288, mask rate 0.9, batch 4096, lr 1e-4, 100k steps.
import { z } from 'zod';

export const IctConfigSchema = z
  .strictObject({
    querySeqLen: z.int().min(3).default(64).describe('Pseudo-query length: [CLS] sentence [SEP], truncated (ict query_seq_len 64)'),
    blockSeqLen: z.int().min(4).default(288).describe('Block length: [CLS] title [SEP] rest-of-block [SEP] (ict block_seq_len 288)'),
    maskRate: z
      .number()
      .min(0)
      .max(1)
      .default(0.9)
      .describe('Probability that the query sentence is removed from its block (ict mask_rate 0.9); otherwise the block keeps it'),
    queryMaskProb: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe(
        'Probability that each wordpiece of the pseudo-query becomes [MASK] (0 = ORQA). REALM embeds queries with masked ' +
          'spans; an embedder trained from scratch never meets [MASK] in plain ICT, so its [MASK] embedding stays random and ' +
          'pulls masked queries toward unrelated blocks',
      ),
    batchSize: z.int().min(2).default(4096).describe('Blocks per step; every other block in the batch is a negative (ORQA 4096 on TPU)'),
    learningRate: z.number().positive().default(1e-4).describe('Peak learning rate (ORQA ICT 1e-4)'),
    numTrainSteps: z.int().min(1).default(100_000).describe('Steps at which the learning rate reaches 0 (ORQA 100k); training stops here unless maxSeconds stops it first'),
    maxSeconds: z.number().positive().nullable().default(null).describe('Wall-clock budget; null = run all numTrainSteps'),
    numWarmupSteps: z
      .int()
      .min(0)
      .nullable()
      .default(null)
      .describe('Linear warmup steps; null = min(10000, max(100, int(numTrainSteps / 10))) as ict_model.py'),
    weightDecayRate: z.number().min(0).default(0.01).describe("BERT AdamWeightDecayOptimizer's decoupled weight decay (0.01)"),
    clipNorm: z.number().positive().default(1.0).describe('Gradient clipping by global norm (create_optimizer 1.0)'),
    dropoutInTraining: z.boolean().default(true).describe('Dropout in both encoders while training (the ICT module is built with the "train" tag)'),
  })
  .readonly();

export type IctConfig = z.infer<typeof IctConfigSchema>;
export type IctConfigInput = z.input<typeof IctConfigSchema>;
