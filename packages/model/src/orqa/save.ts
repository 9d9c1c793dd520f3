// Saving and loading a fine-tuned ORQA model: the question encoder, the reader BERT (and a trained
// document embedder) in saveBertModel's format, the span head as a TF checkpoint under ORQA's names
// (reader/dense/…), the resolved config beside them, and optionally the trainer's optimizer state.
// The counterpart of ORQA's model_dir (model.ckpt-N + params.json, orqa_model.get_predictor).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadBertModel, saveBertModel, type BertModel } from '@realm/bert';
import { writeDirectoryAtomically } from '@realm/data';
import { z } from 'zod';
import { readJsonFile, readStateCheckpoint, restoreTrainerState, writeJsonFile, writeStateCheckpoint } from '../checkpoint-io.js';
import { GLOBAL_STEP_NAME } from '../optimizer.js';
import { stepRandomSource } from '../realm/step-random.js';
import { OrqaConfigSchema } from './config.js';
import type { OrqaBlockSource, OrqaRetrievalIndex } from './forward.js';
import { createOrqaModel, disposeOrqaModel, ORQA_VARIABLE_PREFIXES, type OrqaModel } from './orqa-model.js';
import { spanHeadFromTensors, type SpanHead } from './span-head.js';
import { ORQA_DROPOUT_SEED_NAME, OrqaTrainer } from './trainer.js';

/** Files and subdirectories of a saved ORQA model. */
export const ORQA_MODEL_FILES = Object.freeze({
  questionEmbedder: 'question_embedder',
  documentEmbedder: 'doc_embedder',
  reader: 'reader',
  spanHead: 'span_head.ckpt',
  trainerState: 'trainer.ckpt',
  config: 'orqa_config.json',
});

/** orqa_config.json: the resolved ORQA config (ORQA's params.json) plus the caller's JSON. */
export const OrqaModelFileSchema = z
  .strictObject({
    format: z.literal('realm-ts/orqa-model').describe('Identifies a realm-ts fine-tuned ORQA model directory'),
    formatVersion: z.literal(1).describe('Version of this directory layout'),
    globalStep: z.int().min(0).nullable().describe('Trainer step when saved (null without trainer state)'),
    config: OrqaConfigSchema.describe('The resolved ORQA config'),
    extra: z.unknown().describe("The caller's own JSON (e.g. the app's run options, dev exact match)"),
  })
  .readonly();
export type OrqaModelFile = z.infer<typeof OrqaModelFileSchema>;

/** The span head's variables under their checkpoint names (reader/dense/…); the variables themselves, not copies. */
function prefixedSpanHeadVariables(head: SpanHead): Map<string, tf.Tensor> {
  return new Map([...head.variables].map(([name, variable]) => [`${ORQA_VARIABLE_PREFIXES.spanHead}${name}`, variable]));
}

/** How ORQA checkpoints are named in errors about their contents. */
const ORQA_CHECKPOINT = 'an ORQA checkpoint';

/**
 * Writes `dir` as a whole (temp sibling + rename; an existing `dir` is replaced): question_embedder/,
 * reader/, doc_embedder/ (when trained), span_head.ckpt, orqa_config.json and, with `trainer`,
 * trainer.ckpt (AdamW slots, global_step, dropout seed) so training can resume.
 */
export async function saveOrqaModel(dir: string, model: OrqaModel, options: { trainer?: OrqaTrainer; extra?: unknown } = {}): Promise<void> {
  if (options.trainer && options.trainer.model !== model) throw new Error('saveOrqaModel: the trainer trains a different model');
  const state = options.trainer?.exportOptimizerState();
  try {
    const file: OrqaModelFile = {
      format: 'realm-ts/orqa-model',
      formatVersion: 1,
      globalStep: options.trainer ? options.trainer.globalStep : null,
      config: model.config,
      extra: options.extra ?? null,
    };
    await writeDirectoryAtomically(dir, async (temp) => {
      await saveBertModel(join(temp, ORQA_MODEL_FILES.questionEmbedder), model.questionEmbedder);
      await saveBertModel(join(temp, ORQA_MODEL_FILES.reader), model.reader);
      if (model.documentEmbedder) await saveBertModel(join(temp, ORQA_MODEL_FILES.documentEmbedder), model.documentEmbedder);
      await writeStateCheckpoint(join(temp, ORQA_MODEL_FILES.spanHead), prefixedSpanHeadVariables(model.spanHead), [], 'saveOrqaModel');
      if (state) await writeStateCheckpoint(join(temp, ORQA_MODEL_FILES.trainerState), state, [GLOBAL_STEP_NAME, ORQA_DROPOUT_SEED_NAME], 'saveOrqaModel');
      await writeJsonFile(join(temp, ORQA_MODEL_FILES.config), file);
    });
  } finally {
    if (state) tf.dispose([...state.values()]);
  }
}

/** Reads orqa_config.json of a saved model. */
export async function readOrqaModelFile(dir: string): Promise<OrqaModelFile> {
  return readJsonFile(join(dir, ORQA_MODEL_FILES.config), OrqaModelFileSchema, 'ORQA model config');
}

/** A loaded model and its file; the model belongs to the caller. */
export interface LoadedOrqaModel {
  model: OrqaModel;
  file: OrqaModelFile;
}

/** Loads a directory written by saveOrqaModel (weights only; see restoreOrqaTrainer for the optimizer state). */
export async function loadOrqaModel(dir: string): Promise<LoadedOrqaModel> {
  const file = await readOrqaModelFile(dir);
  const loaded: BertModel[] = [];
  const load = async (name: string): Promise<BertModel> => {
    const model = await loadBertModel(join(dir, name));
    loaded.push(model);
    return model;
  };
  let spanHead: SpanHead | undefined;
  try {
    const questionEmbedder = await load(ORQA_MODEL_FILES.questionEmbedder);
    const reader = await load(ORQA_MODEL_FILES.reader);
    const documentEmbedder = existsSync(join(dir, ORQA_MODEL_FILES.documentEmbedder)) ? await load(ORQA_MODEL_FILES.documentEmbedder) : undefined;
    const stored = await readStateCheckpoint(join(dir, ORQA_MODEL_FILES.spanHead), ORQA_CHECKPOINT);
    const renamed = new Map<string, tf.Tensor>();
    for (const [name, tensor] of stored) {
      if (!name.startsWith(ORQA_VARIABLE_PREFIXES.spanHead)) {
        tf.dispose([...stored.values()]);
        throw new Error(`${join(dir, ORQA_MODEL_FILES.spanHead)}: unexpected tensor "${name}" (span-head names start with "${ORQA_VARIABLE_PREFIXES.spanHead}")`);
      }
      renamed.set(name.slice(ORQA_VARIABLE_PREFIXES.spanHead.length), tensor);
    }
    try {
      spanHead = spanHeadFromTensors({ inputSize: reader.config.hidden_size, hiddenSize: file.config.spanHiddenSize, layerNormEpsilon: file.config.spanLayerNormEpsilon }, renamed);
    } catch (error) {
      tf.dispose([...renamed.values()]);
      throw new Error(`${join(dir, ORQA_MODEL_FILES.spanHead)}: ${(error as Error).message}`, { cause: error });
    }
    // The span head is given, so no randomness is drawn.
    const model = createOrqaModel(file.config, { questionEmbedder, reader, documentEmbedder, spanHead }, stepRandomSource(0, 0));
    return { model, file };
  } catch (error) {
    loaded.forEach((m) => m.variables.forEach((v) => v.dispose()));
    if (spanHead) spanHead.variables.forEach((v) => v.dispose());
    throw error;
  }
}

/** Rebuilds the model and trainer of a directory saved with a trainer, so the next step is the one an uninterrupted run takes. */
export async function restoreOrqaTrainer(dir: string, index: OrqaRetrievalIndex, blocks: OrqaBlockSource): Promise<{ model: OrqaModel; trainer: OrqaTrainer; file: OrqaModelFile }> {
  const { model, file } = await loadOrqaModel(dir);
  const statePath = join(dir, ORQA_MODEL_FILES.trainerState);
  if (!existsSync(`${statePath}.index`)) {
    disposeOrqaModel(model);
    throw new Error(`${dir}: no trainer state (${ORQA_MODEL_FILES.trainerState}); it was saved without a trainer`);
  }
  const trainer = await restoreTrainerState(dir, 'ORQA trainer', {
    readState: () => readStateCheckpoint(statePath, ORQA_CHECKPOINT),
    createTrainer: () => new OrqaTrainer(model, index, blocks, stepRandomSource(0, 0)),
    importState: (created, state) => created.importOptimizerState(state),
    disposeModel: () => disposeOrqaModel(model),
  });
  return { model, trainer, file };
}
