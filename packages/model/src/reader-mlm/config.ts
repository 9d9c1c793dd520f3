// Masked-LM warm start of the REALM reader. REALM starts its reader from a BERT that was
// pre-trained by masked language modelling (realm-spec §1.5: --bert_hub_module_handle); this
// project ships no BERT weights, so the bootstrap pre-trains the reader itself on the knowledge
// corpus, in the reader's own joint layout. Defaults follow google-research/bert run_pretraining.py
// and create_pretraining_data.py where they apply.
import { z } from 'zod';

export const ReaderMlmConfigSchema = z
  .strictObject({
    querySeqLen: z.int().min(3).default(96).describe('Length of the first segment, [CLS] sentence [SEP] (the reader\'s query_seq_len, launcher 96)'),
    candidateSeqLen: z.int().min(3).default(288).describe('Length of the second segment, body [SEP] (the reader\'s candidate_seq_len, launcher 288)'),
    maskProb: z.number().gt(0).max(1).default(0.15).describe('Fraction of the sentence\'s pieces predicted (create_pretraining_data.py masked_lm_prob 0.15)'),
    maxMasks: z.int().min(1).default(10).describe('Predictions per example at most (max_predictions_per_seq; the reader\'s max_masks)'),
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
