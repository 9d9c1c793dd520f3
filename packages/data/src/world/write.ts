// Writes a generated world as files: the REALM retrieval-corpus JSONL, REALM-style pre-training
// records, NQ-open QA splits, the facts with provenance, and world.json (config + stats).
import { storageFor } from '../storage/index.js';
import { worldStats, type WorldStats } from './stats.js';
import type { World } from './types.js';

/** File names inside the output directory. */
export const WORLD_FILES = Object.freeze({
  documents: 'documents.jsonl',
  pretrainTrain: 'pretrain_train.jsonl',
  pretrainHeldout: 'pretrain_heldout.jsonl',
  qaTrain: 'qa_train.jsonl',
  qaDev: 'qa_dev.jsonl',
  qaTest: 'qa_test.jsonl',
  facts: 'facts.jsonl',
  manifest: 'world.json',
});

function jsonl(records: readonly unknown[]): string {
  return records.map((record) => `${JSON.stringify(record)}\n`).join('');
}

function nqOpen(examples: World['qa']['train']): { question: string; answer: string[] }[] {
  return examples.map(({ question, answer }) => ({ question, answer }));
}

/**
 * Writes every file of `world` into `outDir` (a local directory, created if missing, or a gs://
 * prefix). Each file is written atomically (temp + rename locally), so a reader never sees half a
 * file. Returns the stats written to world.json.
 */
export async function writeWorld(world: World, outDir: string): Promise<WorldStats> {
  const storage = await storageFor(outDir);
  const at = (name: string): string => `${outDir.replace(/\/+$/, '')}/${name}`;
  const stats = worldStats(world);
  const files: [string, string][] = [
    [WORLD_FILES.documents, jsonl(world.documents.map(({ title, body }) => ({ title, body })))],
    [WORLD_FILES.pretrainTrain, jsonl(world.pretrain.train)],
    [WORLD_FILES.pretrainHeldout, jsonl(world.pretrain.heldout)],
    [WORLD_FILES.qaTrain, jsonl(nqOpen(world.qa.train))],
    [WORLD_FILES.qaDev, jsonl(nqOpen(world.qa.dev))],
    [WORLD_FILES.qaTest, jsonl(nqOpen(world.qa.test))],
    [WORLD_FILES.facts, jsonl(world.facts)],
    // Written last: its presence means the other files are complete.
    [WORLD_FILES.manifest, `${JSON.stringify({ config: world.config, stats, files: WORLD_FILES }, null, 2)}\n`],
  ];
  for (const [name, text] of files) await storage.write(at(name), text);
  return stats;
}
