// A tiny open-domain QA world for the ORQA tests: "<Author> wrote <Title>." blocks, "who wrote
// <Title>?" questions, the real WordPiece tokenizer (with a "##s" piece so spans map back to whole
// original tokens), ORQA reader packing and gold spans from @realm/tokenizer, and a brute-force index.
import { BertConfigSchema, createBertModel, type BertConfig, type BertModel } from '@realm/bert';
import type { BertInputs as FlatBertInputs } from '@realm/data';
import { ExactMipsIndex } from '@realm/mips';
import { createRng, FullTokenizer, findAnswerSpans, packCandidate, packReaderInputs, tokenizeWithOriginalMapping, Vocab, type OriginalMapping, type Rng } from '@realm/tokenizer';
import type { OrqaConfigInput } from '../config.js';
import type { OrqaBlockSource, OrqaExample, OrqaReaderBlock } from '../forward.js';
import { createOrqaModel, type OrqaModel } from '../orqa-model.js';

const AUTHORS = ['Ann', 'Bob', 'Cy', 'Dee', 'Eve', 'Fay'];
const TITLES = ['Oaks', 'Elms', 'Ash', 'Firs', 'Yew', 'Ivy'];
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'who', 'wrote', '?', '.', '##s', ...AUTHORS.map((a) => a.toLowerCase()), 'oak', 'elm', 'ash', 'fir', 'yew', 'ivy'];

export const WORLD_TOKENIZER = new FullTokenizer(new Vocab(VOCAB));
export const WORLD_IDS = WORLD_TOKENIZER.vocab.specialTokenIds();
export const WORLD_VOCAB_SIZE = VOCAB.length;

/** Block i: "<AUTHORS[i]> wrote <TITLES[i]>." */
export const WORLD_BLOCKS: readonly string[] = AUTHORS.map((author, i) => `${author} wrote ${TITLES[i]}.`);

/** Question i asks for the author of TITLES[i]; the answer is AUTHORS[i], found only in block i. */
export function worldExample(i: number): OrqaExample {
  const question = `who wrote ${TITLES[i]}?`;
  const ids = WORLD_TOKENIZER.encodeIds(question);
  return { question, answers: [AUTHORS[i]], questionInputIds: Int32Array.from([WORLD_IDS.cls, ...ids, WORLD_IDS.sep]) };
}

/** A question whose answer is the (two-wordpiece) title: "who wrote" is not asked, the title is. */
export function worldTitleExample(i: number): OrqaExample {
  return { ...worldExample(i), answers: [TITLES[i]] };
}

export const WORLD_READER_SEQ_LEN = 16;

const mappings = WORLD_BLOCKS.map((text) => tokenizeWithOriginalMapping(WORLD_TOKENIZER, text));

/** The world's blocks for the model: reader inputs with gold spans and the original-token mapping. */
export class WorldBlocks implements OrqaBlockSource {
  readonly mappings: readonly OriginalMapping[] = mappings;

  text(id: number): string {
    return WORLD_BLOCKS[id];
  }

  readerInputs(example: OrqaExample, id: number): OrqaReaderBlock {
    const mapping = mappings[id];
    const questionIds = WORLD_TOKENIZER.encodeIds(example.question);
    const packed = packReaderInputs(questionIds, mapping.tokenIds, WORLD_IDS, WORLD_READER_SEQ_LEN, mapping.tokenMap);
    const goldSpans = example.answers.flatMap((answer) => findAnswerSpans(packed, WORLD_TOKENIZER.encodeIds(answer)));
    return { ...packed, goldSpans, originalTokens: mapping.originalTokens };
  }

  documentInputs(id: number): FlatBertInputs {
    const packed = packCandidate([], mappings[id].tokenIds, WORLD_IDS, 12);
    return { tokenIds: packed.tokenIds, mask: packed.inputMask, segmentIds: packed.segmentIds };
  }
}

/** Tiny BERT sizes (distinct so a swapped axis fails on shape). */
export function worldBertConfig(hidden: number, dropout = 0.1): BertConfig {
  return BertConfigSchema.parse({
    hidden_dropout_prob: dropout,
    attention_probs_dropout_prob: dropout,
    vocab_size: WORLD_VOCAB_SIZE,
    hidden_size: hidden,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: hidden + 4,
    max_position_embeddings: 20,
  });
}

export const WORLD_PROJECTION = 6;

export function worldEmbedder(rng: Rng, dropout = 0.1): BertModel {
  return createBertModel(worldBertConfig(10, dropout), { rng, heads: { pooler: true, maskedLm: false, projection: { size: WORLD_PROJECTION, dropoutProb: dropout } } });
}

export function worldReader(rng: Rng, dropout = 0.1): BertModel {
  return createBertModel(worldBertConfig(12, dropout), { rng, heads: { pooler: false, maskedLm: true } });
}

/**
 * The frozen index: one random N(0, 1) vector per block (ORQA's index comes from ICT pre-training;
 * a freshly initialised tiny embedder would give every block nearly the same vector), in an exact
 * single-thread MIPS index.
 */
export function worldIndex(rng: Rng): ExactMipsIndex {
  const vectors = new Float32Array(WORLD_BLOCKS.length * WORLD_PROJECTION);
  for (let i = 0; i < vectors.length; i += 2) {
    // Box–Muller: two normals from two uniforms.
    const radius = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const angle = 2 * Math.PI * rng.next();
    vectors[i] = radius * Math.cos(angle);
    vectors[i + 1] = radius * Math.sin(angle);
  }
  const index = new ExactMipsIndex(WORLD_PROJECTION, { threads: 1 });
  index.add(vectors);
  return index;
}

/** The ORQA config every world test starts from (each test spreads its own changes over it). */
export const WORLD_ORQA_CONFIG: OrqaConfigInput = Object.freeze({
  readerSeqLen: WORLD_READER_SEQ_LEN,
  maxSpanWidth: 3,
  spanHiddenSize: 8,
  retrieverBeamSize: 4,
  readerBeamSize: 2,
  numTrainSteps: 40,
});

/**
 * An OrqaModel of world-sized parts, all drawn from `seed`: the question encoder (and, with
 * trainDocumentEmbedder, a document embedder equal to it) from seed + 100, the reader and span head from seed.
 */
export function worldOrqaModel(config: OrqaConfigInput, seed: number, dropout = 0.1): OrqaModel {
  const rng = createRng(seed);
  const questionEmbedder = worldEmbedder(createRng(seed + 100), dropout);
  const documentEmbedder = config.trainDocumentEmbedder ? worldEmbedder(createRng(seed + 100), dropout) : undefined;
  return createOrqaModel(config, { questionEmbedder, reader: worldReader(rng, dropout), documentEmbedder }, rng);
}
