// The configuration of one ORQA fine-tuning run: @realm/model's OrqaConfig plus the app's knobs
// (seed, backend, dev-evaluation cadence, index refresh), with the machine recipe underneath and
// `--a.b=value` overrides on top. Saved as <out>/config.json and beside every best checkpoint, as
// orqa_experiment.py saves params.json in its model_dir.
import { z } from 'zod';
import { OrqaConfigSchema } from '@realm/model';
import { mergeJson, parseOverride } from '@realm/pretrain';

export const FINETUNE_METRICS = ['officialExactMatch', 'exactMatch'] as const;

export const FinetuneRunSchema = z
  .strictObject({
    seed: z.int().min(0).default(13).describe('Seed of the span-head initialization, dropout and the order of training questions.'),
    backend: z.enum(['auto', 'node-gpu', 'node', 'wasm', 'cpu']).default('auto').describe('TensorFlow.js backend (auto = fastest available).'),
    evalEverySteps: z.int().min(1).default(100).describe('Evaluate on dev (and keep the best checkpoint) every this many steps and at the end (ORQA: every checkpoint).'),
    evalBatchSize: z.int().min(1).default(16).describe('Questions per evaluation batch.'),
    maxDevQuestions: z.int().min(1).nullable().default(null).describe('Evaluate on at most this many dev questions during training (null = all).'),
    maxTrainQuestions: z.int().min(1).nullable().default(null).describe('Train on at most this many questions (null = all; for smoke tests).'),
    selectBy: z.enum(FINETUNE_METRICS).default('officialExactMatch').describe("Dev metric that picks the best checkpoint: official EM (normalised text) or ORQA's token-level exact_match."),
    refreshIndex: z.boolean().default(false).describe('Train the document embedder too and re-embed the corpus every refreshEverySteps (off in ORQA; REALM refreshes in pre-training).'),
    refreshEverySteps: z.int().min(1).default(50).describe('Steps between corpus re-embeddings when refreshIndex is on.'),
    refreshBatchSize: z.int().min(1).default(64).describe('Blocks per embedder call when re-embedding.'),
    checkpointEverySteps: z
      .int()
      .min(1)
      .default(1000)
      .describe('Save the resumable training state (weights, optimizer, data position, best so far) to checkpoints/ every this many steps, at the end and on a stop (ORQA: save_checkpoints_steps 1000).'),
    keepCheckpoints: z.int().min(1).default(5).describe('Resumable checkpoints kept, newest first; an older one is the fallback when the newest cannot be read (ORQA keeps 5).'),
  })
  .readonly();

export const FinetuneConfigSchema = z
  .strictObject({
    run: FinetuneRunSchema.prefault({}).describe('Seed, backend, evaluation cadence and index refresh.'),
    orqa: OrqaConfigSchema.describe('The ORQA model and optimizer (@realm/model OrqaConfig).'),
  })
  .readonly();

export type FinetuneConfig = z.infer<typeof FinetuneConfigSchema>;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * The recipe for this machine (2 CPU cores, tfjs) and the built-in world: world blocks are at most
 * ~62 wordpieces and questions ~14, so a reader length of 96 holds every pair untruncated; the
 * retrieval loss marginalises over the top 100 blocks (of ~450); a tiny model needs a rate far
 * above ORQA's 1e-5 (BERT-base) to move within minutes, and its question encoder a tenth of it.
 */
export const FINETUNE_RECIPE: JsonObject = {
  // A checkpoint costs one model write (~1 s here); 50 steps bound the work a crash loses to a minute.
  run: { evalEverySteps: 100, evalBatchSize: 16, checkpointEverySteps: 50, keepCheckpoints: 2 },
  orqa: {
    readerSeqLen: 96,
    retrieverBeamSize: 100,
    readerBeamSize: 5,
    learningRate: 1e-3,
    // At one rate for all, the reader's early noise moved the REALM question encoder off its index:
    // dev recall@5 fell from 0.34 to 0.14 within 100 steps at 5e-4.
    questionEmbedderLearningRateMultiplier: 0.1,
    batchSize: 4,
    numTrainSteps: 400,
    numWarmupSteps: 20,
    recallAtK: [5, 10, 50, 100],
  },
};

/** The run config: recipe, then `base`, then `--a.b=value` overrides; errors name every bad field. */
export function buildFinetuneConfig(overrides: readonly string[] = [], base: JsonObject = {}): FinetuneConfig {
  let input = mergeJson(FINETUNE_RECIPE, base);
  for (const override of overrides) input = mergeJson(input, parseOverride(override));
  const result = FinetuneConfigSchema.safeParse(input);
  if (!result.success) throw new Error(`finetune-orqa config: ${z.prettifyError(result.error)}`);
  return result.data;
}
