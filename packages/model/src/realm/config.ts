// The shape of a REALM model: the retriever embedder (BERT + 128-d projection, ORQA's ICT module),
// the knowledge-augmented encoder (BERT + masked-LM head) and the example dimensions they read.
// Ports the module/flag wiring of language/realm/model.py model_fn and train_realm.py.
import { BertConfigSchema, ProjectionHeadConfigSchema } from '@realm/bert';
import { z } from 'zod';

/**
 * REALM model configuration. BERT sizes default to BERT-base (the paper); the local launcher and
 * CPU runs choose smaller ones (e.g. BERT_PRESETS.tiny). Example dimensions default to the
 * launcher's values, which the reference requires as flags.
 */
export const RealmModelConfigSchema = z
  .strictObject({
    embedder: BertConfigSchema.prefault({}).describe(
      'BERT of the retriever embedder Embed(x), Embed(z) (the "embedder" hub module, warm-started from ICT); paper BERT-base',
    ),
    projection: ProjectionHeadConfigSchema.prefault({}).describe(
      'The embedder projection head: pooled output → dense(128) → LayerNorm (eps 1e-3) → dropout 0.1 (ict_model.py module_fn)',
    ),
    reader: BertConfigSchema.prefault({}).describe(
      'BERT of the knowledge-augmented encoder p(y|z,x) with its masked-LM head (the "bert" hub module); paper BERT-base',
    ),
    shareEmbedders: z
      .boolean()
      .default(true)
      .describe('One embedder for queries and documents (share_embedders, default true); false gives separate query and document embedders'),
    numCandidates: z.int().min(1).default(8).describe('Candidates per query including the null document at index 0 (num_candidates; paper 8)'),
    querySeqLen: z.int().min(3).default(96).describe('Query length Q with [CLS] and [SEP] (query_seq_len; launcher 96)'),
    candidateSeqLen: z.int().min(3).default(288).describe('Candidate length C: [CLS] title [SEP] body [SEP] (candidate_seq_len; launcher 288)'),
    maxMasks: z.int().min(1).default(10).describe('MLM prediction slots per query (max_masks; launcher 10)'),
  })
  .superRefine((config, ctx) => {
    const joint = config.querySeqLen + config.candidateSeqLen;
    if (joint > config.reader.max_position_embeddings) {
      ctx.addIssue({
        code: 'custom',
        path: ['reader', 'max_position_embeddings'],
        message: `the reader reads joint inputs of querySeqLen + candidateSeqLen = ${joint} positions but max_position_embeddings is ${config.reader.max_position_embeddings}`,
      });
    }
    const longest = Math.max(config.querySeqLen, config.candidateSeqLen);
    if (longest > config.embedder.max_position_embeddings) {
      ctx.addIssue({
        code: 'custom',
        path: ['embedder', 'max_position_embeddings'],
        message: `the embedder reads sequences of ${longest} positions but max_position_embeddings is ${config.embedder.max_position_embeddings}`,
      });
    }
    if (config.embedder.vocab_size !== config.reader.vocab_size) {
      ctx.addIssue({
        code: 'custom',
        path: ['reader', 'vocab_size'],
        message: `embedder and reader share one WordPiece vocabulary, but their vocab_size differ (${config.embedder.vocab_size} vs ${config.reader.vocab_size})`,
      });
    }
  })
  .readonly();

export type RealmModelConfig = z.infer<typeof RealmModelConfigSchema>;
export type RealmModelConfigInput = z.input<typeof RealmModelConfigSchema>;

/** Parses a REALM model config; errors name `source` and every offending field. */
export function parseRealmModelConfig(value: unknown, source = 'REALM model config'): RealmModelConfig {
  const result = RealmModelConfigSchema.safeParse(value);
  if (!result.success) throw new Error(`${source}: invalid REALM model config\n${z.prettifyError(result.error)}`);
  return result.data;
}
