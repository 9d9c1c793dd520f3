import { expect, test } from 'vitest';
import { ExactMipsIndex, MIPS_HEADER_BYTES } from '../src/index.js';
import { randomMatrix } from './reference.js';

test('serialize → load round trip keeps dim, ids and exact values', async () => {
  const dim = 6;
  const vectors = randomMatrix(3, 23, dim);
  const index = new ExactMipsIndex(dim, { threads: 1, chunkRows: 10 });
  index.add(vectors);
  const bytes = index.serialize();
  expect(bytes.length).toBe(MIPS_HEADER_BYTES + 23 * dim * 4);
  expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('REALMIPS');
  const loaded = ExactMipsIndex.load(bytes);
  expect(loaded.dim).toBe(dim);
  expect(loaded.size).toBe(23);
  for (const id of [0, 9, 10, 22]) expect(Array.from(loaded.reconstruct(id))).toEqual(Array.from(vectors.subarray(id * dim, (id + 1) * dim)));
  const queries = randomMatrix(4, 3, dim);
  expect(await loaded.search(queries, 4)).toEqual(await index.search(queries, 4));
  // An unaligned copy (byteOffset 1) loads too.
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  expect(ExactMipsIndex.load(shifted.subarray(1)).size).toBe(23);
  expect(ExactMipsIndex.load(new ExactMipsIndex(3).serialize()).size).toBe(0);
});

test('a flipped byte anywhere is detected with a message naming the damaged part', () => {
  const index = new ExactMipsIndex(4, { threads: 1 });
  index.add(randomMatrix(5, 7, 4));
  const bytes = index.serialize();
  const flip = (offset: number): Uint8Array => {
    const copy = bytes.slice();
    copy[offset] ^= 0x10;
    return copy;
  };
  expect(() => ExactMipsIndex.load(flip(MIPS_HEADER_BYTES + 50))).toThrow(/^MIPS index: payload checksum mismatch \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\): the vectors are corrupt$/);
  expect(() => ExactMipsIndex.load(flip(bytes.length - 1))).toThrow('payload checksum mismatch');
  expect(() => ExactMipsIndex.load(flip(16))).toThrow('header checksum mismatch');
  expect(() => ExactMipsIndex.load(flip(27))).toThrow('MIPS index: header checksum mismatch');
  // The stored payload CRC is itself covered by the header CRC.
  expect(() => ExactMipsIndex.load(flip(33))).toThrow('MIPS index: header checksum mismatch');
  expect(() => ExactMipsIndex.load(flip(2))).toThrow('MIPS index: bad magic "REQLMIPS" (expected "REALMIPS")');
  expect(() => ExactMipsIndex.load(bytes.subarray(0, 30))).toThrow('MIPS index: 30 bytes is shorter than the 40-byte header');
  expect(() => ExactMipsIndex.load(bytes.subarray(0, bytes.length - 4))).toThrow(
    `MIPS index: size ${bytes.length - 4} bytes does not match the header (7 rows × dim 4 float32 = ${bytes.length} bytes)`,
  );
  // Hand-built header fields: dim at 16, dtype at 20, count (u64) at 24.
  const view = new DataView(bytes.buffer);
  expect([view.getUint32(8, true), view.getUint32(12, true), view.getUint32(16, true), view.getUint32(20, true), view.getBigUint64(24, true)]).toEqual([1, 40, 4, 0, 7n]);
  const future = bytes.slice();
  new DataView(future.buffer).setUint32(8, 2, true);
  expect(() => ExactMipsIndex.load(future)).toThrow('MIPS index: unsupported format version 2 (this reader knows 1)');
});
