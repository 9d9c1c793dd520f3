// Which knowledge base `realm index add|remove --export PATH` updates: a knowledge-base version or
// root, a `finetune-orqa train` output (its kb/), or a REALM pre-training run or its export/ dir,
// whose knowledge base is <run>/kb, first built from the run's newest encoded export (the document
// embedder of export/tf_hub/<ts> and the block_emb the refresher made with it, refresh_doc_embeds.py).
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { loadBlockEmb } from '@realm/mips';
import { REALM_EXPORT_DIRS } from '@realm/model';
import { encodedCheckpointPrefix, listTimestamps, readGlobalStep, runLayout } from '@realm/pretrain';
import { FullTokenizer } from '@realm/tokenizer';
import { KB_FILES, readKnowledgeBase, readPretrainRun, type KnowledgeBase } from './knowledge-base.js';

/** The knowledge base an update starts from and where its new version goes. */
export interface KnowledgeBaseTarget {
  /** The KB root new versions are published under (<root>/<ts>). */
  root: string;
  /** The version updated: read from disk, or assembled from a pre-training run's export (dir null). */
  kb: KnowledgeBase;
  /** What was picked, in words (printed on stderr by the CLI). */
  picked: string;
}

/** The pre-training run a path names: the run directory itself or its export/ directory; null otherwise. */
export function pretrainRunOf(path: string): string | null {
  const isRun = (dir: string): boolean => existsSync(runLayout(dir).config) && existsSync(join(dir, 'export'));
  if (isRun(path)) return path;
  if (basename(path) === 'export' && isRun(dirname(path))) return dirname(path);
  return null;
}

/**
 * A pre-training run's knowledge base as its newest encoded export makes it: the ORQA blocks of
 * data/corpus/orqa, block_emb of export/encoded/<ts> and the document embedder it was made with
 * (export/tf_hub/<ts>/embedder, of which encoded/<ts> holds a copy that outlives tf_hub pruning).
 */
export async function knowledgeBaseFromPretrainRun(runDir: string): Promise<{ kb: KnowledgeBase; picked: string }> {
  const layout = runLayout(runDir);
  const [exported, encoded] = await Promise.all([listTimestamps(layout.tfHub), listTimestamps(layout.encoded)]);
  const ts = encoded.at(-1);
  if (ts === undefined) {
    throw new Error(
      `${runDir}: no knowledge base to update: looked for export/encoded/<ts>/embedder/encoded/encoded.ckpt (the block_emb of an export/tf_hub/<ts> document embedder) ` +
        `and found ${exported.length === 0 ? 'no export at all' : `export/tf_hub/${exported.at(-1)} but nothing encoded yet`}; ` +
        `run \`realm pretrain all --out ${runDir}\` until its refresher publishes export/encoded`,
    );
  }
  const exportDir = join(layout.encoded, String(ts));
  const prefix = encodedCheckpointPrefix(exportDir);
  const run = await readPretrainRun(runDir, false);
  const { vectors, rows, dim } = await loadBlockEmb(prefix);
  if (rows !== run.blocks.length) throw new Error(`${prefix}: block_emb has ${rows} rows but ${join(layout.data, 'corpus', 'orqa', 'blocks.tfr')} has ${run.blocks.length} blocks`);
  const step = await readGlobalStep(exportDir);
  const newer = exported.filter((t) => t > ts);
  const source = exported.includes(ts) ? `export/tf_hub/${ts}` : `export/tf_hub/${ts} (pruned since; its copy in export/encoded/${ts})`;
  const picked =
    `${runDir}: document embedder ${source}${step >= 0 ? ` (step ${step})` : ''} with its block_emb ${prefix}` +
    (newer.length > 0 ? `; export/tf_hub/${newer.at(-1)} is newer but not encoded yet` : '');
  const tokenizer = FullTokenizer.fromVocabText(run.vocabText, { doLowerCase: run.doLowerCase }, layout.vocab);
  const kb: KnowledgeBase = {
    dir: null,
    manifest: {
      format: 'realm-ts/orqa-kb',
      formatVersion: 1,
      blocks: rows,
      dim,
      documentSeqLen: run.documentSeqLen,
      doLowerCase: run.doLowerCase,
      source: `REALM export ${exportDir}`,
    },
    blocks: run.blocks,
    vectors,
    tokenizer,
    vocabText: run.vocabText,
    // The tf_hub original when it is still there (encoded/<ts>/embedder also holds the block_emb, which the KB keeps apart).
    embedderDir: exported.includes(ts) ? join(layout.tfHub, String(ts), REALM_EXPORT_DIRS.embedder) : join(exportDir, REALM_EXPORT_DIRS.embedder),
  };
  return { kb, picked };
}

/**
 * Resolves `--export PATH`: a KB version (kb.json), a KB root or a fine-tuning output (kb/) is
 * updated at its newest version; a pre-training run (or its export/) updates <run>/kb, built from
 * the newest encoded export the first time. The error names what was looked for.
 */
export async function resolveKnowledgeBaseTarget(path: string): Promise<KnowledgeBaseTarget> {
  if (!existsSync(path)) throw new Error(`${path}: no such directory`);
  const runDir = pretrainRunOf(path);
  const kbRoot = runDir !== null ? join(runDir, 'kb') : existsSync(join(path, KB_FILES.manifest)) ? dirname(path) : existsSync(join(path, 'kb')) ? join(path, 'kb') : path;
  if (existsSync(join(path, KB_FILES.manifest)) || (await listTimestamps(kbRoot)).length > 0) {
    const kb = await readKnowledgeBase(runDir !== null ? kbRoot : path);
    const what = runDir !== null ? ` (the pre-training run's own, from an earlier \`index add|remove\`; ${kb.manifest.source})` : '';
    return { root: kbRoot, kb, picked: `knowledge base ${kb.dir}${what}` };
  }
  if (runDir === null) {
    throw new Error(
      `${path}: no knowledge base to update: looked for ${KB_FILES.manifest} (a version), <ts>/ versions, kb/ (a \`finetune-orqa train\` output) ` +
        'and config.json with export/ (a `realm pretrain` run)',
    );
  }
  const { kb, picked } = await knowledgeBaseFromPretrainRun(runDir);
  return { root: kbRoot, kb, picked: `${picked}; the updated knowledge base goes to ${kbRoot}` };
}
