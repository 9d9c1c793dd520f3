// `realm index add|remove`: grows or shrinks a knowledge base after pre-training without retraining.
// New or changed documents are cut into blocks as `corpus build` cuts them, embedded with the KB's
// own document embedder, and a new version (blocks, titles and block_emb together) is published
// atomically. What users of REALM/ORQA asked for and refresh_doc_embeds.py does only for the whole
// corpus. The KB is that of a fine-tuning output or of a pre-training run (see kb-target.ts).
import { loadBertModel, disposeBertModel } from '@realm/bert';
import { documentBlocks, documentUid, type InputDocument } from '@realm/data';
import { loadSalientAnnotator } from '@realm/tokenizer';
import type { TextBlock } from './blocks.js';
import { resolveKnowledgeBaseTarget, type KnowledgeBaseTarget } from './kb-target.js';
import { publishKnowledgeBase } from './knowledge-base.js';
import { embedBlocks } from './model-io.js';

export interface IndexUpdateResult {
  /** The new version directory. */
  dir: string;
  added: number;
  removed: number;
  unchanged: number;
  total: number;
}

export interface IndexUpdateOptions {
  /** Told which knowledge base (or pre-training export) was picked, before any work. */
  log?: (message: string) => void;
}

async function openTarget(path: string, options: IndexUpdateOptions): Promise<KnowledgeBaseTarget> {
  const target = await resolveKnowledgeBaseTarget(path);
  options.log?.(`updating ${target.picked}`);
  return target;
}

/**
 * Adds documents: each is split into blocks (sentences packed up to the KB's document length); a
 * document whose title is already in the KB replaces that title's blocks unless they are identical
 * (same uids), which are left as they are. Only the new blocks are embedded.
 */
export async function addDocuments(
  kbPath: string,
  documents: readonly InputDocument[],
  options: IndexUpdateOptions & { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<IndexUpdateResult> {
  if (documents.length === 0) throw new Error('index add: no documents given');
  const target = await openTarget(kbPath, options);
  const { kb } = target;
  await loadSalientAnnotator();
  const incoming = new Map<string, TextBlock[]>();
  for (const doc of documents) {
    if (doc.text.trim() === '') throw new Error(`${doc.source}: the document "${doc.title}" has no text`);
    const blocks = documentBlocks(doc, kb.tokenizer, kb.manifest.documentSeqLen).map((b) => ({ title: b.title, text: b.text }));
    incoming.set(doc.title, [...(incoming.get(doc.title) ?? []), ...blocks]);
  }
  const uid = (b: TextBlock): string => documentUid(b.title, b.text);
  const existingUids = new Map<string, string[]>();
  for (const block of kb.blocks) existingUids.set(block.title, [...(existingUids.get(block.title) ?? []), uid(block)]);
  // A title whose blocks come out identical is unchanged: nothing to embed or replace.
  const unchangedTitles = new Set(
    [...incoming].filter(([title, blocks]) => existingUids.get(title)?.join('\n') === blocks.map(uid).join('\n')).map(([title]) => title),
  );
  const keptRows: number[] = [];
  let removed = 0;
  let unchanged = 0;
  kb.blocks.forEach((block, row) => {
    if (!incoming.has(block.title)) keptRows.push(row);
    else if (unchangedTitles.has(block.title)) {
      keptRows.push(row);
      unchanged++;
    } else removed++;
  });
  const stillNew = [...incoming].filter(([title]) => !unchangedTitles.has(title));
  const newBlocks = stillNew.flatMap(([, blocks]) => blocks);
  const embedder = await loadBertModel(kb.embedderDir);
  let newVectors: Float32Array;
  try {
    newVectors = await embedBlocks(embedder, kb.tokenizer, newBlocks, kb.manifest.documentSeqLen, options.batchSize ?? 64, (done) => options.onProgress?.(done, newBlocks.length));
  } finally {
    disposeBertModel(embedder);
  }
  return publish(target, keptRows, newBlocks, newVectors, { added: newBlocks.length, removed, unchanged }, `index add of ${documents.length} documents`);
}

/** Removes every block whose title or uid (SHA-1 of title and text, as the retrieval corpus) is in `keys`; each key must match. */
export async function removeDocuments(kbPath: string, keys: readonly string[], options: IndexUpdateOptions = {}): Promise<IndexUpdateResult> {
  if (keys.length === 0) throw new Error('index remove: no titles or uids given');
  const target = await openTarget(kbPath, options);
  const { kb } = target;
  const wanted = new Set(keys);
  const matched = new Set<string>();
  const keptRows: number[] = [];
  kb.blocks.forEach((block, row) => {
    const id = documentUid(block.title, block.text);
    const hit = wanted.has(block.title) ? block.title : wanted.has(id) ? id : null;
    if (hit === null) keptRows.push(row);
    else matched.add(hit);
  });
  const missing = keys.filter((key) => !matched.has(key));
  if (missing.length > 0) throw new Error(`index remove: no block of ${kb.dir ?? kb.manifest.source} has the title or uid ${missing.map((k) => JSON.stringify(k)).join(', ')}`);
  const removed = kb.blocks.length - keptRows.length;
  return publish(target, keptRows, [], new Float32Array(0), { added: 0, removed, unchanged: 0 }, `index remove of ${keys.length} titles/uids`);
}

async function publish(
  { kb, root }: KnowledgeBaseTarget,
  keptRows: readonly number[],
  newBlocks: readonly TextBlock[],
  newVectors: Float32Array,
  counts: { added: number; removed: number; unchanged: number },
  what: string,
): Promise<IndexUpdateResult> {
  const dim = kb.manifest.dim;
  const blocks = [...keptRows.map((row) => kb.blocks[row]), ...newBlocks];
  const vectors = new Float32Array(blocks.length * dim);
  keptRows.forEach((row, i) => vectors.set(kb.vectors.subarray(row * dim, (row + 1) * dim), i * dim));
  vectors.set(newVectors, keptRows.length * dim);
  const dir = await publishKnowledgeBase(root, {
    blocks,
    vectors,
    dim,
    documentSeqLen: kb.manifest.documentSeqLen,
    vocabText: kb.vocabText,
    doLowerCase: kb.manifest.doLowerCase,
    embedder: kb.embedderDir,
    source: `${kb.manifest.source}; ${what}`,
  });
  return { dir, ...counts, total: blocks.length };
}
