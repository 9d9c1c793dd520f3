// REALM exports for the index refresher and ORQA: `bert/` (the reader) and `embedder/` (the
// DOCUMENT embedder, whose vectors fill the index), each in saveBertModel's format, written as a
// whole directory that is renamed into place. Ports the "bert"/"embedder" hub exports of
// language/realm/model.py get_exporters, without the share_embedders=False export bug
// (realm-spec §1.5: the reference exported the document embedder as "query_embedder").
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { disposeBertModel, loadBertModel, saveBertModel, type BertModel } from '@realm/bert';
import { writeDirectoryAtomically } from './checkpoint.js';
import type { RealmModel } from './realm-model.js';

/** Subdirectories of an export. */
export const REALM_EXPORT_DIRS = Object.freeze({
  reader: 'bert',
  embedder: 'embedder',
  queryEmbedder: 'query_embedder',
});

/**
 * Writes `dir/bert/` (the reader) and `dir/embedder/` (the document embedder, with its projection
 * head). With separate embedders the query embedder also goes to `dir/query_embedder/`. The whole
 * directory appears at once (temp sibling + rename); an existing `dir` is replaced.
 */
export async function saveRealmExport(dir: string, model: RealmModel): Promise<void> {
  await writeDirectoryAtomically(dir, async (temp) => {
    await saveBertModel(join(temp, REALM_EXPORT_DIRS.reader), model.reader);
    await saveBertModel(join(temp, REALM_EXPORT_DIRS.embedder), model.documentEmbedder);
    if (model.queryEmbedder !== model.documentEmbedder) await saveBertModel(join(temp, REALM_EXPORT_DIRS.queryEmbedder), model.queryEmbedder);
  });
}

/** A loaded export; the models belong to the caller. `queryEmbedder` is present only for separate embedders. */
export interface LoadedRealmExport {
  reader: BertModel;
  embedder: BertModel;
  queryEmbedder?: BertModel;
}

/** Loads an export written by saveRealmExport. */
export async function loadRealmExport(dir: string): Promise<LoadedRealmExport> {
  const loaded: BertModel[] = [];
  const load = async (name: string): Promise<BertModel> => {
    const model = await loadBertModel(join(dir, name));
    loaded.push(model);
    return model;
  };
  try {
    const reader = await load(REALM_EXPORT_DIRS.reader);
    const embedder = await load(REALM_EXPORT_DIRS.embedder);
    if (!embedder.heads.projection) throw new Error(`${join(dir, REALM_EXPORT_DIRS.embedder)}: the embedder has no projection head`);
    if (!reader.heads.maskedLm) throw new Error(`${join(dir, REALM_EXPORT_DIRS.reader)}: the reader has no masked-LM head`);
    if (!existsSync(join(dir, REALM_EXPORT_DIRS.queryEmbedder))) return { reader, embedder };
    return { reader, embedder, queryEmbedder: await load(REALM_EXPORT_DIRS.queryEmbedder) };
  } catch (error) {
    loaded.forEach(disposeBertModel);
    throw error;
  }
}
