// Where an ORQA model's weights and knowledge base come from: a REALM pre-training export (question
// encoder ← embedder, reader ← REALM's reader, frozen block_emb of the same export) or, for the
// un-pre-trained baseline, fresh weights of the same sizes and block_emb from the random embedder;
// and loading a fine-tuned model together with its knowledge base. Ports orqa_model.py's
// initialisation from retriever_module_path / reader_module_path (REALM → ORQA hand-off). Google's
// released module layout is google-init.ts.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { disposeBertModel, loadBertModel, modelFromTensors, type BertModel } from '@realm/bert';
import { createRealmModel, embedDocumentBatches, loadOrqaModel, loadRealmExport, REALM_EXPORT_DIRS, type OrqaModel, type OrqaModelFile } from '@realm/model';
import type { WorldConfig } from '@realm/data';
import type { ExactMipsIndex } from '@realm/mips';
import { FullTokenizer, packCandidate, type Rng } from '@realm/tokenizer';
import { TokenizedBlocks, type TextBlock } from './blocks.js';
import { knowledgeBaseIndex, readKnowledgeBase, readPretrainRun, type KnowledgeBase, type KnowledgeBaseContents, type PretrainRunInputs } from './knowledge-base.js';
import { resolveKbPathForModel, resolveModelDir } from './layout.js';

/** The starting weights of fine-tuning and the knowledge base they retrieve from. */
export interface InitialOrqaParts {
  questionEmbedder: BertModel;
  reader: BertModel;
  /** A separate copy of the document embedder (only when it is trained, --refresh-index). */
  documentEmbedder?: BertModel;
  kb: KnowledgeBaseContents;
  /** The pre-training run it came from (null for Google's released modules, google-init.ts). */
  run: PretrainRunInputs | null;
  /** The built-in world whose questions fine-tuning uses. */
  world: WorldConfig;
}

/** Embeds blocks as [CLS] title [SEP] block [SEP] with `embedder`, dropout off: [n, P]. */
export function embedBlocks(embedder: BertModel, tokenizer: FullTokenizer, blocks: readonly TextBlock[], seqLen: number, batchSize = 64, onProgress?: (done: number) => void): Promise<Float32Array> {
  const ids = tokenizer.vocab.specialTokenIds();
  function* packed(): Generator<{ tokenIds: Int32Array; mask: Int32Array; segmentIds: Int32Array }> {
    for (const block of blocks) {
      const p = packCandidate(tokenizer.encodeIds(block.title), tokenizer.encodeIds(block.text), ids, seqLen);
      yield { tokenIds: p.tokenIds, mask: p.inputMask, segmentIds: p.segmentIds };
    }
  }
  return embedDocumentBatches(embedder, packed(), { batchSize, seqLen, onProgress });
}

/**
 * From a pre-training run's newest published index: its export's embedder (the query embedder of a
 * separate-embedder export) becomes the question encoder and its reader the reader; the index is
 * the block_emb that export's document embedder made.
 */
export async function partsFromPretrainRun(runDir: string, options: { documentEmbedderCopy: boolean }): Promise<InitialOrqaParts> {
  const run = await readPretrainRun(runDir, true);
  const index = run.index!;
  const { reader, embedder, queryEmbedder } = await loadRealmExport(index.exportDir);
  const documentEmbedderDir = join(index.exportDir, REALM_EXPORT_DIRS.embedder);
  // With shared embedders the export's one embedder is both; the question encoder is trained, so the
  // document embedder of the frozen index (and of `realm index add`) is the saved copy on disk.
  const questionEmbedder = queryEmbedder ?? embedder;
  if (queryEmbedder) disposeBertModel(embedder);
  const documentEmbedder = options.documentEmbedderCopy ? await loadBertModel(documentEmbedderDir) : undefined;
  return {
    questionEmbedder,
    reader,
    documentEmbedder,
    run,
    world: run.config.world,
    kb: {
      blocks: run.blocks,
      vectors: index.vectors,
      dim: index.dim,
      documentSeqLen: run.documentSeqLen,
      vocabText: run.vocabText,
      doLowerCase: run.doLowerCase,
      embedder: documentEmbedderDir,
      source: `REALM export ${index.exportDir}`,
    },
  };
}

/**
 * The un-pre-trained baseline: a fresh REALM model of the run's sizes (drawn from `rng`), its
 * random embedder embedding the corpus (ORQA without ICT/REALM pre-training).
 */
export async function partsFromScratch(runDir: string, rng: Rng, options: { documentEmbedderCopy: boolean }): Promise<InitialOrqaParts> {
  const run = await readPretrainRun(runDir, false);
  const model = createRealmModel(run.config.model, rng);
  const embedder = model.queryEmbedder;
  // The baseline's one embedder serves questions and blocks alike; a separate document embedder is not used.
  if (model.documentEmbedder !== embedder) disposeBertModel(model.documentEmbedder);
  const tokenizer = FullTokenizer.fromVocabText(run.vocabText, { doLowerCase: run.doLowerCase });
  const vectors = await embedBlocks(embedder, tokenizer, run.blocks, run.documentSeqLen);
  const dim = embedder.heads.projection!.size;
  let documentEmbedder: BertModel | undefined;
  if (options.documentEmbedderCopy) {
    // An identical, separately trained copy: cloned variables (modelFromTensors takes ownership of the clones).
    const clones = new Map([...embedder.variables].map(([name, variable]) => [name, tf.clone(variable) as tf.Tensor]));
    documentEmbedder = modelFromTensors(embedder.config, embedder.heads, clones);
  }
  return {
    questionEmbedder: embedder,
    reader: model.reader,
    documentEmbedder,
    run,
    world: run.config.world,
    kb: {
      blocks: run.blocks,
      vectors,
      dim,
      documentSeqLen: run.documentSeqLen,
      vocabText: run.vocabText,
      doLowerCase: run.doLowerCase,
      embedder,
      source: `random embedder (--init none) over ${runDir}`,
    },
  };
}

/** A fine-tuned model ready to answer: weights, its knowledge base, block source and index. */
export interface LoadedQaSystem {
  model: OrqaModel;
  file: OrqaModelFile;
  kb: KnowledgeBase;
  blocks: TokenizedBlocks;
  index: ExactMipsIndex;
}

/** Loads `--model DIR` (a run or a saved model) and its knowledge base (or `kbPath`). */
export async function loadQaSystem(modelPath: string, kbPath?: string): Promise<LoadedQaSystem> {
  const modelDir = resolveModelDir(modelPath);
  const kb = await readKnowledgeBase(resolveKbPathForModel(modelPath, kbPath));
  const { model, file } = await loadOrqaModel(modelDir);
  if (model.questionEmbedder.heads.projection!.size !== kb.manifest.dim) {
    throw new Error(`${modelDir}: the question encoder projects to ${model.questionEmbedder.heads.projection!.size} but the knowledge base ${kb.dir} has dimension ${kb.manifest.dim}`);
  }
  const blocks = new TokenizedBlocks(kb.blocks, kb.tokenizer, { readerSeqLen: model.config.readerSeqLen, documentSeqLen: kb.manifest.documentSeqLen, answerMatcher: model.config.answerMatcher });
  return { model, file, kb, blocks, index: knowledgeBaseIndex(kb.vectors, kb.manifest.dim) };
}
