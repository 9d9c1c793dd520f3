// BERT hyperparameters as google-research/bert's `bert_config.json` (snake_case keys, read and written
// unchanged) and the heads a model carries. Ports modeling.py BertConfig (from_json_file, to_json_string).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/**
 * Activation names accepted in `hidden_act`.
 * - `gelu`: the exact (erf) GELU, 0.5·x·(1 + erf(x/√2)). This is what google-research/bert computed
 *   when it released its checkpoints (modeling.py from fe35475, 2018-10-31) and what Hugging Face
 *   calls "gelu".
 * - `gelu_tanh` (alias `gelu_new`, Hugging Face's name): the tanh approximation
 *   0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). google-research/bert HEAD maps "gelu" to THIS
 *   function since commit bee6030 (2019-02-07, "Adding TF Hub support"), so TF-Hub BERT modules
 *   (the ones REALM and ORQA load) compute it. To reproduce those modules exactly, use `gelu_tanh`.
 * - `relu`, `tanh`, `linear`: as modeling.py get_activation.
 */
export const HIDDEN_ACTIVATIONS = ['gelu', 'gelu_tanh', 'gelu_new', 'relu', 'tanh', 'linear'] as const;
export type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];

const probability = (): z.ZodNumber => z.number().min(0).max(1);
const positiveInt = (): z.ZodNumber => z.number().int().positive();

/**
 * google-research/bert's `bert_config.json`. Defaults are BERT-base (uncased_L-12_H-768_A-12).
 * The `directionality` and `pooler_*` keys appear in Google's multilingual and Chinese releases (and
 * in keras-bert's test checkpoint); google-research/bert stores them without using them, and so do
 * we: they are preserved on write and ignored by the model. Any other key is an error, so a typo
 * such as `hiden_size` fails instead of silently falling back to a default.
 */
export const BertConfigSchema = z
  .strictObject({
    vocab_size: positiveInt().default(30522).describe('Vocabulary size of `input_ids` (rows of bert/embeddings/word_embeddings)'),
    hidden_size: positiveInt().default(768).describe('Width H of the encoder layers and the pooler'),
    num_hidden_layers: positiveInt().default(12).describe('Number of Transformer layers L (bert/encoder/layer_0 … layer_{L-1})'),
    num_attention_heads: positiveInt().default(12).describe('Attention heads per layer; must divide hidden_size'),
    intermediate_size: positiveInt().default(3072).describe('Width of the "intermediate" (feed-forward) layer'),
    hidden_act: z.enum(HIDDEN_ACTIVATIONS).default('gelu')
      .describe('Feed-forward and MLM-transform activation: gelu = erf form; gelu_tanh / gelu_new = tanh approximation (google-research/bert HEAD)'),
    hidden_dropout_prob: probability().default(0.1).describe('Dropout probability for embeddings, attention output and feed-forward output (training only)'),
    attention_probs_dropout_prob: probability().default(0.1).describe('Dropout probability on the attention probabilities (training only)'),
    max_position_embeddings: positiveInt().default(512).describe('Longest sequence the position embedding table supports'),
    type_vocab_size: positiveInt().default(2).describe('Number of token types (segment ids) in `token_type_ids`'),
    initializer_range: z.number().positive().default(0.02).describe('Stddev of the truncated-normal initializer of kernels and embeddings'),
    directionality: z.string().optional().describe('Stored by multilingual/Chinese BERT releases; unused by BERT, preserved'),
    pooler_fc_size: positiveInt().optional().describe('Stored by multilingual/Chinese BERT releases; unused (the pooler is one dense layer), preserved'),
    pooler_num_attention_heads: positiveInt().optional().describe('Stored by multilingual/Chinese BERT releases; unused, preserved'),
    pooler_num_fc_layers: positiveInt().optional().describe('Stored by multilingual/Chinese BERT releases; unused, preserved'),
    pooler_size_per_head: positiveInt().optional().describe('Stored by multilingual/Chinese BERT releases; unused, preserved'),
    pooler_type: z.string().optional().describe('Stored by multilingual/Chinese BERT releases ("first_token_transform", which is what BERT does); preserved'),
  })
  .refine((c) => c.hidden_size % c.num_attention_heads === 0, {
    message: 'hidden_size must be a multiple of num_attention_heads',
    path: ['num_attention_heads'],
  })
  .readonly();

export type BertConfig = z.infer<typeof BertConfigSchema>;
export type BertConfigInput = z.input<typeof BertConfigSchema>;

/** The REALM/ORQA embedder head (`projected` signature): pooled → dense → LayerNorm → dropout. */
export const ProjectionHeadConfigSchema = z
  .strictObject({
    size: positiveInt().default(128).describe('Output width of the projection (ORQA/REALM projection_size = 128)'),
    layerNormEpsilon: z.number().positive().default(1e-3)
      .describe('Epsilon of the projection LayerNorm: Keras LayerNormalization default 1e-3 (ict_model.py); HF RealmEmbedder uses 1e-12'),
    dropoutProb: probability().default(0.1).describe('Dropout on the projected vector in training (ict_model.py rate=0.1)'),
  })
  .readonly();

export type ProjectionHeadConfig = z.infer<typeof ProjectionHeadConfigSchema>;

/** Which parts beyond embeddings + encoder a model has. */
export const BertHeadsSchema = z
  .strictObject({
    pooler: z.boolean().default(true).describe('bert/pooler/dense: tanh(W·h_[CLS] + b), the pooled_output'),
    maskedLm: z.boolean().default(true).describe('cls/predictions: the masked-LM head, output tied to the word embeddings'),
    nextSentence: z.boolean().default(false)
      .describe('cls/seq_relationship: the next-sentence head of BERT pre-training (Google releases ship it; REALM does not use it)'),
    projection: ProjectionHeadConfigSchema.nullable().default(null)
      .describe('The REALM/ORQA embedder projection (needs the pooler), or null for none'),
  })
  .refine((h) => h.projection === null || h.pooler, { message: 'the projection head reads pooled_output, so it needs pooler: true', path: ['projection'] })
  .refine((h) => !h.nextSentence || h.pooler, { message: 'the next-sentence head reads pooled_output, so it needs pooler: true', path: ['nextSentence'] })
  .readonly();

export type BertHeads = z.infer<typeof BertHeadsSchema>;
export type BertHeadsInput = z.input<typeof BertHeadsSchema>;

const preset = (values: BertConfigInput): BertConfig => BertConfigSchema.parse(values);

/**
 * Named configurations. `test` has deliberately distinct sizes (as bert/modeling_test.py's tester)
 * so a swapped axis fails on shape; the others are Google's released sizes (Turc et al. 2019 for
 * the small BERTs: intermediate = 4·H, heads = H/64).
 */
export const BERT_PRESETS = Object.freeze({
  test: preset({ vocab_size: 99, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 64, type_vocab_size: 3 }),
  tiny: preset({ hidden_size: 128, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 512 }),
  mini: preset({ hidden_size: 256, num_hidden_layers: 4, num_attention_heads: 4, intermediate_size: 1024 }),
  small: preset({ hidden_size: 512, num_hidden_layers: 4, num_attention_heads: 8, intermediate_size: 2048 }),
  base: preset({}),
});

export type BertPresetName = keyof typeof BERT_PRESETS;

/** Parses a bert_config.json object; errors name the source and every offending field. */
export function parseBertConfig(value: unknown, source = 'bert_config.json'): BertConfig {
  const result = BertConfigSchema.safeParse(value);
  if (!result.success) throw new Error(`${source}: invalid BERT config\n${z.prettifyError(result.error)}`);
  return result.data;
}

/** Reads `bert_config.json` (google-research/bert format). */
export async function readBertConfig(path: string): Promise<BertConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read BERT config ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseBertConfig(json, path);
}

/**
 * Serializes like BertConfig.to_json_string (json.dumps(indent=2, sort_keys=True) + "\n"), so a
 * file google-research/bert wrote comes back byte-identical (absent Python-only float spellings
 * such as 1e-05). Every field is written, defaults included.
 */
export function bertConfigToJson(config: BertConfig): string {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(config).sort()) {
    const value = (config as Record<string, unknown>)[key];
    if (value !== undefined) sorted[key] = value;
  }
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

/** Hidden width of one attention head. */
export function attentionHeadSize(config: BertConfig): number {
  return config.hidden_size / config.num_attention_heads;
}
