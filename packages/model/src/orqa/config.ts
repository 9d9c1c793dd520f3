// ORQA open-domain QA fine-tuning configuration: the span reader's shape, the beam sizes and BERT's
// optimizer settings. Defaults follow orqa-spec §1.9 (language/orqa/experiments/orqa_experiment.py
// flags and language/orqa/models/orqa_model.py model_fn / read).
import { z } from 'zod';
import { realmWarmupSteps } from '../schedule.js';

/**
 * Which blocks count as containing an answer for the early-update loss and recall@k:
 * 'substring' is ORQA's HasAnswer op (a raw, case-sensitive substring test); 'normalized' is the
 * DPR-style test (the normalised answer's tokens occur consecutively in the normalised block);
 * 'regex' treats each answer as a Python regex searched anywhere in the block (CuratedTREC).
 */
export const ORQA_ANSWER_MATCHERS = ['substring', 'normalized', 'regex'] as const;
export type OrqaAnswerMatcher = (typeof ORQA_ANSWER_MATCHERS)[number];

export const OrqaConfigSchema = z
  .strictObject({
    readerSeqLen: z.int().min(4).default(320).describe('Reader input length: [CLS] question [SEP] block [SEP] (reader_seq_len = 288 + 32).'),
    maxSpanWidth: z.int().min(1).default(10).describe('Longest candidate answer span in wordpieces (max_span_width).'),
    spanHiddenSize: z.int().min(1).default(256).describe('Width of the start/end projections of the span scorer (span_hidden_size).'),
    spanLayerNormEpsilon: z
      .number()
      .positive()
      .default(1e-3)
      .describe("Epsilon of the span scorer's LayerNorm (tf.keras.layers.LayerNormalization default 1e-3)."),
    spanInitializerRange: z
      .number()
      .positive()
      .default(0.02)
      .describe('Stddev of the truncated-normal kernel initializer of both span-scorer dense layers (orqa_model.py read: 0.02).'),
    retrieverBeamSize: z
      .int()
      .min(1)
      .default(5000)
      .describe('Blocks retrieved per question in training/evaluation: the top c of the early-update loss and of recall@k (retriever_beam_size).'),
    readerBeamSize: z.int().min(1).default(5).describe('Blocks read per question, the first of the retrieved ones; also the retrieval size at prediction (reader_beam_size).'),
    answerMatcher: z
      .enum(ORQA_ANSWER_MATCHERS)
      .default('substring')
      .describe("Which retrieved blocks count as correct: 'substring' = ORQA's HasAnswer op, 'normalized' = DPR-style token match, 'regex' = CuratedTREC patterns."),
    learningRate: z.number().positive().default(1e-5).describe('Peak learning rate (learning_rate 1e-5).'),
    questionEmbedderLearningRateMultiplier: z
      .number()
      .min(0)
      .default(1)
      .describe("Scales the rate of the question encoder (and a trained document embedder); 1 = ORQA (one rate for everything). A young reader's noisy gradients can wreck a small pre-trained retriever at high rates."),
    batchSize: z
      .int()
      .min(1)
      .default(1)
      .describe('Questions per step; the reference pipeline is unbatched (one question per step) although batch_size defaults to 16.'),
    numTrainSteps: z.int().min(1).default(68_340).describe('Training steps; the rate decays to 0 here (README WebQuestions example: 3417 × 20 epochs).'),
    numWarmupSteps: z
      .int()
      .min(0)
      .nullable()
      .default(null)
      .describe('Linear warmup steps; null = min(10000, max(100, int(numTrainSteps / 10))) as orqa_model.py model_fn.'),
    weightDecayRate: z.number().min(0).default(0.01).describe("Decoupled weight decay of BERT's AdamWeightDecayOptimizer (0.01)."),
    adamBeta1: z.number().min(0).lt(1).default(0.9).describe('Adam β1 (optimization.py 0.9).'),
    adamBeta2: z.number().min(0).lt(1).default(0.999).describe('Adam β2 (optimization.py 0.999).'),
    adamEpsilon: z.number().positive().default(1e-6).describe('Adam ε (optimization.py 1e-6; no bias correction).'),
    excludeFromWeightDecay: z
      .array(z.string().min(1))
      .readonly()
      .default(['LayerNorm', 'layer_norm', 'bias'])
      .describe('Regexes; matching variable names get no weight decay (optimization.py; layer_norm also covers the span head).'),
    clipNorm: z.number().positive().default(1.0).describe('Gradient clipping by global norm (create_optimizer 1.0).'),
    questionEmbedderDropout: z
      .boolean()
      .default(true)
      .describe('Dropout in the question encoder while training (the retriever hub module is loaded with the "train" tag).'),
    trainDocumentEmbedder: z
      .boolean()
      .default(false)
      .describe('Also train the document embedder: retrieved blocks are re-embedded with current weights (for --refresh-index; ORQA keeps it frozen).'),
    recallAtK: z
      .array(z.int().min(1))
      .readonly()
      .default([5, 10, 50, 100])
      .describe('k values of the top-k retrieval recall metrics (compute_eval_metrics also reports 500, 1000, 5000).'),
    seed: z.int().min(0).default(0).describe('Seed of the dropout stream and span-head initialization (tf_random_seed; unset in the reference).'),
  })
  .superRefine((config, ctx) => {
    if (config.readerBeamSize > config.retrieverBeamSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['readerBeamSize'],
        message: `readerBeamSize ${config.readerBeamSize} must be ≤ retrieverBeamSize ${config.retrieverBeamSize} (the reader reads the first retrieved blocks)`,
      });
    }
  })
  .readonly();

export type OrqaConfig = z.infer<typeof OrqaConfigSchema>;
export type OrqaConfigInput = z.input<typeof OrqaConfigSchema>;

/** Parses an ORQA config; errors name `source` and every offending field. */
export function parseOrqaConfig(value: unknown, source = 'ORQA config'): OrqaConfig {
  const result = OrqaConfigSchema.safeParse(value);
  if (!result.success) throw new Error(`${source}: invalid ORQA config\n${z.prettifyError(result.error)}`);
  return result.data;
}

/** The warmup length a config implies: its explicit value, else ORQA's (= REALM's) rule. */
export function resolveOrqaWarmupSteps(config: Pick<OrqaConfig, 'numWarmupSteps' | 'numTrainSteps'>): number {
  return config.numWarmupSteps ?? realmWarmupSteps(config.numTrainSteps);
}
