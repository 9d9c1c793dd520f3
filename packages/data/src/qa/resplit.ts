// ORQA's train/dev re-split of a QA training file: a question goes to dev iff
// tf.strings.to_hash_bucket_fast(question, 100000) % 10 == 0, lines copied verbatim.
// Ports language/orqa/preprocessing/create_data_splits.py: make_hash_fn and resplit_data.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { z } from 'zod';
import { toHashBucketFast } from './fingerprint64.js';
import { readQaExamples } from './qa_files.js';

export const OrqaResplitConfigSchema = z
  .strictObject({
    numBuckets: z.number().int().min(1).default(100000).describe('to_hash_bucket_fast num_buckets (create_data_splits.make_hash_fn).'),
    devModulus: z.number().int().min(1).default(10).describe('A question is dev iff its bucket mod this is 0 (so about 1 in 10).'),
  })
  .readonly();
export type OrqaResplitConfig = z.infer<typeof OrqaResplitConfigSchema>;

/** True when ORQA puts this training question in its dev split. */
export function isOrqaDevQuestion(question: string, config: Partial<OrqaResplitConfig> = {}): boolean {
  const { numBuckets, devModulus } = OrqaResplitConfigSchema.parse(config);
  return toHashBucketFast(question, numBuckets) % devModulus === 0;
}

export interface ResplitCounts {
  train: number;
  dev: number;
}

/**
 * Streams a training file and writes ORQA's train and dev files (each input line copied verbatim, with a
 * '\n' terminator as Python's line iteration keeps it). Every line is validated first, so a malformed line
 * is reported with its file and line number.
 */
export async function resplitOrqaTrainFile(
  inputPath: string,
  output: { trainPath: string; devPath: string },
  config: Partial<OrqaResplitConfig> = {},
): Promise<ResplitCounts> {
  const resolved = OrqaResplitConfigSchema.parse(config);
  const train = createWriteStream(output.trainPath);
  const dev = createWriteStream(output.devPath);
  const counts: ResplitCounts = { train: 0, dev: 0 };
  try {
    for await (const record of readQaExamples(inputPath)) {
      const toDev = isOrqaDevQuestion(record.question, resolved);
      await writeLine(toDev ? dev : train, record.line);
      counts[toDev ? 'dev' : 'train'] += 1;
    }
  } finally {
    await Promise.all([closeStream(train), closeStream(dev)]);
  }
  return counts;
}

/** Counts how a training file splits without writing anything. */
export async function countOrqaResplit(inputPath: string, config: Partial<OrqaResplitConfig> = {}): Promise<ResplitCounts> {
  const resolved = OrqaResplitConfigSchema.parse(config);
  const counts: ResplitCounts = { train: 0, dev: 0 };
  for await (const record of readQaExamples(inputPath)) counts[isOrqaDevQuestion(record.question, resolved) ? 'dev' : 'train'] += 1;
  return counts;
}

async function writeLine(stream: WriteStream, line: string): Promise<void> {
  if (!stream.write(`${line}\n`)) await once(stream, 'drain');
}

async function closeStream(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
}
