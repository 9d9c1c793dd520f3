// The REALM model: query/document embedders (shared by default) and the reader, with every variable
// under one prefixed name so an optimizer and a checkpoint can address them. Ports the module
// creation of language/realm/model.py model_fn (hub modules "embedder", "query_embedder", "bert").
import type * as tf from '@tensorflow/tfjs-core';
import { createBertModel, disposeBertModel, type BertModel, type RandomSource } from '@realm/bert';
import { RealmModelConfigSchema, type RealmModelConfig, type RealmModelConfigInput } from './config.js';

/** Variable-name prefixes of the three parts (the reference's hub module scopes). */
export const REALM_VARIABLE_PREFIXES = Object.freeze({
  /** The query embedder; when embedders are shared, the one embedder for queries and documents. */
  queryEmbedder: 'embedder/',
  /** The document embedder when shareEmbedders is false (the one the index is built with). */
  documentEmbedder: 'doc_embedder/',
  /** The knowledge-augmented encoder. */
  reader: 'reader/',
});

/**
 * The trainable parts. `documentEmbedder === queryEmbedder` when `config.shareEmbedders`; the
 * model owns all of them (free with disposeRealmModel).
 */
export interface RealmModel {
  readonly config: RealmModelConfig;
  readonly queryEmbedder: BertModel;
  readonly documentEmbedder: BertModel;
  readonly reader: BertModel;
}

/** Already-built parts to use instead of fresh ones (e.g. an ICT-trained embedder, a pretrained BERT reader). */
export interface RealmModelParts {
  /** Used as the query embedder, and as the document embedder too when embedders are shared. */
  embedder?: BertModel;
  /** The document embedder when shareEmbedders is false (defaults to a fresh one). */
  documentEmbedder?: BertModel;
  reader?: BertModel;
}

function checkPart(role: string, model: BertModel, expected: RealmModelConfig['embedder'], needs: { projection?: number; maskedLm?: boolean }): void {
  for (const key of Object.keys(expected) as Array<keyof typeof expected>) {
    if (model.config[key] !== expected[key]) {
      throw new Error(`createRealmModel: the given ${role} has ${String(key)} = ${String(model.config[key])}, the REALM config says ${String(expected[key])}`);
    }
  }
  if (needs.projection !== undefined && model.heads.projection?.size !== needs.projection) {
    throw new Error(`createRealmModel: the given ${role} needs a projection head of size ${needs.projection} (it has ${model.heads.projection ? `size ${model.heads.projection.size}` : 'none'})`);
  }
  if (needs.maskedLm && !model.heads.maskedLm) throw new Error(`createRealmModel: the given ${role} needs a masked-LM head`);
}

/**
 * Builds a REALM model from `config`. Fresh parts use modeling.py's initializers drawn from `rng`
 * (embedder first, then the document embedder if separate, then the reader); parts passed in
 * `parts` are checked against the config and adopted (the model then owns them).
 */
export function createRealmModel(configInput: RealmModelConfigInput, rng: RandomSource, parts: RealmModelParts = {}): RealmModel {
  const config = RealmModelConfigSchema.parse(configInput);
  const embedderHeads = { pooler: true, maskedLm: false, projection: config.projection };
  if (parts.embedder) checkPart('embedder', parts.embedder, config.embedder, { projection: config.projection.size });
  if (parts.documentEmbedder) {
    if (config.shareEmbedders) throw new Error('createRealmModel: a separate documentEmbedder was given but shareEmbedders is true');
    checkPart('document embedder', parts.documentEmbedder, config.embedder, { projection: config.projection.size });
  }
  if (parts.reader) checkPart('reader', parts.reader, config.reader, { maskedLm: true });
  const queryEmbedder = parts.embedder ?? createBertModel(config.embedder, { rng, heads: embedderHeads });
  const documentEmbedder = config.shareEmbedders
    ? queryEmbedder
    : (parts.documentEmbedder ?? createBertModel(config.embedder, { rng, heads: embedderHeads }));
  // The reader needs no pooler: REALM reads only the MLM logits of the joint inputs.
  const reader = parts.reader ?? createBertModel(config.reader, { rng, heads: { pooler: false, maskedLm: true } });
  return { config, queryEmbedder, documentEmbedder, reader };
}

/** Frees every variable of the model (a shared embedder once). */
export function disposeRealmModel(model: RealmModel): void {
  disposeBertModel(model.queryEmbedder);
  if (model.documentEmbedder !== model.queryEmbedder) disposeBertModel(model.documentEmbedder);
  disposeBertModel(model.reader);
}

/**
 * Every variable of the model under a unique prefixed name: 'embedder/<bert name>' (the query
 * embedder, or the shared one), 'doc_embedder/<bert name>' (only when not shared) and
 * 'reader/<bert name>'. The map holds the model's own variables (no copies).
 */
export function realmVariables(model: RealmModel): Map<string, tf.Variable> {
  const named = new Map<string, tf.Variable>();
  const add = (prefix: string, part: BertModel): void => {
    for (const [name, variable] of part.variables) named.set(`${prefix}${name}`, variable);
  };
  add(REALM_VARIABLE_PREFIXES.queryEmbedder, model.queryEmbedder);
  if (model.documentEmbedder !== model.queryEmbedder) add(REALM_VARIABLE_PREFIXES.documentEmbedder, model.documentEmbedder);
  add(REALM_VARIABLE_PREFIXES.reader, model.reader);
  return named;
}
