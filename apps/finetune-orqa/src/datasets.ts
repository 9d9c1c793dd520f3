// Question sets: the built-in world's train/dev/test QA splits (regenerated from a run's world
// config), and the real NQ-open / WebQuestions / CuratedTREC JSONL files through @realm/data's
// readers. Mirrors orqa_experiment.py's dataset selection (CuratedTrec → regex answers).
import { generateWorld, readQaExamples, type WorldConfig } from '@realm/data';
import type { OrqaAnswerMatcher } from '@realm/model';
import type { QaItem } from './blocks.js';

export const DATASET_NAMES = ['world', 'nq', 'wq', 'ct'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];
export const WORLD_SPLITS = ['train', 'dev', 'test'] as const;
export type WorldSplit = (typeof WORLD_SPLITS)[number];

/** CuratedTREC answers are Python regexes: scored by regex and matched to blocks by regex search. */
export function datasetIsRegex(dataset: DatasetName): boolean {
  return dataset === 'ct';
}

/** Which blocks count as answer-bearing for a dataset (the model's configured matcher unless regex). */
export function datasetAnswerMatcher(dataset: DatasetName, configured: OrqaAnswerMatcher): OrqaAnswerMatcher {
  return datasetIsRegex(dataset) ? 'regex' : configured;
}

export function parseDatasetName(text: string): DatasetName {
  if (!(DATASET_NAMES as readonly string[]).includes(text)) throw new Error(`--dataset must be one of ${DATASET_NAMES.join(', ')}, got '${text}'`);
  return text as DatasetName;
}

/** The world's QA split as question/answer items (held-out facts are only in dev/test). */
export function worldQaSplit(worldConfig: WorldConfig, split: WorldSplit): QaItem[] {
  const world = generateWorld(worldConfig);
  return world.qa[split].map((example) => ({ question: example.question, answers: example.answer }));
}

/** Every question of a JSONL dataset file ({"question", "answer": [...]}) in file order, at most `limit`. */
export async function readQaFile(path: string, limit?: number): Promise<QaItem[]> {
  const items: QaItem[] = [];
  for await (const record of readQaExamples(path)) {
    if (limit !== undefined && items.length >= limit) break;
    items.push({ question: record.question, answers: record.answer });
  }
  return items;
}
