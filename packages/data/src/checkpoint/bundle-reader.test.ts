// CheckpointReader against the real TensorFlow checkpoints in shared/fixtures (MANIFEST §1).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '@realm/testing';
import { afterAll, describe, expect, test } from 'vitest';
import { CheckpointReader, type CheckpointTensor } from './bundle-reader.js';
import { stringsFromBytes } from './string-tensor.js';
import { MANIFEST_CHECKPOINTS } from './manifest-expectations.test-data.js';

const scratch = mkdtempSync(join(tmpdir(), 'realm-ckpt-read-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function readAll(prefix: string): Promise<Map<string, CheckpointTensor>> {
  const reader = await CheckpointReader.open(prefix);
  try {
    const out = new Map<string, CheckpointTensor>();
    for (const entry of reader.list()) out.set(entry.name, await reader.read(entry.name));
    return out;
  } finally {
    await reader.close();
  }
}

describe.each(MANIFEST_CHECKPOINTS)('fixture $prefix', ({ prefix, rows }) => {
  const f = fixture(prefix + '.index');
  const path = f.path.replace(/\.index$/, '');
  const indexOnly = prefix.includes('index_only');

  test.skipIf(!f.present)('lists the names, dtypes, shapes, offsets, sizes and CRCs the MANIFEST gives', async () => {
    const reader = await CheckpointReader.open(path);
    const listed = new Map(reader.list().map((e) => [e.name, e]));
    for (const [name, dtype, shape, offset, size, crc] of rows) {
      expect(listed.get(name), name).toMatchObject({ name, dtype, shape, offset, size, crc32c: crc, shardId: 0, slices: [] });
    }
    if (!prefix.includes('keras_bert')) expect(reader.list().map((e) => e.name)).toEqual(rows.map((r) => r[0]));
    expect(reader.header).toEqual({ numShards: 1, endianness: 'little', version: { producer: 1, minConsumer: 0, badConsumers: [] } });
  });

  // The index-only checkpoint has no data shard: its loading error is tested below.
  if (!indexOnly) test.skipIf(!f.present)('reads every tensor with a verified CRC and the MANIFEST values', async () => {
    const tensors = await readAll(path);
    expect(tensors.size).toBeGreaterThanOrEqual(rows.length);
    for (const [name, dtype, shape, , size, , values] of rows) {
      const tensor = tensors.get(name)!;
      expect(tensor.dtype).toBe(dtype);
      expect(tensor.shape).toEqual(shape);
      if (dtype === 'string') {
        expect((tensor.values as Uint8Array[]).length).toBe(1);
      } else {
        expect(tensor.values.length * (tensor.values as Float32Array).BYTES_PER_ELEMENT).toBe(size);
      }
      if (values === null) continue;
      // MANIFEST prints 9 significant digits, which identify a float32 exactly.
      const expected = dtype === 'int64' ? values.map(BigInt) : values.map(Math.fround);
      expect(Array.from(tensor.values as Float32Array)).toEqual(expected);
    }
  });
});

describe('specific fixtures', () => {
  const bert = fixture('tf_checkpoints/keras_bert_tiny/bert_model.ckpt.index');
  test.skipIf(!bert.present)('keras_bert_tiny: 139 tensors = 46 variables, their adam_m/adam_v slots, global_step', async () => {
    const reader = await CheckpointReader.open(bert.path);
    const entries = reader.list();
    expect(entries).toHaveLength(139);
    const variables = entries.filter((e) => !/\/adam_[mv]$/.test(e.name) && e.name !== 'global_step');
    expect(variables).toHaveLength(46);
    const byName = new Map(entries.map((e) => [e.name, e]));
    for (const v of variables) {
      const m = byName.get(`${v.name}/adam_m`)!;
      const s = byName.get(`${v.name}/adam_v`)!;
      expect([m.shape, s.shape]).toEqual([v.shape, v.shape]);
      expect([m.offset, s.offset]).toEqual([v.offset + v.size, v.offset + 2 * v.size]); // slots follow their variable
    }
    expect(entries.reduce((sum, e) => sum + e.size, 0)).toBe(8420); // = data shard size
  });

  const tf2 = fixture('tf_checkpoints/tf_serving/saved_model_half_plus_two_tf2_cpu/variables.index');
  test.skipIf(!tf2.present)('TF2 object graph: a 613-byte DT_STRING stored after the floats (data order ≠ key order)', async () => {
    const tensors = await readAll(tf2.path.replace(/\.index$/, ''));
    const graph = (tensors.get('_CHECKPOINTABLE_OBJECT_GRAPH')!.values as Uint8Array[])[0];
    expect(graph.length).toBe(613);
    // TrackableObjectGraph starts with field 1 (nodes, length-delimited) and names variable "a".
    expect(graph[0]).toBe(0x0a);
    expect(Buffer.from(graph).includes(Buffer.from('VARIABLE_VALUE'))).toBe(true);
  });

  const text = fixture('tf_checkpoints/tf_serving/tf_text_regression/variables.index');
  test.skipIf(!text.present)('tf_text_regression: the only tensor is a 921-byte object graph', async () => {
    const tensors = await readAll(text.path.replace(/\.index$/, ''));
    expect([...tensors.keys()]).toEqual(['_CHECKPOINTABLE_OBJECT_GRAPH']);
    expect((tensors.get('_CHECKPOINTABLE_OBJECT_GRAPH')!.values as Uint8Array[])[0].length).toBe(921);
  });

  const indexOnly = fixture('tf_checkpoints/google_bert_tiny_uncased_L-2_H-128_A-2_index_only/bert_model.ckpt.index');
  test.skipIf(!indexOnly.present)('index-only BERT-Tiny: lists 46 tensors summing to the absent 17,733,872-byte shard; load names the missing file', async () => {
    const prefix = indexOnly.path.replace(/\.index$/, '');
    const reader = await CheckpointReader.open(prefix);
    expect(reader.list().reduce((sum, e) => sum + e.size, 0)).toBe(17_733_872);
    await expect(reader.read('bert/pooler/dense/bias')).rejects.toThrow(
      `cannot load "bert/pooler/dense/bias": data shard ${prefix}.data-00000-of-00001 does not exist (the checkpoint ${prefix} has an index but not this data file)`,
    );
    await expect(reader.read('bert/nope')).rejects.toThrow(`tensor "bert/nope" not found in checkpoint ${prefix} (46 tensors`);
  });

  test('a missing checkpoint names the files tried', async () => {
    const missing = join(scratch, 'none', 'model.ckpt');
    await expect(CheckpointReader.open(missing)).rejects.toThrow(`no checkpoint at ${missing}: tried ${missing}.index (none exists)`);
    await expect(CheckpointReader.open(`${missing}.index`)).rejects.toThrow(`tried ${missing}.index (none exists)`);
    await expect(CheckpointReader.open(scratch)).rejects.toThrow(`tried ${join(scratch, 'variables', 'variables')}.index, ${scratch}.index`);
  });

  test('stringsFromBytes decodes UTF-8 and names the first invalid element', () => {
    expect(stringsFromBytes([Uint8Array.of(0x68, 0x69), new Uint8Array(0)], 'x')).toEqual(['hi', '']);
    expect(() => stringsFromBytes([Uint8Array.of(0x61), Uint8Array.of(0xff)], 't')).toThrow('t: string element 1 is not valid UTF-8');
  });
});

/**
 * Flips every byte of a checkpoint's .index and .data in turn. Every byte of these files is used:
 * blocks and their trailers are covered by the block CRC, the footer handles point at CRC-checked
 * blocks, the footer padding must be zero and the magic must match, and each tensor's bytes are
 * covered by its entry CRC (the data shards here hold no alignment padding: size = sum of entries).
 * So each flip must raise an error; none may yield different values.
 */
describe.each([
  'tf_checkpoints/tf_serving/saved_model_half_plus_two_2_versions/variables',
  'tf_checkpoints/tf_serving/saved_model_half_plus_two_cpu/variables',
  'tf_checkpoints/tf_serving/saved_model_half_plus_two_tf2_cpu/variables',
])('every single-byte corruption of %s is detected', (prefix) => {
  const f = fixture(prefix + '.index');
  test.skipIf(!f.present)('flipping any byte (xor 0xff and xor 0x01) throws', async () => {
    const source = f.path.replace(/\.index$/, '');
    const files = { index: readFileSync(`${source}.index`), data: readFileSync(`${source}.data-00000-of-00001`) };
    const original = await readAll(source);
    const entries = [...original.keys()];
    // No byte of the data shard lies outside every entry's range.
    const reader = await CheckpointReader.open(source);
    expect(reader.list().reduce((sum, e) => sum + e.size, 0)).toBe(files.data.length);
    const target = join(scratch, prefix.replace(/\//g, '_'));
    const undetected: string[] = [];
    for (const which of ['index', 'data'] as const) {
      for (let i = 0; i < files[which].length; i++) {
        for (const mask of [0xff, 0x01]) {
          const corrupt = { index: Buffer.from(files.index), data: Buffer.from(files.data) };
          corrupt[which][i] ^= mask;
          writeFileSync(`${target}.index`, corrupt.index);
          writeFileSync(`${target}.data-00000-of-00001`, corrupt.data);
          try {
            const values = await readAll(target);
            const same = [...values.keys()].join() === entries.join() &&
              entries.every((n) => JSON.stringify(values.get(n), replacer) === JSON.stringify(original.get(n), replacer));
            undetected.push(`${which} byte ${i} ^ ${mask}: ${same ? 'same values' : 'DIFFERENT values'}`);
          } catch (error) {
            expect((error as Error).message.length).toBeGreaterThan(20);
          }
        }
      }
    }
    expect(undetected).toEqual([]);
  });
});

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (ArrayBuffer.isView(value)) return Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  return value;
}
