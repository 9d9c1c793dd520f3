// The one configuration of a pre-training run, composed of the packages' own schemas (world,
// masking, REALM model, REALM training) plus the programs' knobs, with `--a.b=value` overrides.
// It is saved as <out>/config.json and beside every export, as train_realm.py writes
// estimator_params.json for the refresher to read.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { WorldConfigSchema } from '@realm/data';
import { IctConfigSchema, ReaderMlmConfigSchema, RealmModelConfigSchema, RealmTrainConfigSchema } from '@realm/model';
import { CorpusVocabConfigSchema, MaskingConfigSchema } from '@realm/tokenizer';

/** The example dimensions every program must agree on (realm-spec §5.4: the key mapping is positional). */
export const PretrainDimsSchema = z
  .strictObject({
    querySeqLen: z.int().min(3).default(96).describe('Query length Q with [CLS] and [SEP] (query_seq_len; launcher 96).'),
    candidateSeqLen: z.int().min(3).default(288).describe('Candidate length C (candidate_seq_len; launcher 288).'),
    numCandidates: z.int().min(2).default(8).describe('Candidates per query, null document included (num_candidates; 8).'),
    maxMasks: z.int().min(1).default(10).describe('MLM slots per query (max_masks; launcher 10).'),
  })
  .readonly();

export const GeneratorConfigSchema = z
  .strictObject({
    host: z.string().default('127.0.0.1').describe('Interface the gRPC servers bind (REALM binds all interfaces; loopback is the safe default).'),
    trainPort: z.int().min(0).max(65535).default(8888).describe('Port of the train generator (local_launcher.sh 8888).'),
    evalPort: z.int().min(0).max(65535).default(8889).describe('Port of the eval generator (local_launcher.sh 8889).'),
    queueSize: z.int().min(1).default(256).describe('Examples buffered per generator; the producer waits while it is full (max_queue_size 1000).'),
    retrievalBatchSize: z.int().min(1).default(32).describe('Queries embedded and searched together (retrieval_batch_size 64).'),
    skipDuplicateCandidates: z.boolean().default(true).describe("Skip an example whose retrieved documents share a uid, as REALM does; false keeps the first copy."),
  })
  .readonly();

export const RefresherConfigSchema = z
  .strictObject({
    keepEncoded: z.int().min(1).default(3).describe('Published indexes kept under export/encoded (refresh_doc_embeds.py keeps 3).'),
    batchSize: z.int().min(1).default(64).describe('Documents per embedder call while re-embedding (predict_batch_size 256).'),
    pollMs: z.int().min(100).default(5000).describe('Fallback poll of export/tf_hub when filesystem watch events are lost (REALM busy-polls).'),
  })
  .readonly();

export const RunConfigSchema = z
  .strictObject({
    seed: z.int().min(0).default(13).describe('Seed of the world, the model initialization, masking and data order.'),
    backend: z.enum(['auto', 'node-gpu', 'node', 'wasm', 'cpu']).default('auto').describe('TensorFlow.js backend (auto = fastest available).'),
    steps: z.int().min(1).default(200).describe('Training steps of `pretrain all`; sets train.numTrainSteps when that is not given (run.maxSeconds may end the run sooner).'),
    maxSeconds: z
      .number()
      .positive()
      .nullable()
      .default(null)
      .describe('Wall-clock budget of `pretrain all` from its start: the trainer stops taking steps in time to checkpoint, export and evaluate before it ends (null = run.steps only).'),
    finalEvalSteps: z
      .int()
      .min(1)
      .nullable()
      .default(null)
      .describe("Evaluation batches of the run's last evaluation, the one `pretrain all` reports (null = train.numEvalSteps); the eval generator streams the held-out sentences in a fixed order, so enough batches cover them all once."),
  })
  .readonly();

/** Where the run's data comes from: the built-in world (default) or a `realm corpus build` output. */
export const DataConfigSchema = z
  .strictObject({
    corpus: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe(
        'A `realm corpus build --out` directory (local or gs://) to pre-train on instead of the built-in world: its retrieval blocks are the knowledge corpus, its pre-training shards the masked sentences, its orqa/examples.tfr the ICT blocks and its vocab.txt the vocabulary. The files are linked (or copied) into <out>/data.',
      ),
    heldoutShards: z
      .int()
      .min(0)
      .default(5)
      .describe(
        "Pre-training shards of data.corpus held out for the eval generator: the first ones in sorted order, as REALM's example generator holds out its first 5 (the rest train, so the corpus needs more shards than this); 0 evaluates on the training shards.",
      ),
  })
  .readonly();

/** Where the reader and the embedder start (REALM's --bert_hub_module_path / --embedder_hub_module_path). */
export const InitConfigSchema = z
  .strictObject({
    bert: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe(
        "A TF BERT checkpoint both the reader and the embedder start from: a directory with bert_config.json and bert_model.ckpt.{index,data-*} (google-research/bert's release layout) or a checkpoint prefix with bert_config.json beside it. Its bert_config.json replaces model.reader and model.embedder (overrides still apply after it); its vocab_size must equal the corpus vocabulary's size. The embedder's projection is new; ICT still warm-starts the embedder. null = random initialization.",
      ),
  })
  .readonly();

export const PretrainConfigSchema = z
  .strictObject({
    run: RunConfigSchema.prefault({}).describe('Seed, backend and run length.'),
    data: DataConfigSchema.prefault({}).describe('The data source: the built-in world (default) or a corpus built by `realm corpus build`.'),
    init: InitConfigSchema.prefault({}).describe('Starting weights of the reader and the embedder (random by default).'),
    world: WorldConfigSchema.prefault({}).describe('The built-in synthetic world the launcher generates when data.corpus is null (X = its pre-training sentences, Z = its documents).'),
    vocab: CorpusVocabConfigSchema.prefault({}).describe("The world's WordPiece vocab, built from its own text (it ships no BERT vocab)."),
    dims: PretrainDimsSchema.prefault({}).describe('Example dimensions shared by generators, trainer and refresher.'),
    masking: MaskingConfigSchema.prefault({}).describe("Query masking: 'salient' (REALM) or the random_token / random_span ablations."),
    model: RealmModelConfigSchema.prefault({}).describe('Retriever embedder and reader sizes.'),
    train: RealmTrainConfigSchema.prefault({}).describe('Optimizer, schedule, checkpoint/eval/export cadence.'),
    ict: IctConfigSchema.prefault({}).describe('ICT warm start of the embedder before the first index exists (bootstrap); maxSeconds bounds it.'),
    readerMlm: ReaderMlmConfigSchema.prefault({}).describe("Masked-LM warm start of the reader on the corpus (bootstrap, after ICT): the BERT pre-training REALM's reader starts from; maxSeconds bounds it, numTrainSteps 0 skips it."),
    generator: GeneratorConfigSchema.prefault({}).describe('Example generators.'),
    refresher: RefresherConfigSchema.prefault({}).describe('Document index refresher.'),
  })
  .superRefine((config, ctx) => {
    // The dims appear in four package schemas. They must agree with `dims`: the RPC's examples are
    // positional (model, train, masking), and the reader's warm start must use the positions and
    // segments REALM training will (readerMlm).
    const copies: Array<[string, Record<string, unknown>, Array<keyof z.infer<typeof PretrainDimsSchema>>]> = [
      ['model', config.model, ['querySeqLen', 'candidateSeqLen', 'numCandidates', 'maxMasks']],
      ['train', config.train, ['querySeqLen', 'candidateSeqLen', 'numCandidates', 'maxMasks']],
      ['masking', config.masking, ['querySeqLen', 'maxMasks']],
      ['readerMlm', config.readerMlm, ['querySeqLen', 'candidateSeqLen', 'maxMasks']],
    ];
    for (const [section, values, keys] of copies) {
      for (const key of keys) {
        if (values[key] !== config.dims[key]) {
          ctx.addIssue({ code: 'custom', path: [section, key], message: `${section}.${key} = ${String(values[key])} disagrees with dims.${key} = ${config.dims[key]}; set dims.${key} instead` });
        }
      }
    }
    if (config.train.shareEmbedders !== config.model.shareEmbedders) {
      ctx.addIssue({ code: 'custom', path: ['train', 'shareEmbedders'], message: 'train.shareEmbedders and model.shareEmbedders must agree' });
    }
  })
  .readonly();

export type PretrainConfig = z.infer<typeof PretrainConfigSchema>;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/**
 * The recipe for this machine (2 CPU cores, tfjs): 2-layer encoders of width 128, ICT warm start
 * of the embedder for 90 s (batch 128) without dropout, 2 candidates (∅ + the top MIPS block), batch 16, reader
 * lr 1e-3 with Adam's bias correction and the embedder 10× lower, an index refresh every 20 steps,
 * and a 570 s wall-clock budget for the whole run. Sequence lengths fit the world (queries ≤ 14
 * wordpieces + [CLS]/[SEP], documents ≤ 62 with the title). docs/results.md has the measurements.
 */
export const MACHINE_RECIPE: JsonObject = {
  // The run ends at the budget (or 1500 steps); the schedule runs over 1500 steps, so the rate is
  // still high when the budget ends it.
  run: { steps: 1500, maxSeconds: 570, finalEvalSteps: 24 },
  // K = 2: with this retriever the top block is the gold one for 48% of held-out queries, which
  // then get p(gold|x) ≈ 1; with K = 4 or 8 the mean p(gold|x) falls to 0.27 or 0.18 (the softmax
  // spreads over near misses) while a step costs 1.5× or 2.5× as much.
  dims: { querySeqLen: 16, candidateSeqLen: 64, numCandidates: 2, maxMasks: 6 },
  model: {
    // Width 128: after 90 s of ICT the gold block is the top MIPS result for 48% of the held-out
    // pre-training queries and in the top 7 for 76%; width 64 reached 16% and 49% after 45 s, and
    // 41% in the top 3 (66% at width 128) after 90 s.
    embedder: { hidden_size: 128, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 256, max_position_embeddings: 128 },
    // No reader dropout: a few hundred steps are far from overfitting, and noise slows them.
    // initializer_range 0.05 gives a word embedding the norm BERT-base's 0.02 gives at width 768
    // (0.05·√128 ≈ 0.02·√768 ≈ 0.56). The masked-LM head is tied to these embeddings, so this
    // bounds how far copying a document's word can raise its logit: with it the world oracle
    // (gold document always present) reads sooner (held-out accuracy 0.143 against 0.083 at
    // step 300; null document 0.054 and 0.047).
    reader: {
      hidden_size: 128, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 256, max_position_embeddings: 128,
      hidden_dropout_prob: 0, attention_probs_dropout_prob: 0, initializer_range: 0.05,
    },
  },
  train: {
    // Adam's bias correction: the synthetic one-hop reading task (tools/experiments/reader-copy.ts,
    // 300 steps) reaches accuracy 1.00 with it where BERT's optimizer at its best rate reaches 0.20.
    // Rate 5e-4, not 1e-3: in the world oracle (gold document always present) every reader
    // initialisation tried (4 of 4, the bootstrap's included) starts reading by step 400-550 at
    // 5e-4, while at 1e-3 three of five read by step 300-400 and two had not by step 700-900
    // (docs/results.md); 3e-4 starts later (about step 500).
    learningRate: 5e-4,
    adamBiasCorrection: true,
    numWarmupSteps: 100,
    // At reader lr 2e-3 without bias correction an embedder multiplier of 0.1 destroyed the ICT
    // retriever within 40 steps (answer-in-top-7 0.69 → 0.16); 0.1 of 1e-3 holds it.
    embedderLearningRateMultiplier: 0.1,
    batchSize: 16,
    evalBatchSize: 16,
    saveCheckpointsSteps: 40,
    evalEverySteps: 40,
    numEvalSteps: 8,
    indexRefreshEverySteps: 20,
    keepCheckpointMax: 3,
    keepLatestExports: 3,
    keepBestExports: 2,
    // Embedder dropout puts noise of several logits into the retrieval scores (inner products of
    // LayerNormed 128-d vectors, so a score spans ±128), drowning p(z|x) from a young embedder.
    embedderDropoutInTraining: false,
  },
  // ICT from random init: with dropout the score noise (initial loss ≈ 13 for batch 32, chance
  // 3.47) swamps the tiny initial signal and nothing is learned; without it and at lr ≤ 6e-4 (the
  // ±128 score range makes 1e-3 unstable) in-batch accuracy passes 0.85 in ~80 s at width 128.
  // numTrainSteps is beyond what maxSeconds allows, so the rate is still high when time runs out.
  // Batch 128: 127 in-batch negatives per pseudo-query make the embedder tell names apart finely
  // enough for the whole corpus; in the same 90 s the gold block becomes the top MIPS result for
  // 73% of held-out pre-training queries (batch 32: 43%; batch 256: 73%).
  // queryMaskProb 0.15: pseudo-queries carry [MASK] as REALM's queries do. Without it the gold block
  // is the top MIPS result for 69% of held-out masked queries after 180 s of ICT (83% with the
  // [MASK] pieces deleted from the query: the untrained [MASK] embedding pulls queries toward
  // unrelated blocks); with it, 88% after 90 s.
  ict: { maxSeconds: 90, batchSize: 128, learningRate: 6e-4, numTrainSteps: 1000, numWarmupSteps: 5, dropoutInTraining: false, queryMaskProb: 0.15 },
  // The reader's masked-LM warm start is off: 60 s of it (171 steps) did not make the world oracle
  // read sooner (docs/results.md). `--readerMlm.numTrainSteps=2000` turns it on with these settings.
  readerMlm: { numTrainSteps: 0, maxSeconds: 60, batchSize: 32, learningRate: 1e-3, numWarmupSteps: 20, adamBiasCorrection: true, dropoutInTraining: false },
  generator: { queueSize: 48, retrievalBatchSize: 16 },
};

/** Deep merge of plain JSON objects; arrays and scalars in `over` replace those in `base`. */
export function mergeJson(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value) && current !== null && typeof current === 'object' && !Array.isArray(current)
        ? mergeJson(current, value)
        : value;
  }
  return out;
}

/** Parses one `a.b.c=value` override; the value is JSON when it parses as JSON, else a string. */
export function parseOverride(text: string): JsonObject {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`config override '${text}': expected key.path=value`);
  const path = text.slice(0, eq).replace(/^--/, '').split('.');
  if (path.some((part) => part === '' || part === '__proto__' || part === 'constructor' || part === 'prototype')) {
    throw new Error(`config override '${text}': bad key path`);
  }
  const raw = text.slice(eq + 1);
  let value: Json;
  try {
    value = JSON.parse(raw) as Json;
  } catch {
    value = raw;
  }
  return path.reduceRight<Json>((inner, key) => ({ [key]: inner }), value) as JsonObject;
}

/** Copies `dims` into the package schemas that repeat them (unless they were set explicitly). */
function propagateDims(input: JsonObject): JsonObject {
  const dims = PretrainDimsSchema.parse(input.dims ?? {});
  const fill = (section: string, keys: Array<keyof typeof dims>): JsonObject => {
    const current = (input[section] ?? {}) as JsonObject;
    const filled: JsonObject = {};
    for (const key of keys) filled[key] = dims[key];
    return { ...filled, ...current };
  };
  const all = ['querySeqLen', 'candidateSeqLen', 'numCandidates', 'maxMasks'] as const;
  const steps = ((input.run ?? {}) as JsonObject).steps;
  const train = fill('train', [...all]);
  if (typeof steps === 'number' && train.numTrainSteps === undefined) train.numTrainSteps = steps;
  const ict = { querySeqLen: dims.querySeqLen, blockSeqLen: dims.candidateSeqLen, ...((input.ict ?? {}) as JsonObject) };
  return {
    ...input,
    model: fill('model', [...all]),
    train,
    masking: fill('masking', ['querySeqLen', 'maxMasks']),
    ict,
    readerMlm: fill('readerMlm', ['querySeqLen', 'candidateSeqLen', 'maxMasks']),
  };
}

/**
 * The run config: the machine recipe, then `base` (e.g. a saved config.json), then the overrides;
 * `dims` and `run.steps` are copied into the sections that repeat them. Errors name every bad field.
 */
export function buildPretrainConfig(overrides: readonly string[] = [], base: JsonObject = MACHINE_RECIPE): PretrainConfig {
  let input = base;
  for (const override of overrides) input = mergeJson(input, parseOverride(override));
  const result = PretrainConfigSchema.safeParse(propagateDims(input));
  if (!result.success) throw new Error(`pretrain config: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** Reads a saved config.json (exactly as written: no recipe is merged under it). */
export async function readPretrainConfig(path: string): Promise<PretrainConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`pretrain config ${path}: ${(error as Error).message} (run \`realm pretrain all\` or \`realm pretrain prepare\` first)`, { cause: error });
  }
  let saved: JsonObject;
  try {
    saved = JSON.parse(text) as JsonObject;
  } catch (error) {
    throw new Error(`pretrain config ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (saved === null || typeof saved !== 'object' || Array.isArray(saved)) throw new Error(`pretrain config ${path}: expected a JSON object`);
  // Runs from before the reader warm start existed had none: say so instead of taking its defaults.
  if (saved.readerMlm === undefined && saved.dims !== null && typeof saved.dims === 'object' && !Array.isArray(saved.dims)) {
    const { querySeqLen, candidateSeqLen, maxMasks } = saved.dims;
    saved.readerMlm = { querySeqLen, candidateSeqLen, maxMasks, numTrainSteps: 0 } as JsonObject;
  }
  const result = PretrainConfigSchema.safeParse(saved);
  if (!result.success) throw new Error(`pretrain config ${path}: ${z.prettifyError(result.error)}`);
  return result.data;
}
