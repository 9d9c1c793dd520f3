// Masked-LM warm start of the REALM reader. REALM starts its reader from a BERT that was
// pre-trained by masked language modelling (realm-spec §1.5: --bert_hub_module_handle); this
// project ships no BERT weights, so the bootstrap pre-trains the reader itself on the knowledge
// corpus, in the reader's own joint layout. Defaults follow google-research/bert run_pretraining.py
// and create_pretraining_data.py where they apply; the lengths and maxMasks are REALM's (the reader
// meets the same positions in training), so maxMasks is 10, not BERT's max_predictions_per_seq 20.
import { z } from 'zod';

export const ReaderMlmConfigSchema = z
  .strictObject({
    querySeqLen: z.int().min(3).default(96).describe('Most positions the first segment, [CLS] sentence [SEP], may take (the reader\'s query_seq_len, launcher 96); the body follows right after it'),
    candidateSeqLen: z.int().min(3).default(288).describe('Most positions the second segment, body [SEP], may take (the reader\'s candidate_seq_len, launcher 288)'),
    maskProb: z.number().gt(0).max(1).default(0.15).describe('Predictions per sentence: round(maskProb × (visible pieces + 2)), at least 1 and at most maxMasks (create_pretraining_data.py masked_lm_prob 0.15)'),
    maxMasks: z.int().min(1).default(10).describe('Predictions per example at most (REALM\'s max_masks 10, the slots the reader is trained with; BERT\'s max_predictions_per_seq is 20)'),
    sentenceRemovalRate: z
      .number()
      .min(0)
      .max(1)
      .default(0.9)
      .describe('Probability that the masked sentence is cut out of the body it is paired with (as ICT\'s mask_rate 0.9); otherwise the body still holds it'),
    batchSize: z.int().min(1).default(32).describe('Examples per step (run_pretraining.py train_batch_size 32)'),
    learningRate: z.number().positive().default(5e-5).describe('Peak learning rate (run_pretraining.py learning_rate 5e-5)'),
    numTrainSteps: z.int().min(0).default(100_000).describe('Steps at which the rate reaches 0 (run_pretraining.py num_train_steps 100000); maxSeconds may stop training first; 0 skips the warm start'),
    numWarmupSteps: z.int().min(0).default(10_000).describe('Linear warmup steps (run_pretraining.py num_warmup_steps 10000)'),
    maxSeconds: z.number().positive().nullable().default(null).describe('Wall-clock budget; null = run all numTrainSteps'),
    weightDecayRate: z.number().min(0).default(0.01).describe("BERT AdamWeightDecayOptimizer's decoupled weight decay (0.01)"),
    clipNorm: z.number().positive().default(1.0).describe('Gradient clipping by global norm (create_optimizer 1.0)'),
    adamBiasCorrection: z.boolean().default(false).describe("Adam's bias correction; false = BERT's optimizer (none)"),
    dropoutInTraining: z.boolean().default(true).describe('Dropout while training, at the rates of the reader config (BERT pre-training keeps it on)'),
  })
  .readonly();

export type ReaderMlmConfig = z.infer<typeof ReaderMlmConfigSchema>;
export type ReaderMlmConfigInput = z.input<typeof ReaderMlmConfigSchema>;
