// `--init DIR` for Google's released REALM pre-trained model (gs://realm-data/cc_news_pretrained):
// DIR/bert (reader TF-Hub module), DIR/embedder (retriever module) with embedder/encoded/encoded.ckpt
// row-aligned to ORQA's blocks.tfr. Ports orqa_model.py's reader_module_path / retriever_module_path
// loading and the names of HF load_tf_weights_in_realm (module/module/module/bert/…, module/module/dense/…).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BertConfigSchema, disposeBertModel, loadBertFromTfCheckpoint, mapTfCheckpointNames, modelFromTensors, PROJECTION_NAMES, readBertConfig, tfBertScopes, type BertConfig, type BertModel } from '@realm/bert';
import { CheckpointReader, decodeUtf8Record, readTfRecords, type CheckpointEntry, type WorldConfig } from '@realm/data';
import { BLOCK_EMB_VARIABLE } from '@realm/mips';
import { Vocab } from '@realm/tokenizer';
import type { TextBlock } from './blocks.js';
import type { InitialOrqaParts } from './model-io.js';

/** Paths inside a Google REALM pre-trained model directory (realm-spec §5.5, orqa-spec §1.10). */
export const GOOGLE_REALM_FILES = Object.freeze({
  reader: 'bert',
  embedder: 'embedder',
  /** TF1 Hub module variables: <module>/variables/variables.{index,data-*}. */
  variables: join('variables', 'variables'),
  vocab: join('assets', 'vocab.txt'),
  /** block_emb, under the embedder module. */
  encoded: join('encoded', 'encoded.ckpt'),
  /** Not part of a Hub module: an optional google-research/bert config that overrides the inferred one. */
  bertConfig: 'bert_config.json',
});

/** The document length of ORQA/REALM's block encoder ([CLS] title [SEP] block [SEP], candidate_seq_len). */
export const ORQA_DOCUMENT_SEQ_LEN = 288;

/** Which kind of directory `--init` names. */
export type InitLayout = 'pretrain-run' | 'google-realm';

const hubIndex = (moduleDir: string): string => `${join(moduleDir, GOOGLE_REALM_FILES.variables)}.index`;

/**
 * Tells a realm-ts pre-training run (config.json at its root) from Google's module layout (bert/ or
 * embedder/ holding a TF-Hub module's variables/); anything else is an error naming what was looked for.
 */
export function detectInitLayout(dir: string): InitLayout {
  if (!existsSync(dir)) throw new Error(`--init ${dir}: no such directory`);
  const google = [GOOGLE_REALM_FILES.reader, GOOGLE_REALM_FILES.embedder].some((module) => existsSync(join(dir, module, 'variables')));
  if (google) return 'google-realm';
  if (existsSync(join(dir, 'config.json'))) return 'pretrain-run';
  throw new Error(
    `--init ${dir}: neither a realm-ts pre-training run (${join(dir, 'config.json')}) nor a Google REALM module layout ` +
      `(${hubIndex(join(dir, GOOGLE_REALM_FILES.reader))}, ${hubIndex(join(dir, GOOGLE_REALM_FILES.embedder))}); ` +
      'for a realm-ts export pass its pre-training run directory',
  );
}

const shapeOf = (entries: readonly CheckpointEntry[], name: string, file: string): number[] => {
  const entry = entries.find((e) => e.name === name);
  if (!entry) throw new Error(`${file}: no variable "${name}"`);
  return entry.shape;
};

/**
 * The BERT config a Hub module's variables imply (a TF1 Hub module stores no bert_config.json): sizes
 * from the shapes under `scope`; the attention heads at Google's 64 dimensions per head (every released
 * BERT; the count is not in any shape); the tanh GELU TF-Hub BERT modules compute. `file` names the
 * checkpoint in errors.
 */
export function inferBertConfig(entries: readonly CheckpointEntry[], scope: string, file: string): BertConfig {
  const [vocabSize, hidden] = shapeOf(entries, `${scope}bert/embeddings/word_embeddings`, file);
  const [maxPositions] = shapeOf(entries, `${scope}bert/embeddings/position_embeddings`, file);
  const [typeVocab] = shapeOf(entries, `${scope}bert/embeddings/token_type_embeddings`, file);
  const [, intermediate] = shapeOf(entries, `${scope}bert/encoder/layer_0/intermediate/dense/kernel`, file);
  const layerPattern = new RegExp(`^${scope.replace(/[/.]/g, '\\$&')}bert/encoder/layer_(\\d+)/`);
  const layers = new Set(entries.map((e) => layerPattern.exec(e.name)?.[1]).filter((n) => n !== undefined));
  if (hidden % 64 !== 0) {
    throw new Error(`${file}: cannot infer num_attention_heads for hidden size ${hidden} (a TF-Hub module does not store it; Google's BERTs use 64 per head): put a ${GOOGLE_REALM_FILES.bertConfig} beside ${GOOGLE_REALM_FILES.variables}`);
  }
  return BertConfigSchema.parse({
    vocab_size: vocabSize,
    hidden_size: hidden,
    num_hidden_layers: layers.size,
    num_attention_heads: hidden / 64,
    intermediate_size: intermediate,
    hidden_act: 'gelu_tanh',
    max_position_embeddings: maxPositions,
    type_vocab_size: typeVocab,
  });
}

/** One module's variables as listed by its index: the file, its entries and the BERT scope inside. */
interface ModuleCheckpoint {
  moduleDir: string;
  index: string;
  entries: CheckpointEntry[];
  scope: string;
}

async function openModule(layoutDir: string, moduleName: string): Promise<ModuleCheckpoint> {
  const moduleDir = join(layoutDir, moduleName);
  const index = hubIndex(moduleDir);
  if (!existsSync(index)) throw new Error(`${layoutDir}: Google REALM module layout, but ${index} is missing (the ${moduleName}/ TF-Hub module's variables)`);
  const reader = await CheckpointReader.open(join(moduleDir, GOOGLE_REALM_FILES.variables));
  let entries: ReturnType<typeof reader.list>;
  try {
    entries = reader.list();
  } finally {
    await reader.close();
  }
  const scopes = tfBertScopes(entries.map((e) => e.name));
  if (scopes.length !== 1) {
    throw new Error(`${index}: expected one BERT (a variable ending in bert/embeddings/word_embeddings), found ${scopes.length}${scopes.length ? ` under ${scopes.map((s) => JSON.stringify(s)).join(', ')}` : ''}`);
  }
  return { moduleDir, index, entries, scope: scopes[0] };
}

async function moduleConfig(module: ModuleCheckpoint): Promise<{ config: BertConfig; from: string }> {
  const explicit = join(module.moduleDir, GOOGLE_REALM_FILES.bertConfig);
  if (existsSync(explicit)) return { config: await readBertConfig(explicit), from: explicit };
  return { config: inferBertConfig(module.entries, module.scope, module.index), from: 'inferred from the variable shapes' };
}

async function moduleVocab(layoutDir: string, moduleName: string): Promise<{ path: string; text: string; vocab: Vocab }> {
  const path = join(layoutDir, moduleName, GOOGLE_REALM_FILES.vocab);
  if (!existsSync(path)) throw new Error(`${layoutDir}: Google REALM module layout, but ${path} is missing (the ${moduleName}/ module's tokenization_info vocab)`);
  const text = await readFile(path, 'utf8');
  return { path, text, vocab: Vocab.fromText(text, path) };
}

/** Google's two modules loaded: the reader BERT, the projecting embedder, the shared vocab and where each came from. */
export interface GoogleRealmModules {
  reader: BertModel;
  embedder: BertModel;
  vocabText: string;
  /** For the report: scope, config source and checkpoint of each module. */
  readerIndex: string;
  embedderIndex: string;
  embedderScope: string;
  readerConfigFrom: string;
  embedderConfigFrom: string;
}

/**
 * Loads DIR/bert (BERT at scope "", with its cls/predictions head when present) and DIR/embedder (BERT
 * at a hub nesting such as module/module/module/, projection one level up: module/module/dense,
 * module/module/LayerNorm; Keras LayerNorm epsilon 1e-3). Both vocabularies must agree, and match the
 * word-embedding rows: realm-ts tokenizes questions and blocks once for both sides.
 */
export async function loadGoogleRealmModules(dir: string): Promise<GoogleRealmModules> {
  const readerCkpt = await openModule(dir, GOOGLE_REALM_FILES.reader);
  const embedderCkpt = await openModule(dir, GOOGLE_REALM_FILES.embedder);
  const readerVocab = await moduleVocab(dir, GOOGLE_REALM_FILES.reader);
  const embedderVocab = await moduleVocab(dir, GOOGLE_REALM_FILES.embedder);
  const sameVocab = readerVocab.vocab.size === embedderVocab.vocab.size && readerVocab.vocab.tokens.every((t, i) => embedderVocab.vocab.tokens[i] === t);
  if (!sameVocab) throw new Error(`${readerVocab.path} (${readerVocab.vocab.size} tokens) and ${embedderVocab.path} (${embedderVocab.vocab.size} tokens) differ; realm-ts needs one vocabulary for the reader and the retriever`);

  if (!/^(module\/)+$/.test(embedderCkpt.scope)) {
    throw new Error(`${embedderCkpt.index}: the embedder's BERT is under "${embedderCkpt.scope}", not a TF-Hub module/ nesting (REALM's embedder module has module/module/module/bert/…)`);
  }
  const mapping = mapTfCheckpointNames(embedderCkpt.entries.map((e) => e.name), { scope: embedderCkpt.scope });
  const hubParent = embedderCkpt.scope.slice(0, embedderCkpt.scope.length - 'module/'.length);
  for (const canonical of Object.values(PROJECTION_NAMES)) {
    if (!mapping.mapped.has(canonical)) {
      // projection/dense/kernel → <hub parent>dense/kernel, as the converter reads module/module/dense/kernel.
      const expected = `${hubParent}${canonical.slice('projection/'.length)}`;
      throw new Error(`${embedderCkpt.index}: the embedder's projection variable "${expected}" is missing (REALM's embedder module stores module/module/dense/{kernel,bias} and module/module/LayerNorm/{gamma,beta})`);
    }
  }
  const projectionSize = shapeOf(embedderCkpt.entries, mapping.mapped.get(PROJECTION_NAMES.kernel)!.source, embedderCkpt.index)[1];

  const readerConfig = await moduleConfig(readerCkpt);
  const embedderConfig = await moduleConfig(embedderCkpt);
  for (const [ckpt, config, vocab] of [[readerCkpt, readerConfig.config, readerVocab], [embedderCkpt, embedderConfig.config, embedderVocab]] as const) {
    if (config.vocab_size !== vocab.vocab.size) {
      throw new Error(`${vocab.path} has ${vocab.vocab.size} tokens but ${ckpt.index} has ${config.vocab_size} rows of ${ckpt.scope}bert/embeddings/word_embeddings`);
    }
  }
  const reader = (await loadBertFromTfCheckpoint(join(readerCkpt.moduleDir, GOOGLE_REALM_FILES.variables), readerConfig.config, { scope: readerCkpt.scope })).model;
  try {
    const embedder = (
      await loadBertFromTfCheckpoint(join(embedderCkpt.moduleDir, GOOGLE_REALM_FILES.variables), embedderConfig.config, {
        scope: embedderCkpt.scope,
        // ORQA's question encoder reads the projected signature only; the module's unused MLM head is left out.
        heads: { pooler: true, maskedLm: false, nextSentence: false, projection: { size: projectionSize } },
      })
    ).model;
    return {
      reader,
      embedder,
      vocabText: readerVocab.text,
      readerIndex: readerCkpt.index,
      embedderIndex: embedderCkpt.index,
      embedderScope: embedderCkpt.scope,
      readerConfigFrom: readerConfig.from,
      embedderConfigFrom: embedderConfig.from,
    };
  } catch (error) {
    disposeBertModel(reader);
    throw error;
  }
}

async function readRecordStrings(path: string, what: string): Promise<string[]> {
  if (!existsSync(path)) throw new Error(`${path}: no such file (${what})`);
  const out: string[] = [];
  for await (const payload of readTfRecords(path)) out.push(decodeUtf8Record(payload, `${path} record ${out.length}`));
  return out;
}

/**
 * ORQA's knowledge corpus: `blocksPath` (blocks.tfr, record i = raw UTF-8 text of block i) and the
 * row-aligned titles (titles.tfr; by default the one beside blocks.tfr). Titles only feed the
 * document embedder ([CLS] title [SEP] block [SEP]) of `index add` and --refresh-index, so without
 * a titles file the blocks get empty titles.
 */
export async function readOrqaCorpus(blocksPath: string, titlesPath?: string): Promise<{ blocks: TextBlock[]; titlesFrom: string }> {
  const texts = await readRecordStrings(blocksPath, '--blocks: ORQA blocks.tfr');
  const titlesFile = titlesPath ?? join(dirname(blocksPath), 'titles.tfr');
  if (titlesPath === undefined && !existsSync(titlesFile)) return { blocks: texts.map((text) => ({ title: '', text })), titlesFrom: `none (no ${titlesFile}): empty titles` };
  const titles = await readRecordStrings(titlesFile, '--titles: ORQA titles.tfr');
  if (titles.length !== texts.length) throw new Error(`${blocksPath} holds ${texts.length} blocks but ${titlesFile} holds ${titles.length} titles`);
  return { blocks: texts.map((text, i) => ({ title: titles[i], text })), titlesFrom: titlesFile };
}

/**
 * block_emb of DIR/embedder/encoded/encoded.ckpt, checked against the corpus and the projection
 * before its values are read (13.35M × 128 floats for the real one).
 */
export async function readGoogleBlockEmb(dir: string, blocksPath: string, numBlocks: number, projectionSize: number): Promise<{ vectors: Float32Array; rows: number; dim: number; prefix: string }> {
  const prefix = join(dir, GOOGLE_REALM_FILES.embedder, GOOGLE_REALM_FILES.encoded);
  if (!existsSync(`${prefix}.index`)) throw new Error(`${dir}: Google REALM module layout, but ${prefix}.index is missing (block_emb of the blocks, embedder/${GOOGLE_REALM_FILES.encoded})`);
  const reader = await CheckpointReader.open(prefix);
  try {
    if (!reader.has(BLOCK_EMB_VARIABLE)) throw new Error(`${prefix}: no variable "${BLOCK_EMB_VARIABLE}" (it holds ${reader.list().map((e) => e.name).join(', ') || 'nothing'})`);
    const shape = reader.entry(BLOCK_EMB_VARIABLE).shape;
    if (shape.length !== 2) throw new Error(`${prefix}: "${BLOCK_EMB_VARIABLE}" has shape [${shape.join(', ')}], expected [blocks, ${projectionSize}]`);
    const [rows, dim] = shape;
    if (rows !== numBlocks) throw new Error(`${prefix}: block_emb has ${rows} rows but ${blocksPath} holds ${numBlocks} blocks; they must be row-aligned (the blocks.tfr the index was encoded from)`);
    if (dim !== projectionSize) throw new Error(`${prefix}: block_emb is ${rows}×${dim} but the embedder projects to ${projectionSize}`);
    return { vectors: await reader.readFloat32(BLOCK_EMB_VARIABLE), rows, dim, prefix };
  } finally {
    await reader.close();
  }
}

export interface GoogleRealmInitOptions {
  /** ORQA's blocks.tfr, row-aligned with embedder/encoded/encoded.ckpt. */
  blocks: string;
  /** titles.tfr (default: titles.tfr beside blocks, else empty titles). */
  titles?: string;
  /** The world whose questions fine-tuning trains and evaluates on. */
  world: WorldConfig;
  /** Load a second, separately trained copy of the embedder (--refresh-index). */
  documentEmbedderCopy: boolean;
  /** The modules' tokenization_info do_lower_case (in saved_model.pb, not read here): REALM's and ORQA's BERTs are uncased. */
  doLowerCase?: boolean;
  log: (message: string) => void;
}

/**
 * The starting parts from Google's layout: question encoder ← embedder/, reader ← bert/, the frozen
 * index ← embedder/encoded/encoded.ckpt over `blocks`; the knowledge base's document embedder is the
 * embedder as loaded.
 */
export async function partsFromGoogleRealm(dir: string, options: GoogleRealmInitOptions): Promise<InitialOrqaParts> {
  const modules = await loadGoogleRealmModules(dir);
  const loaded: BertModel[] = [modules.reader, modules.embedder];
  try {
    const { blocks, titlesFrom } = await readOrqaCorpus(options.blocks, options.titles);
    const projectionSize = modules.embedder.heads.projection!.size;
    const index = await readGoogleBlockEmb(dir, options.blocks, blocks.length, projectionSize);
    options.log(
      `init: Google REALM module layout at ${dir}: reader ${GOOGLE_REALM_FILES.reader}/, embedder ${GOOGLE_REALM_FILES.embedder}/, block_emb ${index.rows}×${index.dim}`,
    );
    const describe = (model: BertModel, from: string): string => `L=${model.config.num_hidden_layers} H=${model.config.hidden_size} A=${model.config.num_attention_heads} (${from})`;
    options.log(`init: reader ${modules.readerIndex} ${describe(modules.reader, modules.readerConfigFrom)}; embedder ${modules.embedderIndex} scope ${modules.embedderScope} ${describe(modules.embedder, modules.embedderConfigFrom)}; blocks ${options.blocks}, titles ${titlesFrom}`);
    let documentEmbedder: BertModel | undefined;
    if (options.documentEmbedderCopy) {
      // An identical, separately trained copy: cloned variables (modelFromTensors takes ownership of the clones).
      const { embedder } = modules;
      const clones = new Map([...embedder.variables].map(([name, variable]) => [name, tf.clone(variable) as tf.Tensor]));
      documentEmbedder = modelFromTensors(embedder.config, embedder.heads, clones);
      loaded.push(documentEmbedder);
    }
    return {
      questionEmbedder: modules.embedder,
      reader: modules.reader,
      documentEmbedder,
      run: null,
      world: options.world,
      kb: {
        blocks,
        vectors: index.vectors,
        dim: index.dim,
        documentSeqLen: Math.min(ORQA_DOCUMENT_SEQ_LEN, modules.embedder.config.max_position_embeddings),
        vocabText: modules.vocabText,
        doLowerCase: options.doLowerCase ?? true,
        embedder: modules.embedder,
        source: `Google REALM modules ${dir} over ${options.blocks}`,
      },
    };
  } catch (error) {
    loaded.forEach(disposeBertModel);
    throw error;
  }
}
