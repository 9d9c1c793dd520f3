// Test helper: writes a tiny directory in the layout of Google's released REALM pre-trained model
// (gs://realm-data/cc_news_pretrained): bert/ and embedder/ TF1 Hub modules (variables/, assets/vocab.txt)
// with the TF variable names the HF REALM converter reads, embedder/encoded/encoded.ckpt, and ORQA's
// blocks.tfr / titles.tfr. Values are seeded random except where a test needs them known.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bertConfigToJson, bertVariableSpecs, BertConfigSchema, type BertConfig } from '@realm/bert';
import { writeCheckpoint, writeTfRecordFile, type TensorToWrite } from '@realm/data';
import { createRng, type Rng } from '@realm/tokenizer';

export const PROJECTION_SIZE = 128;

/**
 * Reader: hidden 16, 2 heads (not inferable from shapes: its module carries a bert_config.json).
 * Embedder: hidden 64, so its config is inferred (64 per head: 1 head), as for a real module.
 */
export const READER_SIZES = { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 128, hidden_act: 'gelu_tanh' } as const;
export const EMBEDDER_SIZES = { hidden_size: 64, num_hidden_layers: 1, num_attention_heads: 1, intermediate_size: 32, max_position_embeddings: 128, hidden_act: 'gelu_tanh' } as const;

export interface GoogleLayout {
  dir: string;
  blocks: string;
  titles: string;
  /** Every tensor written, by its TF name in its file. */
  reader: Map<string, TensorToWrite>;
  embedder: Map<string, TensorToWrite>;
  blockEmb: Float32Array;
  /** pooler bias of the embedder (its pooler kernel is zero, so pooled = tanh(this) for every input). */
  poolerBias: Float32Array;
  vocab: string[];
  texts: string[];
  titleTexts: string[];
}

function randomValues(rng: Rng, count: number, scale: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (rng.next() * 2 - 1) * scale;
  return out;
}

const tensor = (shape: number[], data: Float32Array): TensorToWrite => ({ dtype: 'float32', shape, data });

/** Random tensors for a BERT's canonical variables, renamed by `rename`. */
function bertTensors(config: BertConfig, rng: Rng, rename: (canonical: string) => string): Map<string, TensorToWrite> {
  const out = new Map<string, TensorToWrite>();
  for (const spec of bertVariableSpecs(config, { pooler: true, maskedLm: true, nextSentence: false, projection: null })) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = spec.init === 'ones' ? new Float32Array(size).map(() => 1 + (rng.next() - 0.5) * 0.2) : randomValues(rng, size, 0.1);
    out.set(rename(spec.name), tensor(spec.shape, values));
  }
  return out;
}

/** Lower-case words and punctuation of `texts`, after BERT's special tokens: a vocab every text tokenizes into. */
function vocabFor(texts: readonly string[]): string[] {
  const words = new Set<string>();
  for (const text of texts) for (const token of text.toLowerCase().match(/[a-z0-9]+|[^\sa-z0-9]/g) ?? []) words.add(token);
  return ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...[...words].sort()];
}

/**
 * Writes the layout under `dir`. `texts`/`titleTexts` are the corpus; `extraText` only widens the vocab
 * (e.g. the questions). `blockEmbRows` overrides the rows of block_emb (for a mismatch).
 */
export async function writeGoogleLayout(dir: string, corpus: { texts: string[]; titleTexts: string[]; extraText?: string[]; blockEmbRows?: number; seed?: number }): Promise<GoogleLayout> {
  const rng = createRng(corpus.seed ?? 5);
  const vocab = vocabFor([...corpus.texts, ...corpus.titleTexts, ...(corpus.extraText ?? [])]);
  const readerConfig = BertConfigSchema.parse({ ...READER_SIZES, vocab_size: vocab.length });
  const embedderConfig = BertConfigSchema.parse({ ...EMBEDDER_SIZES, vocab_size: vocab.length });

  // bert/: google-research/bert names at the top level (bert/…, cls/predictions/…).
  const reader = bertTensors(readerConfig, rng, (name) => name);
  reader.set('global_step', { dtype: 'int64', shape: [], data: new BigInt64Array([1000n]) });
  // embedder/: BERT nested three hub levels down, the 128-d projection two levels down (HF load_tf_weights_in_realm).
  const embedder = bertTensors(embedderConfig, rng, (name) => `module/module/module/${name}`);
  const H = embedderConfig.hidden_size;
  const poolerBias = randomValues(rng, H, 1.5);
  embedder.set('module/module/module/bert/pooler/dense/kernel', tensor([H, H], new Float32Array(H * H)));
  embedder.set('module/module/module/bert/pooler/dense/bias', tensor([H], poolerBias));
  // Small weights keep the projected variance near Keras's epsilon 1e-3, so the epsilon shows in the output.
  embedder.set('module/module/dense/kernel', tensor([H, PROJECTION_SIZE], randomValues(rng, H * PROJECTION_SIZE, 0.01)));
  embedder.set('module/module/dense/bias', tensor([PROJECTION_SIZE], randomValues(rng, PROJECTION_SIZE, 0.01)));
  embedder.set('module/module/LayerNorm/gamma', tensor([PROJECTION_SIZE], new Float32Array(PROJECTION_SIZE).map(() => 1 + (rng.next() - 0.5) * 0.5)));
  embedder.set('module/module/LayerNorm/beta', tensor([PROJECTION_SIZE], randomValues(rng, PROJECTION_SIZE, 0.1)));

  const rows = corpus.blockEmbRows ?? corpus.texts.length;
  const blockEmb = randomValues(rng, rows * PROJECTION_SIZE, 1);
  for (const [module, tensors] of [['bert', reader], ['embedder', embedder]] as const) {
    mkdirSync(join(dir, module, 'variables'), { recursive: true });
    mkdirSync(join(dir, module, 'assets'), { recursive: true });
    await writeCheckpoint(join(dir, module, 'variables', 'variables'), tensors);
    // CRLF line ends, as the vocab of some REALM releases has them.
    writeFileSync(join(dir, module, 'assets', 'vocab.txt'), vocab.map((t) => `${t}\r\n`).join(''));
    writeFileSync(join(dir, module, 'saved_model.pb'), '');
    writeFileSync(join(dir, module, 'tfhub_module.pb'), '');
  }
  writeFileSync(join(dir, 'bert', 'bert_config.json'), bertConfigToJson(readerConfig));
  mkdirSync(join(dir, 'embedder', 'encoded'), { recursive: true });
  await writeCheckpoint(join(dir, 'embedder', 'encoded', 'encoded.ckpt'), { block_emb: tensor([rows, PROJECTION_SIZE], blockEmb) });

  const corpusDir = join(dir, '..', `${dir.split('/').pop()}-corpus`);
  mkdirSync(corpusDir, { recursive: true });
  const utf8 = new TextEncoder();
  const blocks = join(corpusDir, 'blocks.tfr');
  const titles = join(corpusDir, 'titles.tfr');
  await writeTfRecordFile(blocks, corpus.texts.map((t) => utf8.encode(t)));
  await writeTfRecordFile(titles, corpus.titleTexts.map((t) => utf8.encode(t)));
  return { dir, blocks, titles, reader, embedder, blockEmb, poolerBias, vocab, texts: corpus.texts, titleTexts: corpus.titleTexts };
}

/** Keras LayerNormalization of `x` (biased variance) with `epsilon`, in float64. */
export function layerNormByHand(x: readonly number[], gamma: ArrayLike<number>, beta: ArrayLike<number>, epsilon: number): number[] {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + epsilon)) * gamma[i] + beta[i]);
}
