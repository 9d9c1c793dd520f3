// writeCheckpoint: bit-exact round trips, byte-for-byte agreement with TensorFlow-written fixtures,
// atomic writes, and reader errors on hand-built bundles (partitioned, big-endian, corrupt).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '@realm/testing';
import { afterAll, describe, expect, test } from 'vitest';
import { crc32c, maskCrc } from '../formats/crc32c.js';
import { decodeBundleEntry, encodeBundleEntry, encodeBundleHeader, type BundleEntry } from './bundle-proto.js';
import { CheckpointReader, type CheckpointTensor } from './bundle-reader.js';
import { encodeBundleIndex, writeCheckpoint, type TensorToWrite } from './bundle-writer.js';
import { readTable } from './sstable-reader.js';
import { buildTable } from './sstable-writer.js';

const scratch = mkdtempSync(join(tmpdir(), 'realm-ckpt-write-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const utf8 = new TextEncoder();
const f32 = (...bits: number[]): Float32Array => new Float32Array(new Uint32Array(bits).buffer);

function rawBytes(values: CheckpointTensor['values'] | TensorToWrite['data']): number[][] {
  if (Array.isArray(values)) return values.map((v) => Array.from(typeof v === 'string' ? utf8.encode(v) : (v as Uint8Array)));
  const view = values as Uint8Array;
  return [Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength))];
}

async function roundTrip(prefix: string, tensors: [string, TensorToWrite][]): Promise<Map<string, CheckpointTensor>> {
  await writeCheckpoint(prefix, tensors);
  const reader = await CheckpointReader.open(prefix);
  const out = new Map<string, CheckpointTensor>();
  for (const e of reader.list()) out.set(e.name, await reader.read(e.name));
  await reader.close();
  return out;
}

describe('round trip through CheckpointReader is bit-identical', () => {
  test('every fixed-size dtype, NaN payloads, -0, extremes, empty and multi-dimensional shapes', async () => {
    const tensors: [string, TensorToWrite][] = [
      ['f32', { dtype: 'float32', shape: [2, 3], data: f32(0x7fc00001, 0xffa00000, 0x80000000, 0x7f800000, 0x00000001, 0x3f800000) }],
      ['f64', { dtype: 'float64', shape: [3], data: new Float64Array(new BigUint64Array([0x7ff0000000000001n, 0x8000000000000000n, 0x3ff0000000000000n]).buffer) }],
      ['i64', { dtype: 'int64', shape: [3], data: BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n, 20n) }],
      ['u64', { dtype: 'uint64', shape: [1], data: BigUint64Array.of(2n ** 64n - 1n) }],
      ['i32', { dtype: 'int32', shape: [2], data: Int32Array.of(-2147483648, 2147483647) }],
      ['u32', { dtype: 'uint32', shape: [], data: Uint32Array.of(4294967295) }],
      ['i16', { dtype: 'int16', shape: [1, 1], data: Int16Array.of(-32768) }],
      ['u16', { dtype: 'uint16', shape: [1], data: Uint16Array.of(65535) }],
      ['i8', { dtype: 'int8', shape: [2], data: Int8Array.of(-128, 127) }],
      ['u8', { dtype: 'uint8', shape: [2], data: Uint8Array.of(0, 255) }],
      ['bool', { dtype: 'bool', shape: [3], data: Uint8Array.of(1, 0, 1) }],
      ['bf16', { dtype: 'bfloat16', shape: [2], data: Uint16Array.of(0x3f80, 0x7fc1) }],
      ['f16', { dtype: 'float16', shape: [2], data: Uint16Array.of(0x3c00, 0x7d01) }],
      ['c64', { dtype: 'complex64', shape: [2], data: Float32Array.of(1, -1, 0.5, 2) }],
      ['c128', { dtype: 'complex128', shape: [1], data: Float64Array.of(Math.PI, -Math.E) }],
      ['empty', { dtype: 'float32', shape: [2, 0, 5], data: new Float32Array(0) }],
    ];
    const read = await roundTrip(join(scratch, 'all', 'model.ckpt'), tensors);
    expect([...read.keys()]).toEqual(tensors.map(([n]) => n).sort());
    for (const [name, t] of tensors) {
      const back = read.get(name)!;
      expect([back.dtype, back.shape]).toEqual([t.dtype, t.shape]);
      expect(rawBytes(back.values), name).toEqual(rawBytes(t.data));
      expect(back.values.constructor).toBe(t.data.constructor);
    }
  });

  test('string tensors: empty strings, non-UTF-8 bytes, multi-byte text, zero elements', async () => {
    const strings = ['', 'hello', Uint8Array.of(0xff, 0xfe, 0x00, 0x80), 'ÿ→💡', '', 'x'.repeat(300)];
    const read = await roundTrip(join(scratch, 'str', 'ckpt'), [
      ['s', { dtype: 'string', shape: [2, 3], data: strings }],
      ['none', { dtype: 'string', shape: [0], data: [] }],
      ['scalar', { dtype: 'string', shape: [], data: [''] }],
    ]);
    expect(rawBytes(read.get('s')!.values)).toEqual(rawBytes(strings));
    expect(read.get('none')!.values).toEqual([]);
    expect(rawBytes(read.get('scalar')!.values)).toEqual([[]]);
  });

  test('thousands of entries and a 4 MiB tensor: several index data blocks at TF block size', async () => {
    const tensors: [string, TensorToWrite][] = [];
    for (let i = 0; i < 6000; i++) {
      // The varying part leads, so prefix compression cannot shrink the keys: ~85 bytes per entry.
      tensors.push([`${String(i).padStart(5, '0')}/bert/encoder/layer_${i % 24}/attention/self/query/kernel/adam_m`, { dtype: 'int32', shape: [1], data: Int32Array.of(i) }]);
    }
    const big = Float32Array.from({ length: 1 << 20 }, (_, i) => Math.fround(Math.sin(i)));
    tensors.push(['big', { dtype: 'float32', shape: [1024, 1024], data: big }]);
    const prefix = join(scratch, 'many', 'ckpt');
    await writeCheckpoint(prefix, tensors);
    const reader = await CheckpointReader.open(prefix);
    expect(reader.layout.dataBlocks.length).toBe(2); // ~510 KB of entries in 256 KiB blocks
    expect(reader.list()).toHaveLength(6001);
    const bigBack = (await reader.read('big')).values as Float32Array;
    expect(Buffer.from(bigBack.buffer).equals(Buffer.from(big.buffer))).toBe(true);
    const sample = tensors[4321][0];
    expect(Array.from((await reader.read(sample)).values as Int32Array)).toEqual([4321]);
    await reader.close();
  });

  test('dataAlignment pads with zeros that no entry covers, so flipping them changes nothing', async () => {
    const prefix = join(scratch, 'aligned', 'ckpt');
    const written = await writeCheckpoint(prefix, [['a', { dtype: 'int8', shape: [3], data: Int8Array.of(1, 2, 3) }], ['b', { dtype: 'int8', shape: [1], data: Int8Array.of(4) }]], { dataAlignment: 8 });
    expect([...written.entries.values()].map((e) => e.offset)).toEqual([0, 8]);
    const data = readFileSync(written.dataPath);
    expect(Array.from(data)).toEqual([1, 2, 3, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0]);
    data[5] ^= 0xff; // padding: read by nothing
    writeFileSync(written.dataPath, data);
    const reader = await CheckpointReader.open(prefix);
    expect(Array.from((await reader.read('a')).values as Int8Array)).toEqual([1, 2, 3]);
    await reader.close();
  });
});

describe('agreement with TensorFlow-written fixtures', () => {
  const fixtures = [
    'keras_bert_tiny/bert_model.ckpt', 'keras_xlnet_tiny/xlnet_model.ckpt', 'tf_serving/saved_model_half_plus_two_2_versions/variables',
    'tf_serving/saved_model_half_plus_three/variables', 'tf_serving/saved_model_half_plus_two_mkl/variables', 'tf_serving/saved_model_counter/variables',
    'tf_serving/tf_text_regression/variables', 'tf_serving/saved_model_half_plus_two_cpu/variables', 'tf_serving/saved_model_half_plus_two_tf2_cpu/variables',
  ];
  test.each(fixtures)('%s: same .data bytes, same index entries; same .index bytes when TF stored it uncompressed', async (name) => {
    const f = fixture(`tf_checkpoints/${name}.index`);
    if (!f.present) return;
    const source = await CheckpointReader.open(f.path.replace(/\.index$/, ''));
    const inDataOrder = source.list().sort((a, b) => a.offset - b.offset);
    const tensors: [string, TensorToWrite][] = [];
    for (const e of inDataOrder) {
      const t = await source.read(e.name);
      tensors.push([e.name, { dtype: t.dtype, shape: t.shape, data: t.values }]);
    }
    await source.close();
    const written = await writeCheckpoint(join(scratch, 'fixture', name.replace(/\//g, '_')), tensors);
    expect(Buffer.compare(readFileSync(written.dataPath), readFileSync(source.dataPath(0)))).toBe(0);
    const decode = (file: Uint8Array): [string, BundleEntry | Uint8Array][] =>
      readTable(file, 'x').entries.map((e) => [Buffer.from(e.key).toString(), e.key.length === 0 ? e.value : decodeBundleEntry(e.value, 'x')]);
    const ours = new Uint8Array(readFileSync(written.indexPath));
    const theirs = new Uint8Array(readFileSync(source.indexPath));
    expect(decode(ours)).toEqual(decode(theirs));
    const snappyFixture = source.layout.dataBlocks.some((b) => b.compression !== 0);
    // TF ≥ 1.2 writes uncompressed tables; the two Snappy fixtures came from an older writer, and
    // snappyjs picks different back-references than C++ Snappy, so only their contents agree.
    expect(Buffer.compare(ours, theirs) === 0).toBe(!snappyFixture);
  });
});

describe('atomic writes and input validation', () => {
  test('no temporary files remain; a failed write leaves the previous checkpoint untouched', async () => {
    const dir = join(scratch, 'atomic');
    const prefix = join(dir, 'ckpt');
    await writeCheckpoint(prefix, { v: { dtype: 'float32', shape: [1], data: Float32Array.of(1) } });
    expect(readdirSync(dir).sort()).toEqual(['ckpt.data-00000-of-00001', 'ckpt.index']);
    const before = readFileSync(`${prefix}.index`);
    await expect(writeCheckpoint(prefix, [['ok', { dtype: 'float32', shape: [1], data: Float32Array.of(2) }], ['bad', { dtype: 'float32', shape: [2], data: Float32Array.of(1) }]]))
      .rejects.toThrow('tensor "bad": shape [2] needs 2 Float32Array elements, got 1');
    expect(readdirSync(dir).sort()).toEqual(['ckpt.data-00000-of-00001', 'ckpt.index']);
    expect(Buffer.compare(readFileSync(`${prefix}.index`), before)).toBe(0);
  });

  test('bad tensors are refused with their name', async () => {
    const p = join(scratch, 'invalid', 'ckpt');
    await expect(writeCheckpoint(p, { w: { dtype: 'float32', shape: [1], data: Float64Array.of(1) } })).rejects.toThrow('tensor "w": float32 data must be a Float32Array, got Float64Array');
    await expect(writeCheckpoint(p, { '': { dtype: 'int8', shape: [], data: Int8Array.of(1) } })).rejects.toThrow('tensor names must be non-empty');
    await expect(writeCheckpoint(p, [['a', { dtype: 'int8', shape: [], data: Int8Array.of(1) }], ['a', { dtype: 'int8', shape: [], data: Int8Array.of(1) }]])).rejects.toThrow('duplicate tensor name "a"');
    await expect(writeCheckpoint(p, { b: { dtype: 'bool', shape: [2], data: Uint8Array.of(0, 2) } })).rejects.toThrow('tensor "b": bool element 1 is 2; TF bools are bytes 0 or 1');
    await expect(writeCheckpoint(p, { s: { dtype: 'string', shape: [2], data: ['x'] } })).rejects.toThrow('tensor "s": shape [2] needs 2 strings, got 1');
    await expect(writeCheckpoint(p, { r: { dtype: 'resource', shape: [], data: new Uint8Array(0) } })).rejects.toThrow('tensor "r": dtype resource cannot be written');
  });
});

/** Writes PREFIX.index from raw (key, value) rows and PREFIX.data-00000-of-00001 from `data`. */
function writeRawBundle(prefix: string, rows: [Uint8Array, Uint8Array][], data: Uint8Array): void {
  writeFileSync(`${prefix}.index`, buildTable(rows.map(([key, value]) => ({ key, value }))));
  writeFileSync(`${prefix}.data-00000-of-00001`, data);
}

const LITTLE = { numShards: 1, endianness: 'little' as const, version: { producer: 1, minConsumer: 0, badConsumers: [] } };
const floatEntry = (offset: number, size: number, crc: number, shape: number[] = []): BundleEntry => ({ dtype: 'float32', dtypeEnum: 1, shape, shardId: 0, offset, size, crc32c: crc, slices: [] });

describe('reader errors and variants on hand-built bundles', () => {
  test('partitioned variables are listed with their slices and refused by name on load', async () => {
    const prefix = join(scratch, 'partitioned');
    const slice = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const full: BundleEntry = { ...floatEntry(0, 0, 0, [4]), slices: [[{ start: 0, length: 2 }], [{ start: 2, length: 2 }]] };
    // EncodeTensorNameSlice("emb", 0,2): NumIncreasing(0), OrderedCode string "emb" + 00 01, rank 1, start/length.
    const sliceKey = Uint8Array.of(0x00, 0x65, 0x6d, 0x62, 0x00, 0x01, 0x01, 0x01, 0x80, 0x82);
    writeRawBundle(prefix, [
      [new Uint8Array(0), encodeBundleHeader(LITTLE)],
      [sliceKey, encodeBundleEntry(floatEntry(0, 8, maskCrc(crc32c(slice)), [2]))],
      [utf8.encode('emb'), encodeBundleEntry(full)],
    ], slice);
    const reader = await CheckpointReader.open(prefix);
    expect(reader.list()).toEqual([{ name: 'emb', dtype: 'float32', shape: [4], shardId: 0, offset: 0, size: 0, crc32c: 0, slices: ['0,2', '2,2'] }]);
    expect(reader.sliceEntryCount).toBe(1);
    await expect(reader.read('emb')).rejects.toThrow(`tensor "emb" in ${prefix} is a partitioned variable stored as 2 slices (0,2 2,2); loading partitioned variables is not supported`);
  });

  test('big-endian bundles are byte-swapped, with checksums over the stored bytes', async () => {
    const prefix = join(scratch, 'big-endian');
    const data = Uint8Array.of(0x3f, 0xc0, 0, 0, 0xc0, 0, 0, 0); // float32 1.5, -2 big-endian
    writeRawBundle(prefix, [
      [new Uint8Array(0), encodeBundleHeader({ ...LITTLE, endianness: 'big' })],
      [utf8.encode('w'), encodeBundleEntry(floatEntry(0, 8, maskCrc(crc32c(data)), [2]))],
    ], data);
    const reader = await CheckpointReader.open(prefix);
    expect(Array.from((await reader.read('w')).values as Float32Array)).toEqual([1.5, -2]);
    await reader.close();
  });

  test('tensor checksum mismatch, out-of-range offset, wrong size, newer format, bad header key', async () => {
    const prefix = join(scratch, 'corrupt');
    const data = Uint8Array.of(0, 0, 0x80, 0x3f);
    const good = maskCrc(crc32c(data));
    writeRawBundle(prefix, [
      [new Uint8Array(0), encodeBundleHeader(LITTLE)],
      [utf8.encode('crc'), encodeBundleEntry(floatEntry(0, 4, good ^ 1))],
      [utf8.encode('far'), encodeBundleEntry(floatEntry(2, 4, good))],
      [utf8.encode('size'), encodeBundleEntry(floatEntry(0, 3, good))],
    ], data);
    const reader = await CheckpointReader.open(prefix);
    const dataPath = `${prefix}.data-00000-of-00001`;
    await expect(reader.read('crc')).rejects.toThrow(
      `${dataPath}: tensor "crc" at bytes [0, 4): checksum mismatch (index stores masked CRC32C 0x${(good ^ 1).toString(16).padStart(8, '0')}`,
    );
    await expect(reader.read('far')).rejects.toThrow(`${dataPath}: tensor "far" occupies bytes [2, 6) but the file has only 4 bytes (truncated data shard or corrupt offset)`);
    await expect(reader.read('size')).rejects.toThrow(`${prefix}.index: tensor "size" (float32 []) should be 4 bytes, but its entry says 3`);
    await reader.close();

    writeRawBundle(prefix, [[new Uint8Array(0), encodeBundleHeader({ ...LITTLE, version: { producer: 3, minConsumer: 2, badConsumers: [] } })]], data);
    await expect(CheckpointReader.open(prefix)).rejects.toThrow(`${prefix}.index: checkpoint needs a reader of bundle version ≥ 2; this reader is version 1`);
    writeRawBundle(prefix, [[utf8.encode('x'), encodeBundleEntry(floatEntry(0, 4, good))]], data);
    await expect(CheckpointReader.open(prefix)).rejects.toThrow(`${prefix}.index: the first key is not the empty header key; not a tensor bundle index`);
  });

  test('encodeBundleIndex sorts keys bytewise (UTF-8), not by UTF-16 code units', () => {
    // UTF-16 code units put U+1F600 (d83d de00) before U+FF5E (ff5e); UTF-8 bytes, which TF compares,
    // put U+FF5E (ef bd 9e) before U+1F600 (f0 9f 98 80).
    const entries = new Map([['\u{1F600}', floatEntry(0, 4, 0)], ['\uFF5E', floatEntry(4, 4, 0)], ['a', floatEntry(8, 4, 0)]]);
    const keys = readTable(encodeBundleIndex(entries), 'x').entries.map((e) => Buffer.from(e.key).toString());
    expect(keys).toEqual(['', 'a', '\uFF5E', '\u{1F600}']);
  });
});
