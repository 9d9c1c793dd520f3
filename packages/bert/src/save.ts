// Saving BERT: our model directory (TF checkpoint + bert_config.json + config.json, written
// atomically) and TF-checkpoint export under the names Python code expects (google-research/bert's
// bert/…, cls/…; or a REALM/ORQA embedder hub nesting). The checkpoint bytes come from @realm/data.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCheckpoint, writeDirectoryAtomically, type TensorToWrite } from '@realm/data';
import { z } from 'zod';
import { BertConfigSchema, BertHeadsSchema, bertConfigToJson, parseBertConfig } from './config.js';
import { loadBertFromTfCheckpoint } from './load.js';
import { PROJECTION_NAMES, type BertModel } from './variables.js';

/** File names inside a model directory. */
export const MODEL_FILES = Object.freeze({
  checkpoint: 'bert_model.ckpt',
  bertConfig: 'bert_config.json',
  config: 'config.json',
});

/** `config.json` of a model directory: the resolved BERT config and the heads. */
export const SavedModelConfigSchema = z
  .strictObject({
    format: z.literal('realm-ts/bert').describe('Identifies a realm-ts BERT model directory'),
    formatVersion: z.literal(1).describe('Version of this directory layout'),
    bert: BertConfigSchema.describe('Resolved bert_config.json (every default filled in)'),
    heads: BertHeadsSchema.describe('Heads stored in the checkpoint'),
  })
  .readonly();

export type SavedModelConfig = z.infer<typeof SavedModelConfigSchema>;

/** Layouts for `exportTfCheckpoint`. */
export type TfExportLayout = 'bert' | 'realm-embedder';

/** The model's variables as float32 tensors to write, under canonical names. */
async function canonicalTensors(model: BertModel): Promise<Array<[string, TensorToWrite]>> {
  const out: Array<[string, TensorToWrite]> = [];
  for (const [name, variable] of model.variables) {
    out.push([name, { dtype: 'float32', shape: variable.shape, data: (await variable.data()) as Float32Array }]);
  }
  return out;
}

/**
 * Renames canonical names for `layout`:
 * - 'bert': google-research/bert's names as they are (bert/…, cls/predictions/…); a projection head
 *   has no google-research/bert name and is left out.
 * - 'realm-embedder': the nesting the HF REALM converter reads from a pretrained embedder module:
 *   module/module/module/bert/…, module/module/module/cls/…, and the projection as
 *   module/module/dense/{kernel,bias}, module/module/LayerNorm/{gamma,beta}.
 */
export function exportName(canonical: string, layout: TfExportLayout): string | undefined {
  const projection: Record<string, string> = {
    [PROJECTION_NAMES.kernel]: 'dense/kernel', [PROJECTION_NAMES.bias]: 'dense/bias',
    [PROJECTION_NAMES.gamma]: 'LayerNorm/gamma', [PROJECTION_NAMES.beta]: 'LayerNorm/beta',
  };
  if (layout === 'bert') return canonical in projection ? undefined : canonical;
  return canonical in projection ? `module/module/${projection[canonical]}` : `module/module/module/${canonical}`;
}

/** Writes the model as a TF checkpoint at `prefix` (PREFIX.index + PREFIX.data-00000-of-00001). */
export async function exportTfCheckpoint(prefix: string, model: BertModel, layout: TfExportLayout = 'bert'): Promise<string[]> {
  const renamed: Array<[string, TensorToWrite]> = [];
  for (const [name, tensor] of await canonicalTensors(model)) {
    const target = exportName(name, layout);
    if (target !== undefined) renamed.push([target, tensor]);
  }
  await writeCheckpoint(prefix, renamed);
  return renamed.map(([name]) => name);
}

/**
 * Saves `model` to directory `dir`: bert_model.ckpt.{index,data-00000-of-00001} (canonical names),
 * bert_config.json (google-research/bert format) and config.json (SavedModelConfigSchema). Files go
 * to a temporary sibling directory that is renamed into place, so `dir` never holds a partial model.
 * An existing `dir` is replaced only with `overwrite: true`.
 */
export async function saveBertModel(dir: string, model: BertModel, options: { overwrite?: boolean } = {}): Promise<void> {
  if (existsSync(dir) && !options.overwrite) throw new Error(`${dir} already exists (pass overwrite to replace it)`);
  await writeDirectoryAtomically(dir, async (temp) => {
    await writeCheckpoint(join(temp, MODEL_FILES.checkpoint), await canonicalTensors(model));
    await writeFile(join(temp, MODEL_FILES.bertConfig), bertConfigToJson(model.config));
    const saved: SavedModelConfig = { format: 'realm-ts/bert', formatVersion: 1, bert: model.config, heads: model.heads };
    await writeFile(join(temp, MODEL_FILES.config), `${JSON.stringify(saved, null, 2)}\n`);
  });
}

/** Reads a model directory's config.json and checks bert_config.json agrees with it. */
export async function readSavedModelConfig(dir: string): Promise<SavedModelConfig> {
  const path = join(dir, MODEL_FILES.config);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: cannot read the model config (${(error as Error).message})`);
  }
  const parsed = SavedModelConfigSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${path}: invalid model config\n${z.prettifyError(parsed.error)}`);
  const bertConfigPath = join(dir, MODEL_FILES.bertConfig);
  const bertConfig = parseBertConfig(JSON.parse(await readFile(bertConfigPath, 'utf8')), bertConfigPath);
  if (bertConfigToJson(bertConfig) !== bertConfigToJson(parsed.data.bert)) {
    throw new Error(`${bertConfigPath} disagrees with the "bert" section of ${path}`);
  }
  return parsed.data;
}

/** Loads a directory written by saveBertModel; every stored variable must be used. */
export async function loadBertModel(dir: string): Promise<BertModel> {
  const saved = await readSavedModelConfig(dir);
  const { model } = await loadBertFromTfCheckpoint(join(dir, MODEL_FILES.checkpoint), saved.bert, { heads: saved.heads, scope: '', strict: true });
  return model;
}
