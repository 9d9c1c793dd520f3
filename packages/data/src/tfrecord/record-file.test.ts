import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { fixture } from '@realm/testing';
import { TfRecordError, decodeTfRecords, encodeTfRecords } from './framing.js';
import {
  TfRecordWriter,
  countTfRecords,
  readTfRecordEntries,
  readTfRecordEntriesFromChunks,
  readTfRecords,
  writeTfRecordFile,
} from './record-file.js';

const scratch = mkdtempSync(join(tmpdir(), 'realm-tfrecord-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

const FIXTURES = {
  bertVincent: fixture('tfrecord/bert_create_pretraining_data/tf_examples.vincentcheny.tfrecord'),
  bertBiao: fixture('tfrecord/bert_create_pretraining_data/tf_examples.BiaoLiu2017.tfrecord'),
  penguinEval: fixture('tfrecord/tfx_penguin/Split-eval/data_tfrecord-00000-of-00001.gz'),
  penguinTrain: fixture('tfrecord/tfx_penguin/Split-train/data_tfrecord-00000-of-00001.gz'),
  nextPage: fixture('tfrecord/tfx_tfjs_next_page/data.tfrecord.gz'),
};
const EXPECTED_COUNTS: Record<keyof typeof FIXTURES, number> = {
  bertVincent: 60,
  bertBiao: 60,
  penguinEval: 100,
  penguinTrain: 234,
  nextPage: 100,
};

async function readAll(path: string, options = {}): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const payload of readTfRecords(path, options)) out.push(payload);
  return out;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** Reads an in-memory file image through the same gzip-detecting path as a file on disk. */
async function readImage(bytes: Uint8Array, source = 'image'): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const entry of readTfRecordEntriesFromChunks(once(bytes), { source })) out.push(entry.payload);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<TfRecordError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TfRecordError);
    return error as TfRecordError;
  }
  throw new Error('expected a TfRecordError');
}

describe('reading the TFRecord fixtures', () => {
  for (const [name, lookup] of Object.entries(FIXTURES) as [keyof typeof FIXTURES, (typeof FIXTURES)[keyof typeof FIXTURES]][]) {
    test.skipIf(!lookup.present)(`${name}: streaming read, count and in-memory decode agree (${EXPECTED_COUNTS[name]} records)`, async () => {
      const streamed = await readAll(lookup.path, { chunkBytes: 1000 });
      expect(streamed).toHaveLength(EXPECTED_COUNTS[name]);
      expect(await countTfRecords(lookup.path)).toBe(EXPECTED_COUNTS[name]);
      expect(await countTfRecords(lookup.path, { verifyPayloads: true })).toBe(EXPECTED_COUNTS[name]);
      const file = readFileSync(lookup.path);
      const gz = lookup.path.endsWith('.gz');
      expect(decodeTfRecords(gz ? gunzipSync(file) : file)).toEqual(streamed);
    });
  }

  test.skipIf(!FIXTURES.nextPage.present)('gzip can be forced; forcing "uncompressed" on a gzip file fails at record 0', async () => {
    expect(await readAll(FIXTURES.nextPage.path, { gzip: true })).toHaveLength(100);
    const error = await rejection(readAll(FIXTURES.nextPage.path, { gzip: false }));
    expect(error.message).toMatch(/^.*data\.tfrecord\.gz: record 0 at byte offset 0: length CRC mismatch/);
  });

  test.skipIf(!FIXTURES.nextPage.present)('offsets of gzip records are in the decompressed stream', async () => {
    const entries = [];
    for await (const entry of readTfRecordEntries(FIXTURES.nextPage.path)) entries.push(entry);
    const raw = gunzipSync(readFileSync(FIXTURES.nextPage.path));
    for (const entry of entries) {
      expect(entry.decompressed).toBe(true);
      const length = raw.readUInt32LE(entry.offset);
      expect(raw.subarray(entry.offset + 12, entry.offset + 12 + length)).toEqual(Buffer.from(entry.payload));
    }
  });
});

describe('TfRecordWriter', () => {
  test.skipIf(!FIXTURES.bertVincent.present)('re-framing the BERT fixture payloads reproduces the TensorFlow-written file byte for byte', async () => {
    const original = readFileSync(FIXTURES.bertVincent.path);
    const payloads = await readAll(FIXTURES.bertVincent.path);
    const out = join(scratch, 'bert-copy.tfrecord');
    expect(await writeTfRecordFile(out, payloads)).toBe(60);
    expect(readFileSync(out).equals(original)).toBe(true);
  });

  test.skipIf(!FIXTURES.penguinTrain.present)('gzip writing: the gunzipped bytes equal the gunzipped fixture, and it reads back', async () => {
    const original = gunzipSync(readFileSync(FIXTURES.penguinTrain.path));
    const payloads = await readAll(FIXTURES.penguinTrain.path);
    const out = join(scratch, 'penguin-copy.tfrecord.gz');
    await writeTfRecordFile(out, payloads, { gzip: true });
    const written = readFileSync(out);
    expect([written[0], written[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(written).equals(original)).toBe(true);
    expect(await readAll(out)).toEqual(payloads);
  });

  test('atomic mode leaves the target untouched until close, then renames; abort removes the temp file', async () => {
    const target = join(scratch, 'atomic.tfrecord');
    writeFileSync(target, 'old contents');
    const writer = await TfRecordWriter.open(target, { atomic: true });
    await writer.write(utf8('one'));
    await writer.write(utf8('two'));
    expect(readFileSync(target, 'utf8')).toBe('old contents');
    expect(readdirSync(scratch).filter((f) => f.startsWith('.atomic.tfrecord.tmp-'))).toHaveLength(1);
    await writer.close();
    expect(await readAll(target)).toEqual([utf8('one'), utf8('two')]);
    expect(readdirSync(scratch).filter((f) => f.startsWith('.atomic.tfrecord.tmp-'))).toHaveLength(0);

    const aborted = await TfRecordWriter.open(join(scratch, 'never.tfrecord'), { atomic: true, gzip: true });
    await aborted.write(utf8('x'));
    await aborted.abort();
    expect(existsSync(join(scratch, 'never.tfrecord'))).toBe(false);
    expect(readdirSync(scratch).filter((f) => f.startsWith('.never.tfrecord'))).toHaveLength(0);
  });

  test('writing after close and opening in a missing directory fail clearly', async () => {
    const writer = await TfRecordWriter.open(join(scratch, 'closed.tfrecord'));
    await writer.close();
    await expect(writer.write(utf8('late'))).rejects.toThrow(/closed\.tfrecord: TFRecord writer is already closed/);
    await expect(TfRecordWriter.open(join(scratch, 'no', 'such', 'dir.tfrecord'))).rejects.toThrow(/ENOENT/);
  });

  test('200k small records stream through writer, reader and counter (plain and gzip)', async () => {
    const recordCount = 200_000;
    function* records(): Generator<Uint8Array> {
      for (let i = 0; i < recordCount; i++) yield utf8(`record-${i}`);
    }
    for (const gzip of [false, true]) {
      const path = join(scratch, `big${gzip ? '.gz' : ''}`);
      expect(await writeTfRecordFile(path, records(), { gzip })).toBe(recordCount);
      let count = 0;
      let lastMatches = true;
      for await (const entry of readTfRecordEntries(path, { chunkBytes: 64 * 1024 })) {
        if (entry.index !== count) lastMatches = false;
        count++;
        if (count === recordCount) lastMatches &&= new TextDecoder().decode(entry.payload) === `record-${recordCount - 1}`;
      }
      expect(count).toBe(recordCount);
      expect(lastMatches).toBe(true);
      expect(await countTfRecords(path)).toBe(recordCount);
    }
  });
});

describe('corruption and truncation', () => {
  test.skipIf(!FIXTURES.bertBiao.present)('every single-byte flip in the first two records, and every 61st byte after, throws the right check at the right record', async () => {
    const original = readFileSync(FIXTURES.bertBiao.path);
    const offsets: number[] = [];
    for (let at = 0; at < original.length; ) {
      offsets.push(at);
      at += 12 + original.readUInt32LE(at) + 4;
    }
    const recordAt = (position: number): number => offsets.filter((o) => o <= position).pop() as number;
    const positions = [...Array.from({ length: offsets[2] }, (_, i) => i)];
    for (let p = offsets[2]; p < original.length; p += 61) positions.push(p);
    expect(positions.length).toBeGreaterThan(2000);
    for (const position of positions) {
      const corrupt = Buffer.from(original);
      corrupt[position] ^= 0x20;
      let error: unknown;
      try {
        decodeTfRecords(corrupt, { source: 'bert.tfrecord' });
      } catch (e) {
        error = e;
      }
      expect(error, `flip at ${position}`).toBeInstanceOf(TfRecordError);
      const record = recordAt(position);
      expect((error as TfRecordError).offset).toBe(record);
      expect((error as TfRecordError).check).toBe(position - record < 12 ? 'length crc' : 'payload crc');
      expect((error as Error).message.startsWith(`bert.tfrecord: record ${offsets.indexOf(record)} at byte offset ${record}: `)).toBe(true);
    }
  });

  test.skipIf(!FIXTURES.bertBiao.present)('the streaming file reader reports a flipped byte with the file path and offset', async () => {
    const corrupt = Buffer.from(readFileSync(FIXTURES.bertBiao.path));
    const record3 = [0, 1, 2].reduce((at) => at + 12 + corrupt.readUInt32LE(at) + 4, 0);
    corrupt[record3 + 100] ^= 0x01;
    const path = join(scratch, 'flipped.tfrecord');
    writeFileSync(path, corrupt);
    const error = await rejection(readAll(path, { chunkBytes: 777 }));
    expect(error.message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: record 3 at byte offset ${record3}: payload CRC mismatch`));
  });

  test.skipIf(!FIXTURES.nextPage.present)('every single-byte flip of a gzip fixture throws or yields exactly the original records', async () => {
    const file = readFileSync(FIXTURES.nextPage.path);
    const original = await readImage(file);
    let threw = 0;
    const silent: number[] = [];
    for (let position = 0; position < file.length; position++) {
      const corrupt = Buffer.from(file);
      corrupt[position] ^= 0x04;
      let records: Uint8Array[] | undefined;
      try {
        records = await readImage(corrupt, 'next.gz');
      } catch (error) {
        threw++;
        expect((error as Error).message).toMatch(/^next\.gz: record \d+ at (decompressed )?byte offset \d+/);
        continue;
      }
      expect(records, `flip at ${position} changed the records silently`).toEqual(original);
      silent.push(position);
    }
    // Only gzip header fields that carry no data (MTIME, XFL, OS, the stored file name) may change
    // silently: everything from the deflate data on is covered by zlib and the TFRecord CRCs.
    expect(file[3]).toBe(0x08); // FLG = FNAME only
    const headerEnd = file.indexOf(0, 10) + 1;
    expect(silent.every((position) => position < headerEnd)).toBe(true);
    expect(threw + silent.length).toBe(file.length);
  });

  test('truncating a gzip file gives a read error in decompressed terms', async () => {
    const image = gzipSync(encodeTfRecords([utf8('alpha'), utf8('beta'), utf8('gamma')]));
    for (const cut of [5, 12, image.length - 8, image.length - 1]) {
      const error = await rejection(readImage(image.subarray(0, cut), 't.gz'));
      expect(error.message).toMatch(/^t\.gz: record \d at decompressed byte offset \d+ \(gzip file: the offset is in the gunzipped stream\): /);
      expect(error.message).toMatch(/gzip decompression failed|truncated/);
    }
  });

  test('truncating a plain file at several points names the check', async () => {
    const image = encodeTfRecords([utf8('alpha'), utf8('beta')]);
    const path = join(scratch, 'cut.tfrecord');
    const cases: [number, string][] = [
      [3, 'record 0 at byte offset 0: truncated header: the stream ends after 3 of 12 header bytes'],
      [12 + 2, 'record 0 at byte offset 0: truncated payload: the header announces 5 payload bytes plus a 4-byte CRC, but the stream ends after 2 of them'],
      [21 + 11, 'record 1 at byte offset 21: truncated header: the stream ends after 11 of 12 header bytes'],
      [image.length - 1, 'record 1 at byte offset 21: truncated payload: the header announces 4 payload bytes plus a 4-byte CRC, but the stream ends after 7 of them'],
    ];
    for (const [cut, expected] of cases) {
      writeFileSync(path, image.subarray(0, cut));
      const error = await rejection(readAll(path));
      expect(error.message).toBe(`${path}: ${expected}`);
      await expect(countTfRecords(path)).rejects.toThrow(expected);
    }
  });
});
