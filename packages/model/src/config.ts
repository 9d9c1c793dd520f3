// REALM pre-training configuration. Defaults follow realm-spec §2.9 and §9.2: the paper's run where it
// states a value (lr 3e-5, batch 512, 200k steps), else the code default, else the local launcher.
// Ports the flags of language/realm/train_realm.py + common/utils/experiment_utils.py.
import { z } from 'zod';
import { realmWarmupSteps } from './schedule.js';

export const REALM_LOSS_FORMS = ['per_token', 'per_span'] as const;
export const REALM_BEST_EXPORT_METRICS = ['retrieval_utility', 'accuracy_with_retrieval', 'loss'] as const;

export const RealmTrainConfigSchema = z
  .strictObject({
    querySeqLen: z.int().min(3).default(96).describe('Query length Q with [CLS] and [SEP] (query_seq_len; launcher 96, required flag in the code).'),
    candidateSeqLen: z
      .int()
      .min(3)
      .default(288)
      .describe('Candidate length C: [CLS] title [SEP] body [SEP] (candidate_seq_len; launcher 288 = the corpus block size).'),
    numCandidates: z.int().min(1).default(8).describe('Candidates per query including the null document at index 0 (num_candidates; launcher and paper 8).'),
    maxMasks: z.int().min(1).default(10).describe('MLM prediction slots per query (max_masks; launcher 10).'),
    learningRate: z.number().positive().default(3e-5).describe('Peak learning rate (learning_rate; code default and paper 3e-5).'),
    batchSize: z.int().min(1).default(512).describe('Training queries per step (batch_size; paper 512, code default 16, launcher 4).'),
    evalBatchSize: z.int().min(1).default(16).describe('Evaluation queries per step (eval_batch_size; code default 16, launcher 4).'),
    numTrainSteps: z.int().min(1).default(200_000).describe('Training steps; the learning rate reaches 0 here (num_train_steps; paper 200k, launcher 1000).'),
    numWarmupSteps: z
      .int()
      .min(0)
      .nullable()
      .default(null)
      .describe("Linear warmup steps; null = REALM's rule min(10000, max(100, int(numTrainSteps / 10))) from model.py (10,000 for the paper's run)."),
    weightDecayRate: z.number().min(0).default(0.01).describe("Decoupled weight decay of BERT's AdamWeightDecayOptimizer (optimization.py 0.01)."),
    adamBeta1: z.number().min(0).lt(1).default(0.9).describe('Adam β1 (optimization.py 0.9).'),
    adamBeta2: z.number().min(0).lt(1).default(0.999).describe('Adam β2 (optimization.py 0.999).'),
    adamEpsilon: z.number().positive().default(1e-6).describe('Adam ε (optimization.py 1e-6).'),
    adamBiasCorrection: z
      .boolean()
      .default(false)
      .describe("Adam's bias correction (m/(1−β1^t), v/(1−β2^t)). false = BERT's optimizer (optimization.py applies none, so early updates are 2–6× the rate); true helps short runs from scratch."),
    excludeFromWeightDecay: z
      .array(z.string().min(1))
      .readonly()
      .default(['LayerNorm', 'layer_norm', 'bias'])
      .describe('Regexes; variables whose name matches one get no weight decay (optimization.py: LayerNorm, layer_norm, bias).'),
    clipNorm: z.number().positive().default(1.0).describe('Gradient clipping by global norm (create_optimizer 1.0).'),
    embedderLearningRateMultiplier: z
      .number()
      .min(0)
      .default(1.0)
      .describe('Factor on the learning rate of the retriever embedder variables; the reference trains both modules at one rate (1.0).'),
    embedderVariablePrefix: z
      .string()
      .min(1)
      .default('embedder/')
      .describe('Name prefix of the retriever embedder variables (the hub module scope "embedder"), used by the multiplier above.'),
    shareEmbedders: z
      .boolean()
      .default(true)
      .describe('One embedder for queries and documents (share_embedders, default true; the released false path is broken, realm-spec §1.5).'),
    embedderDropoutInTraining: z
      .boolean()
      .default(true)
      .describe('Dropout in the trainer\'s query/candidate embeddings (the code loads the embedder with the "train" tag, so it is on).'),
    lossForm: z
      .enum(REALM_LOSS_FORMS)
      .default('per_token')
      .describe("'per_token' = model.py's Σ_j log Σ_z p(z|x)p(y_j|z,x); 'per_span' = the paper's log Σ_z p(z|x) Π_j p(y_j|z,x)."),
    saveCheckpointsSteps: z.int().min(1).default(1000).describe('Steps between checkpoints (save_checkpoints_steps; code 1000, launcher 100).'),
    keepCheckpointMax: z.int().min(1).default(5).describe('Checkpoints kept (keep_checkpoint_max; code 5, launcher 10).'),
    evalEverySteps: z
      .int()
      .min(1)
      .default(1000)
      .describe('Steps between evaluations; the reference evaluates each new checkpoint (at most every eval_throttle_secs = 600 s), so this defaults to saveCheckpointsSteps.'),
    numEvalSteps: z.int().min(1).default(50).describe('Evaluation batches per evaluation (num_eval_steps; required in the code, launcher 50).'),
    keepLatestExports: z.int().min(1).default(5).describe('Latest exports kept after each evaluation (hub.LatestModuleExporter default 5).'),
    keepBestExports: z.int().min(1).default(5).describe('Best exports kept (BestModuleExporter, 5).'),
    bestExportMetric: z
      .enum(REALM_BEST_EXPORT_METRICS)
      .default('retrieval_utility')
      .describe('Evaluation metric that selects the best export (the reference: retrieval_utility, higher is better; loss is lower-is-better).'),
    indexRefreshEverySteps: z
      .int()
      .min(1)
      .default(500)
      .describe('Steps between MIPS index refreshes; the paper refreshed about every 500 steps (the code refreshes as fast as its processes allow).'),
    seed: z.int().min(0).default(0).describe('Seed of the Rng for dropout and data order (tf_random_seed; unset in the reference).'),
  })
  .readonly();

export type RealmTrainConfig = z.infer<typeof RealmTrainConfigSchema>;
export type RealmTrainConfigInput = z.input<typeof RealmTrainConfigSchema>;

/** Named starting points: 'paper' is the schema defaults; 'launcher' is local_launcher.sh's small run. */
export const REALM_TRAIN_PRESETS: Readonly<Record<'paper' | 'launcher', RealmTrainConfigInput>> = Object.freeze({
  paper: Object.freeze({}),
  launcher: Object.freeze({
    batchSize: 4,
    evalBatchSize: 4,
    numTrainSteps: 1000,
    saveCheckpointsSteps: 100,
    evalEverySteps: 100,
    keepCheckpointMax: 10,
    numEvalSteps: 50,
  }),
});

/** The warmup length a config implies (explicit value or REALM's rule). */
export function resolveWarmupSteps(config: Pick<RealmTrainConfig, 'numWarmupSteps' | 'numTrainSteps'>): number {
  return config.numWarmupSteps ?? realmWarmupSteps(config.numTrainSteps);
}

/** Whether `current` beats `best` for the configured best-export metric (no best yet → true). */
export function isBetterExport(metric: RealmTrainConfig['bestExportMetric'], best: number | null, current: number): boolean {
  if (Number.isNaN(current)) return false;
  if (best === null) return true;
  return metric === 'loss' ? current < best : current > best;
}
