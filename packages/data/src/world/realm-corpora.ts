// Writes the built-in world in REALM's own formats, so every program reads the world exactly as
// it would read Google's files: the knowledge corpus Z through `corpus build` (retrieval shards +
// ORQA blocks) and the pre-training sentences X as salient-span records (train and held-out shards).
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { toRealmSalientFields, type FullTokenizer } from '@realm/tokenizer';
import { buildCorpus, type CorpusBuildStats } from '../corpus/build.js';
import { pretrainRecordToExample } from '../corpus/records.js';
import { documentUid } from '../corpus/uid.js';
import { shardName } from '../storage/uri.js';
import { encodeExample } from '../tfrecord/example.js';
import { writeTfRecordFile } from '../tfrecord/record-file.js';
import type { World, WorldPretrainRecord } from './types.js';

export const WORLD_REALM_LAYOUT = {
  corpus: 'corpus',
  pretrainTrain: 'pretrain/train.tfrecord.gz',
  pretrainHeldout: 'pretrain/heldout.tfrecord.gz',
} as const;

export interface WorldRealmStats {
  corpus: CorpusBuildStats;
  pretrainTrain: number;
  pretrainHeldout: number;
}

/** A world pre-training sentence as a REALM record: its gold salient span, UTF-8 byte offsets. */
export function worldRecordToExample(record: WorldPretrainRecord): Uint8Array {
  const fields = toRealmSalientFields(record.text, { sentences: record.sentences, spans: record.spans });
  return encodeExample(
    pretrainRecordToExample({
      title: record.title,
      text: record.text,
      sentenceByteStart: fields.sentence_byte_start,
      sentenceByteLimit: fields.sentence_byte_limit,
      spanByteStart: fields.span_byte_start,
      spanByteLimit: fields.span_byte_limit,
      spanType: fields.span_type,
      uid: documentUid(record.title, record.text),
    }),
  );
}

/**
 * Writes `outDir/corpus` (retrieval + ORQA files of the world's documents) and the pre-training
 * records as GZIP shards `outDir/pretrain/{train,heldout}.tfrecord.gz-0000i-of-0000N`.
 */
export async function writeWorldRealmCorpora(
  world: World,
  tokenizer: FullTokenizer,
  outDir: string,
  numShards = 2,
): Promise<WorldRealmStats> {
  const corpus = await buildCorpus(
    world.documents.map((doc, i) => ({ title: doc.title, text: doc.body, source: `world document ${i}` })),
    tokenizer,
    join(outDir, WORLD_REALM_LAYOUT.corpus),
    { numShards, excludeListPages: false },
  );
  const writeSplit = async (records: WorldPretrainRecord[], prefix: string) => {
    const perShard = Math.ceil(records.length / numShards);
    for (let shard = 0; shard < numShards; shard++) {
      const slice = records.slice(shard * perShard, (shard + 1) * perShard);
      await mkdir(dirname(join(outDir, prefix)), { recursive: true });
      await writeTfRecordFile(join(outDir, shardName(prefix, shard, numShards)), slice.map(worldRecordToExample), { gzip: true, atomic: true });
    }
    return records.length;
  };
  return {
    corpus,
    pretrainTrain: await writeSplit(world.pretrain.train, WORLD_REALM_LAYOUT.pretrainTrain),
    pretrainHeldout: await writeSplit(world.pretrain.heldout, WORLD_REALM_LAYOUT.pretrainHeldout),
  };
}
