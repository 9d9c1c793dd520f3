// Bundle protos on the wire: bytes copied from the half_plus_two fixture index (MANIFEST §1c) and
// hand-encoded messages.
import { describe, expect, test } from 'vitest';
import { decodeBundleEntry, decodeBundleHeader, encodeBundleEntry, encodeBundleHeader, formatSlice, type BundleEntry } from './bundle-proto.js';

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/ /g, ''), 'hex'));

describe('BundleHeaderProto', () => {
  test('TF header: num_shards 1, endianness LITTLE (absent), version {producer 1}', () => {
    const wire = bytes('08 01 1a 02 08 01');
    const header = decodeBundleHeader(wire, 'h');
    expect(header).toEqual({ numShards: 1, endianness: 'little', version: { producer: 1, minConsumer: 0, badConsumers: [] } });
    expect(Array.from(encodeBundleHeader(header))).toEqual(Array.from(wire));
  });

  test('big endian, min_consumer and packed or unpacked bad_consumers', () => {
    // num_shards 3, endianness BIG, version {producer 2, min_consumer 1, bad_consumers [4] unpacked, [5, 6] packed}
    const header = decodeBundleHeader(bytes('08 03 10 01 1a 0a 08 02 10 01 18 04 1a 02 05 06'), 'h');
    expect(header).toEqual({ numShards: 3, endianness: 'big', version: { producer: 2, minConsumer: 1, badConsumers: [4, 5, 6] } });
    expect(() => decodeBundleHeader(bytes('10 02'), 'x.index header')).toThrow('x.index header: unknown endianness 2 (0 = LITTLE, 1 = BIG)');
  });
});

describe('BundleEntryProto', () => {
  test('entry "b" of saved_model_half_plus_two: float32 [], offset 4, size 4, crc 0x4f78fd10', () => {
    const wire = bytes('08 01 12 00 20 04 28 04 35 10 fd 78 4f');
    const entry = decodeBundleEntry(wire, 'b');
    expect(entry).toEqual({ dtype: 'float32', dtypeEnum: 1, shape: [], shardId: 0, offset: 4, size: 4, crc32c: 0x4f78fd10, slices: [] });
    expect(Array.from(encodeBundleEntry(entry))).toEqual(Array.from(wire));
  });

  test('shape dims, multi-byte varints and a size-0 dim (written as an empty Dim)', () => {
    const entry: BundleEntry = { dtype: 'int64', dtypeEnum: 9, shape: [30522, 0, 128], shardId: 2, offset: 15_891_456, size: 0, crc32c: 1, slices: [] };
    const wire = encodeBundleEntry(entry);
    // dtype 9; shape (13 bytes) {dim{size 30522 = ba ee 01}, dim{}, dim{size 128 = 80 01}}; shard 2;
    // offset 15891456 = 0xf27c00 → 7-bit groups 0x00, 0x78, 0x49, 0x07 = 80 f8 c9 07; crc 1 as fixed32
    expect(Buffer.from(wire).toString('hex')).toBe('0809' + '120d' + '1204' + '08baee01' + '1200' + '1203' + '088001' + '1802' + '2080f8c907' + '3501000000');
    expect(decodeBundleEntry(wire, 'e')).toEqual(entry);
  });

  test('slices: extents with and without length, length 0 kept (oneof)', () => {
    const entry: BundleEntry = {
      dtype: 'float32', dtypeEnum: 1, shape: [4, 3], shardId: 0, offset: 0, size: 0, crc32c: 0,
      slices: [[{ start: 0, length: 2 }, { start: 0 }], [{ start: 2, length: 0 }, { start: 0 }]],
    };
    const decoded = decodeBundleEntry(encodeBundleEntry(entry), 'p');
    expect(decoded.slices).toEqual(entry.slices);
    expect(decoded.slices.map(formatSlice)).toEqual(['0,2:-', '2,0:-']);
  });

  test('unknown fields are skipped; unknown dtypes keep their enum', () => {
    // dtype 99, field 15 (varint 7), field 16 (bytes "hi"), size 8
    const entry = decodeBundleEntry(bytes('08 63 78 07 82 01 02 68 69 28 08'), 'e');
    expect(entry.dtype).toBeUndefined();
    expect(entry.dtypeEnum).toBe(99);
    expect(entry.size).toBe(8);
  });

  test('malformed entries name the field', () => {
    expect(() => decodeBundleEntry(bytes('22 01 00'), 'x.index entry "w"')).toThrow('x.index entry "w": field 4 (offset) has wire type 2, expected 0');
    expect(() => decodeBundleEntry(bytes('12 05 12 01'), 'x.index entry "w"')).toThrow('x.index entry "w": field 2 claims 5 bytes at byte 2, past the end (byte 4)');
    // dim size -1 (10-byte two's complement varint)
    const negative = bytes('12 0d 12 0b 08 ff ff ff ff ff ff ff ff ff 01');
    expect(() => decodeBundleEntry(negative, 'e')).toThrow('e shape: shape [-1] has a negative dimension at axis 0');
    expect(() => decodeBundleEntry(bytes('35 01 02'), 'e')).toThrow('e: field 6 fixed32 runs past the end');
    expect(() => decodeBundleEntry(bytes('28 80'), 'e')).toThrow('e: field 5 varint at byte 1 runs past the end (byte 2)');
  });
});
