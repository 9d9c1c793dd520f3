// The ORQA model: the trainable question encoder (REALM/ICT embedder with its 128-d projection),
// the reader BERT with the span head, and optionally a document embedder for index-refresh runs.
// Ports the module wiring of language/orqa/models/orqa_model.py (retrieve(), read(), model_fn scopes).
import type * as tf from '@tensorflow/tfjs-core';
import { disposeBertModel, type BertModel, type RandomSource } from '@realm/bert';
import { OrqaConfigSchema, type OrqaConfig, type OrqaConfigInput } from './config.js';
import { createSpanHead, disposeSpanHead, type SpanHead } from './span-head.js';

/**
 * Variable-name prefixes of the parts. The reader and span head follow ORQA's checkpoint
 * (reader/module/bert/…, reader/module/cls/…, reader/dense/…, reader/layer_normalization/…,
 * reader/dense_1/…); the question encoder uses REALM's "embedder/" scope, because ORQA's own
 * hub nesting (module/module/…) is not reproducible from the released code alone.
 */
export const ORQA_VARIABLE_PREFIXES = Object.freeze({
  questionEmbedder: 'embedder/',
  documentEmbedder: 'doc_embedder/',
  reader: 'reader/module/',
  spanHead: 'reader/',
});

/** The parts; the model owns them all (free with disposeOrqaModel). */
export interface OrqaModel {
  readonly config: OrqaConfig;
  /** BERT + projection head: h_q for retrieval (fine-tuned). */
  readonly questionEmbedder: BertModel;
  /** The block encoder, only when config.trainDocumentEmbedder (else the index is frozen). */
  readonly documentEmbedder: BertModel | null;
  /** The reader BERT (its masked-LM head, if any, is carried along unused, as in ORQA's checkpoint). */
  readonly reader: BertModel;
  readonly spanHead: SpanHead;
}

/** Already-built parts; the model takes ownership of every part given. */
export interface OrqaModelParts {
  questionEmbedder: BertModel;
  reader: BertModel;
  /** Required when config.trainDocumentEmbedder (a separate copy: it is trained apart from the question encoder). */
  documentEmbedder?: BertModel;
  /** A trained span head (e.g. loaded); a fresh one is drawn from `rng` otherwise. */
  spanHead?: SpanHead;
}

/**
 * Builds an ORQA model from a question embedder and a reader BERT (e.g. a REALM export's
 * `embedder/` and `bert/`). The span head is fresh (drawn from `rng`) unless given: REALM's
 * pre-training has no span head, so ORQA fine-tuning starts it from scratch.
 */
export function createOrqaModel(configInput: OrqaConfigInput, parts: OrqaModelParts, rng: RandomSource): OrqaModel {
  const config = OrqaConfigSchema.parse(configInput);
  const { questionEmbedder, reader } = parts;
  if (!questionEmbedder.heads.projection) throw new Error('createOrqaModel: the question embedder has no projection head (it must be a REALM/ORQA embedder)');
  if (questionEmbedder === reader) throw new Error('createOrqaModel: the question embedder and the reader must be separate models');
  if (config.readerSeqLen > reader.config.max_position_embeddings) {
    throw new Error(`createOrqaModel: readerSeqLen ${config.readerSeqLen} exceeds the reader's max_position_embeddings ${reader.config.max_position_embeddings}`);
  }
  if (reader.config.type_vocab_size < 2) throw new Error('createOrqaModel: the reader needs type_vocab_size ≥ 2 (question segment 0, block segment 1)');
  const documentEmbedder = parts.documentEmbedder ?? null;
  if (config.trainDocumentEmbedder && !documentEmbedder) {
    throw new Error('createOrqaModel: trainDocumentEmbedder is set, so a documentEmbedder (a separate copy of the embedder) must be given');
  }
  if (documentEmbedder) {
    if (documentEmbedder === questionEmbedder) throw new Error('createOrqaModel: the document embedder must be a separate copy of the question embedder');
    if (documentEmbedder.heads.projection?.size !== questionEmbedder.heads.projection.size) {
      throw new Error('createOrqaModel: the document and question embedders must project to the same size');
    }
  }
  const H = reader.config.hidden_size;
  if (parts.spanHead && (parts.spanHead.inputSize !== H || parts.spanHead.hiddenSize !== config.spanHiddenSize)) {
    throw new Error(
      `createOrqaModel: the given span head is ${parts.spanHead.inputSize} → ${parts.spanHead.hiddenSize}, expected ${H} → ${config.spanHiddenSize}`,
    );
  }
  const spanHead =
    parts.spanHead ??
    createSpanHead({ inputSize: H, hiddenSize: config.spanHiddenSize, layerNormEpsilon: config.spanLayerNormEpsilon, initializerRange: config.spanInitializerRange }, rng);
  return { config, questionEmbedder, documentEmbedder, reader, spanHead };
}

/** Frees every variable of the model. */
export function disposeOrqaModel(model: OrqaModel): void {
  disposeBertModel(model.questionEmbedder);
  if (model.documentEmbedder) disposeBertModel(model.documentEmbedder);
  disposeBertModel(model.reader);
  disposeSpanHead(model.spanHead);
}

/**
 * Every variable under its prefixed name (ORQA_VARIABLE_PREFIXES), the model's own variables.
 * The document embedder appears only when it is trained (config.trainDocumentEmbedder).
 */
export function orqaVariables(model: OrqaModel): Map<string, tf.Variable> {
  const named = new Map<string, tf.Variable>();
  const add = (prefix: string, variables: ReadonlyMap<string, tf.Variable>): void => {
    for (const [name, variable] of variables) named.set(`${prefix}${name}`, variable);
  };
  add(ORQA_VARIABLE_PREFIXES.questionEmbedder, model.questionEmbedder.variables);
  if (model.documentEmbedder && model.config.trainDocumentEmbedder) add(ORQA_VARIABLE_PREFIXES.documentEmbedder, model.documentEmbedder.variables);
  add(ORQA_VARIABLE_PREFIXES.reader, model.reader.variables);
  add(ORQA_VARIABLE_PREFIXES.spanHead, model.spanHead.variables);
  return named;
}
