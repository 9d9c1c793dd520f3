// Starting a run from a pre-trained BERT (init.bert), as REALM starts its reader from BERT and its
// embedder from a BERT-initialized ICT module: google-research/bert's TF checkpoint layout in, a
// REALM model with the checkpoint's encoder in the reader and the embedder out. Heads the
// checkpoint lacks (the embedder's 128-d projection; the MLM head of an encoder-only checkpoint)
// start fresh, and the log says which.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { disposeBertModel, loadBertFromTfCheckpoint, readBertConfig, type BertConfig, type BertHeadsInput, type BertModel, type RandomSource } from '@realm/bert';
import { createRealmModel, type RealmModel } from '@realm/model';
import type { PretrainConfig } from './config.js';

/** A resolved TF BERT checkpoint: its prefix (without .index) and its bert_config.json. */
export interface BertCheckpoint {
  prefix: string;
  configPath: string;
  config: BertConfig;
}

/**
 * Resolves `path`: a directory holding bert_config.json and one checkpoint (bert_model.ckpt, or
 * the only *.index there), or a checkpoint prefix with bert_config.json in its directory.
 */
export async function resolveBertCheckpoint(path: string): Promise<BertCheckpoint> {
  let prefix: string;
  if (existsSync(path) && statSync(path).isDirectory()) {
    if (existsSync(join(path, 'bert_model.ckpt.index'))) {
      prefix = join(path, 'bert_model.ckpt');
    } else {
      const indexes = readdirSync(path).filter((name) => name.endsWith('.index'));
      if (indexes.length !== 1) {
        throw new Error(`init.bert: ${path} holds ${indexes.length === 0 ? 'no' : `${indexes.length}`} checkpoint index files (*.index); name the checkpoint prefix, e.g. ${join(path, 'bert_model.ckpt')}`);
      }
      prefix = join(path, indexes[0].slice(0, -'.index'.length));
    }
  } else {
    prefix = path.endsWith('.index') ? path.slice(0, -'.index'.length) : path;
    if (!existsSync(`${prefix}.index`)) throw new Error(`init.bert: ${path} is neither a checkpoint directory nor a checkpoint prefix (no ${prefix}.index)`);
  }
  const configPath = join(dirname(prefix), 'bert_config.json');
  if (!existsSync(configPath)) throw new Error(`init.bert: no bert_config.json beside the checkpoint ${prefix} (expected ${configPath})`);
  return { prefix, configPath, config: await readBertConfig(configPath) };
}

/**
 * The REALM model of `config` with every BERT variable the checkpoint has: the reader with its MLM
 * head, the embedder (and the document embedder, when not shared) with pooler and projection.
 */
export async function loadRealmModelFromBert(checkpoint: BertCheckpoint, config: PretrainConfig, rng: RandomSource, log: (line: string) => void): Promise<RealmModel> {
  const loaded: BertModel[] = [];
  const load = async (what: string, bertConfig: BertConfig, heads: BertHeadsInput): Promise<BertModel> => {
    const { model, report } = await loadBertFromTfCheckpoint(checkpoint.prefix, bertConfig, { heads, initializeMissing: rng });
    loaded.push(model);
    const fresh = report.missing.length === 0 ? '' : `; new (not in the checkpoint): ${report.missing.join(', ')}`;
    log(`init: ${what} ← ${checkpoint.prefix}: ${report.loaded.length} variables${fresh}`);
    return model;
  };
  try {
    const embedderHeads = { pooler: true, maskedLm: false, projection: config.model.projection };
    const reader = await load('reader', config.model.reader, { pooler: false, maskedLm: true });
    const embedder = await load('embedder', config.model.embedder, embedderHeads);
    const documentEmbedder = config.model.shareEmbedders ? undefined : await load('document embedder', config.model.embedder, embedderHeads);
    return createRealmModel(config.model, rng, { reader, embedder, ...(documentEmbedder && { documentEmbedder }) });
  } catch (error) {
    for (const model of loaded) disposeBertModel(model);
    throw error;
  }
}
