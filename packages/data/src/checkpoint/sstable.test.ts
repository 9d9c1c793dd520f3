// SSTable writer/reader: TF's block cutting, prefix compression and separators, and precise errors
// for every kind of corruption.
import { describe, expect, test } from 'vitest';
import { crc32cUpdate, maskCrc } from '../formats/crc32c.js';
import { parseBlock, readTable, type TableEntry } from './sstable-reader.js';
import { buildTable, findShortestSeparator, findShortSuccessor } from './sstable-writer.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const entry = (key: string, value: string): TableEntry => ({ key: enc.encode(key), value: enc.encode(value) });

/** Re-seals the block at [offset, offset+size) after editing it (type byte + masked CRC). */
function reseal(file: Uint8Array, offset: number, size: number, type = file[offset + size]): void {
  file[offset + size] = type;
  const crc = maskCrc(crc32cUpdate(0, file.subarray(offset, offset + size + 1)));
  new DataView(file.buffer, file.byteOffset).setUint32(offset + size + 1, crc, true);
}

describe('separators (LevelDB BytewiseComparator)', () => {
  test('FindShortestSeparator shortens only when one byte increment fits between the keys', () => {
    const sep = (a: string, b: string): string => dec.decode(findShortestSeparator(enc.encode(a), enc.encode(b)));
    expect(sep('the quick brown fox', 'the who')).toBe('the r');
    expect(sep('abc', 'abd')).toBe('abc'); // 'c' + 1 is not < 'd'
    expect(sep('abc', 'abcdef')).toBe('abc'); // prefix: unchanged
    expect(sep('a/adam_m', 'b')).toBe('a/adam_m'); // 'a' + 1 === 'b'
    expect(sep('a', 'c')).toBe('b');
  });

  test('FindShortSuccessor increments the first non-0xff byte', () => {
    expect(dec.decode(findShortSuccessor(enc.encode('c')))).toBe('d');
    expect(dec.decode(findShortSuccessor(enc.encode('_CHECK')))).toBe('`');
    expect(Array.from(findShortSuccessor(Uint8Array.of(0xff, 0xff, 0x41)))).toEqual([0xff, 0xff, 0x42]);
    expect(Array.from(findShortSuccessor(Uint8Array.of(0xff, 0xff)))).toEqual([0xff, 0xff]);
  });
});

describe('buildTable → readTable', () => {
  test('a hand-worked two-entry table: bytes of block, trailer and footer', () => {
    const table = buildTable([entry('', 'H'), entry('ab', 'v')]);
    // Data block: [shared 0, unshared 0, value 1] "H", [0, 2, 1] "ab" "v", restarts [0], count 1.
    expect(Array.from(table.subarray(0, 18))).toEqual([0, 0, 1, 0x48, 0, 2, 1, 0x61, 0x62, 0x76, 0, 0, 0, 0, 1, 0, 0, 0]);
    // Footer: metaindex (23, 8), index (36, 14 = entry "b" → (0, 18) + restart + count), zero pad, magic.
    const footer = table.subarray(table.length - 48);
    expect(Array.from(footer.subarray(0, 6))).toEqual([23, 8, 36, 14, 0, 0]);
    expect(Array.from(table.subarray(36, 42))).toEqual([0, 1, 2, 0x62, 0, 18]);
    expect(table.length).toBe(36 + 14 + 5 + 48);
    const { entries, layout } = readTable(table, 't');
    expect(entries.map((e) => [dec.decode(e.key), dec.decode(e.value)])).toEqual([['', 'H'], ['ab', 'v']]);
    expect(dec.decode(layout.dataBlocks[0].separator)).toBe('b');
  });

  test('many entries: blocks cut at blockSize, restart every 16 keys, shortest separators', () => {
    const input = Array.from({ length: 2000 }, (_, i) => entry(`bert/encoder/layer_${String(i).padStart(5, '0')}/kernel`, `value-${i}`));
    const table = buildTable(input, { blockSize: 4096 });
    const { entries, layout } = readTable(table, 'many');
    expect(entries.map((e) => dec.decode(e.key))).toEqual(input.map((e) => dec.decode(e.key)));
    expect(entries.map((e) => dec.decode(e.value))).toEqual(input.map((e) => dec.decode(e.value)));
    expect(layout.dataBlocks.length).toBeGreaterThan(10);
    layout.dataBlocks.forEach((block, i) => {
      const contents = table.subarray(block.handle.offset, block.handle.offset + block.handle.size);
      const restarts = new DataView(contents.buffer, contents.byteOffset).getUint32(contents.length - 4, true);
      expect(restarts).toBe(Math.ceil(block.entryCount / 16));
      // TF flushes as soon as the size estimate reaches blockSize, so only the last block is smaller.
      if (i < layout.dataBlocks.length - 1) expect(contents.length).toBeGreaterThanOrEqual(4096);
      if (i < layout.dataBlocks.length - 1) expect(contents.length).toBeLessThan(4096 + 64);
    });
    // Consecutive numbers differ by one in the last digit, so no shorter separator exists: the
    // separator is the block's last key; after the final block it is the short successor "c".
    expect(dec.decode(layout.dataBlocks[0].separator)).toBe(dec.decode(input[layout.dataBlocks[0].entryCount - 1].key));
    expect(dec.decode(layout.dataBlocks.at(-1)!.separator)).toBe('c');
  });

  test('an entry of ≥ 2 × blockSize starts a block of its own (kOverlyLargeBlockRatio)', () => {
    const { layout } = readTable(buildTable([entry('a', 'x'), entry('b', 'y'.repeat(300)), entry('c', 'z')], { blockSize: 128 }), 'big');
    expect(layout.dataBlocks.map((b) => b.entryCount)).toEqual([1, 1, 1]);
  });

  test('snappy blocks are used only when they save 12.5%, and read back', () => {
    const repetitive = Array.from({ length: 50 }, (_, i) => entry(`k${String(i).padStart(3, '0')}`, 'abcabcabcabcabcabc'));
    const compressed = readTable(buildTable(repetitive, { compression: 'snappy' }), 's');
    expect(compressed.layout.dataBlocks[0].compression).toBe(1);
    expect(compressed.entries.map((e) => dec.decode(e.value))).toEqual(repetitive.map(() => 'abcabcabcabcabcabc'));
    const tiny = readTable(buildTable([entry('a', 'b')], { compression: 'snappy' }), 's');
    expect(tiny.layout.dataBlocks[0].compression).toBe(0);
  });

  test('refuses unsorted or duplicate keys', () => {
    expect(() => buildTable([entry('b', ''), entry('a', '')])).toThrow('table keys must be unique and sorted bytewise: "a" after "b"');
    expect(() => buildTable([entry('a', ''), entry('a', '')])).toThrow('"a" after "a"');
  });
});

describe('corruption gives errors naming the file and byte', () => {
  const good = buildTable([entry('', 'H'), entry('ab', 'v')]);

  test('truncated, bad magic, non-zero footer padding', () => {
    expect(() => readTable(good.subarray(0, 40), 'x.index')).toThrow('x.index: 40 bytes is too short for a table (the footer alone is 48 bytes); truncated index?');
    expect(() => readTable(good.subarray(0, good.length - 1), 'x.index')).toThrow(`x.index: bad table magic at byte ${good.length - 9}`);
    const padded = good.slice();
    padded[good.length - 20] = 1;
    expect(() => readTable(padded, 'x.index')).toThrow(`x.index footer (byte ${good.length - 48}): padding byte ${good.length - 20} is 0x1, expected 0 (corrupt footer)`);
  });

  test('block checksum mismatch and handles past the footer', () => {
    const flipped = good.slice();
    flipped[3] ^= 0x20;
    expect(() => readTable(flipped, 'x.index')).toThrow(/^x\.index: data block 0 at byte 0 \(18 bytes\): block checksum mismatch \(stored masked CRC32C 0x[0-9a-f]{8} = CRC 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)$/);
    const farIndex = good.slice();
    farIndex[good.length - 48 + 2] = 100; // index block offset → 100
    expect(() => readTable(farIndex, 'x.index')).toThrow('x.index: index block at byte 100 (14 bytes) plus its 5-byte trailer extends past byte 55, where the footer starts');
  });

  test('unknown compression type and malformed block contents behind a valid CRC', () => {
    const typed = good.slice();
    reseal(typed, 0, 18, 7);
    expect(() => readTable(typed, 'x.index')).toThrow('x.index: data block 0 at byte 0 (18 bytes): unknown block compression type 7 (0 = none, 1 = Snappy)');
    const shared = good.slice();
    shared[4] = 5; // second entry claims to share 5 bytes with the 0-byte key ""
    reseal(shared, 0, 18);
    expect(() => readTable(shared, 'x.index')).toThrow('x.index: data block 0 (byte 0): entry at byte 4 shares 5 key bytes with a 0-byte previous key');
    const restarts = good.slice();
    restarts[14] = 9; // 9 restarts cannot fit in 18 bytes
    reseal(restarts, 0, 18);
    expect(() => readTable(restarts, 'x.index')).toThrow('x.index: data block 0 (byte 0): restart count 9 is impossible for a 18-byte block');
  });

  test('parseBlock: restart point that is not an entry start, value past the end', () => {
    const block = Uint8Array.of(0, 1, 1, 0x61, 0x62, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0);
    expect(() => parseBlock(block, 'b')).toThrow('b: restart point(s) 2 do not start an entry');
    const longValue = Uint8Array.of(0, 1, 9, 0x61, 0x62, 0, 0, 0, 0, 1, 0, 0, 0);
    expect(() => parseBlock(longValue, 'b')).toThrow('b: entry at byte 0 (key 1 + value 9 bytes) runs past the entries\' end (byte 5)');
  });

  test('a key outside its index separator is refused even with valid CRCs', () => {
    const table = buildTable([entry('k1', 'x'), entry('k2', 'y')], { blockSize: 1 }); // one block per entry
    const footer = table.length - 48;
    const indexOffset = table[footer + 2]; // metaindex handle is 2 one-byte varints, then the index offset
    const indexSize = table[footer + 3];
    expect(dec.decode(table.subarray(indexOffset + 3, indexOffset + 5))).toBe('k1'); // separator of block 0
    table[indexOffset + 4] = 0x30; // separator "k0" < "k1"
    reseal(table, indexOffset, indexSize);
    expect(() => readTable(table, 'x.index')).toThrow('x.index: data block 0: key "k1" is past the block\'s index separator "k0"');
  });
});
