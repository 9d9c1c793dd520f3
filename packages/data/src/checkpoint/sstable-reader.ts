// Reads a LevelDB-format SSTable (the .index of a tensor bundle): footer, block trailers with masked
// CRC32C, Snappy blocks, prefix-compressed entries with restart points. Ports
// tensorflow/core/lib/io/{format.cc ReadBlock, block.cc Block::Iter, table.cc Table::Open}.
import { crc32cUpdate, unmaskCrc } from '../formats/crc32c.js';
import { snappy } from './snappy.js';
import { readVarint } from './varint.js';

/** Footer: two block handles (≤ 20 bytes each) zero-padded to 40 bytes, then the 8-byte magic. */
export const FOOTER_SIZE = 48;
/** 1 compression-type byte + 4-byte masked CRC32C after every block. */
export const BLOCK_TRAILER_SIZE = 5;
/** kTableMagicNumber 0xdb4775248b80fb57, stored little-endian. */
export const TABLE_MAGIC = Uint8Array.of(0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb);
export const COMPRESSION_NONE = 0;
export const COMPRESSION_SNAPPY = 1;

/** Location of a block (without its trailer) in the file. */
export interface BlockHandle {
  offset: number;
  size: number;
}

/** One key/value of a table. Both are views into the decoded block. */
export interface TableEntry {
  key: Uint8Array;
  value: Uint8Array;
}

/** The footer's handles and how each block was stored (for structure tests and tooling). */
export interface TableLayout {
  metaindex: BlockHandle;
  index: BlockHandle;
  dataBlocks: { handle: BlockHandle; compression: number; separator: Uint8Array; entryCount: number }[];
}

function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

/** Bytewise comparison (LevelDB's BytewiseComparator). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Decodes a BlockHandle (two varints) that must exactly fill `value` when `exact` is set. */
function decodeHandle(bytes: Uint8Array, start: number, end: number, describe: string, exact: boolean): { handle: BlockHandle; next: number } {
  const offset = readVarint(bytes, start, end, 'block offset', describe);
  const size = readVarint(bytes, offset.next, end, 'block size', describe);
  if (exact && size.next !== end) throw new Error(`${describe}: ${end - size.next} stray bytes after the block handle`);
  return { handle: { offset: offset.value, size: size.value }, next: size.next };
}

/** Parses the 48-byte footer; rejects bad magic, overlong handles and non-zero padding. */
export function readFooter(file: Uint8Array, fileName: string): { metaindex: BlockHandle; index: BlockHandle } {
  if (file.length < FOOTER_SIZE) {
    throw new Error(`${fileName}: ${file.length} bytes is too short for a table (the footer alone is ${FOOTER_SIZE} bytes); truncated index?`);
  }
  const footerStart = file.length - FOOTER_SIZE;
  const magicStart = file.length - TABLE_MAGIC.length;
  for (let i = 0; i < TABLE_MAGIC.length; i++) {
    if (file[magicStart + i] !== TABLE_MAGIC[i]) {
      const found = Array.from(file.subarray(magicStart), (b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new Error(`${fileName}: bad table magic at byte ${magicStart} (found ${found}, expected 57 fb 80 8b 24 75 47 db): not a checkpoint index, or truncated`);
    }
  }
  const describe = `${fileName} footer (byte ${footerStart})`;
  const meta = decodeHandle(file, footerStart, magicStart, `${describe} metaindex handle`, false);
  const index = decodeHandle(file, meta.next, magicStart, `${describe} index handle`, false);
  if (index.next - footerStart > 40) throw new Error(`${describe}: block handles take ${index.next - footerStart} bytes, more than 40`);
  // LevelDB readers ignore the padding, but every writer zero-fills it: a non-zero byte there is
  // corruption, and checking it leaves no byte of the index unverified.
  for (let i = index.next; i < magicStart; i++) {
    if (file[i] !== 0) throw new Error(`${describe}: padding byte ${i} is 0x${file[i].toString(16)}, expected 0 (corrupt footer)`);
  }
  return { metaindex: meta.handle, index: index.handle };
}

/**
 * Reads the block at `handle`: checks it lies before the footer, verifies the masked CRC32C over
 * the stored bytes + type byte, and decompresses Snappy blocks.
 */
export function readBlock(file: Uint8Array, handle: BlockHandle, fileName: string, what: string): { contents: Uint8Array; compression: number } {
  const describe = `${fileName}: ${what} at byte ${handle.offset} (${handle.size} bytes)`;
  const limit = file.length - FOOTER_SIZE;
  if (handle.offset + handle.size + BLOCK_TRAILER_SIZE > limit) {
    throw new Error(`${describe} plus its ${BLOCK_TRAILER_SIZE}-byte trailer extends past byte ${limit}, where the footer starts (truncated or corrupt index)`);
  }
  const stored = file.subarray(handle.offset, handle.offset + handle.size);
  const trailer = handle.offset + handle.size;
  const compression = file[trailer];
  const storedCrc = (file[trailer + 1] | (file[trailer + 2] << 8) | (file[trailer + 3] << 16) | (file[trailer + 4] << 24)) >>> 0;
  const actual = crc32cUpdate(0, file.subarray(handle.offset, trailer + 1));
  if (unmaskCrc(storedCrc) !== actual) {
    throw new Error(`${describe}: block checksum mismatch (stored masked CRC32C ${hex32(storedCrc)} = CRC ${hex32(unmaskCrc(storedCrc))}, computed ${hex32(actual)})`);
  }
  if (compression === COMPRESSION_NONE) return { contents: stored, compression };
  if (compression === COMPRESSION_SNAPPY) {
    try {
      return { contents: snappy.uncompress(stored), compression };
    } catch (error) {
      throw new Error(`${describe}: corrupt Snappy block (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  throw new Error(`${describe}: unknown block compression type ${compression} (0 = none, 1 = Snappy)`);
}

/** Decodes every entry of a block, checking the restart array against the entries it indexes. */
export function parseBlock(block: Uint8Array, describe: string): TableEntry[] {
  if (block.length < 4) throw new Error(`${describe}: ${block.length} bytes is too short for a block (needs the 4-byte restart count)`);
  const view = new DataView(block.buffer, block.byteOffset, block.length);
  const numRestarts = view.getUint32(block.length - 4, true);
  const maxRestarts = (block.length - 4) / 4;
  if (numRestarts === 0 || numRestarts > maxRestarts) {
    throw new Error(`${describe}: restart count ${numRestarts} is impossible for a ${block.length}-byte block`);
  }
  const restartsStart = block.length - 4 - numRestarts * 4;
  const restarts = new Set<number>();
  let previousRestart = -1;
  for (let i = 0; i < numRestarts; i++) {
    const restart = view.getUint32(restartsStart + i * 4, true);
    if (restart <= previousRestart || (i === 0 && restart !== 0) || restart >= Math.max(restartsStart, 1)) {
      throw new Error(`${describe}: restart point ${i} = ${restart} is out of order or outside the entries [0, ${restartsStart})`);
    }
    restarts.add(restart);
    previousRestart = restart;
  }
  const entries: TableEntry[] = [];
  let lastKey = new Uint8Array(0);
  let pos = 0;
  while (pos < restartsStart) {
    const entryStart = pos;
    const shared = readVarint(block, pos, restartsStart, 'shared key length', describe);
    const unshared = readVarint(block, shared.next, restartsStart, 'unshared key length', describe);
    const valueLength = readVarint(block, unshared.next, restartsStart, 'value length', describe);
    pos = valueLength.next;
    const isRestart = restarts.delete(entryStart);
    if (shared.value > lastKey.length || (isRestart && shared.value !== 0)) {
      throw new Error(`${describe}: entry at byte ${entryStart} shares ${shared.value} key bytes with a ${isRestart ? 'restart point' : `${lastKey.length}-byte previous key`}`);
    }
    if (pos + unshared.value + valueLength.value > restartsStart) {
      throw new Error(`${describe}: entry at byte ${entryStart} (key ${unshared.value} + value ${valueLength.value} bytes) runs past the entries' end (byte ${restartsStart})`);
    }
    const key = new Uint8Array(shared.value + unshared.value);
    key.set(lastKey.subarray(0, shared.value));
    key.set(block.subarray(pos, pos + unshared.value), shared.value);
    pos += unshared.value;
    entries.push({ key, value: block.subarray(pos, pos + valueLength.value) });
    pos += valueLength.value;
    lastKey = key;
  }
  if (restarts.size > 0 && entries.length > 0) {
    throw new Error(`${describe}: restart point(s) ${[...restarts].join(', ')} do not start an entry`);
  }
  return entries;
}

/**
 * Reads every entry of a table in key order, verifying each block's checksum, that keys strictly
 * increase, and that each data block lies within its index separator's range.
 */
export function readTable(file: Uint8Array, fileName: string): { entries: TableEntry[]; layout: TableLayout } {
  const footer = readFooter(file, fileName);
  const meta = readBlock(file, footer.metaindex, fileName, 'metaindex block');
  parseBlock(meta.contents, `${fileName}: metaindex block`); // TF writes it empty; checked, then unused
  const index = readBlock(file, footer.index, fileName, 'index block');
  const indexEntries = parseBlock(index.contents, `${fileName}: index block`);
  const layout: TableLayout = { metaindex: footer.metaindex, index: footer.index, dataBlocks: [] };
  const entries: TableEntry[] = [];
  let previousKey: Uint8Array | undefined;
  let previousSeparator: Uint8Array | undefined;
  indexEntries.forEach((indexEntry, blockNumber) => {
    const what = `data block ${blockNumber}`;
    const { handle } = decodeHandle(indexEntry.value, 0, indexEntry.value.length, `${fileName}: index entry for ${what}`, true);
    const block = readBlock(file, handle, fileName, what);
    const blockEntries = parseBlock(block.contents, `${fileName}: ${what} (byte ${handle.offset})`);
    if (blockEntries.length === 0) throw new Error(`${fileName}: ${what} (byte ${handle.offset}) is empty; table writers never index an empty block`);
    for (const entry of blockEntries) {
      if (previousKey && compareBytes(previousKey, entry.key) >= 0) {
        throw new Error(`${fileName}: ${what}: keys out of order ("${printable(previousKey)}" then "${printable(entry.key)}")`);
      }
      if (compareBytes(entry.key, indexEntry.key) > 0) {
        throw new Error(`${fileName}: ${what}: key "${printable(entry.key)}" is past the block's index separator "${printable(indexEntry.key)}"`);
      }
      if (previousSeparator && compareBytes(entry.key, previousSeparator) <= 0) {
        throw new Error(`${fileName}: ${what}: key "${printable(entry.key)}" is not past the previous block's separator "${printable(previousSeparator)}"`);
      }
      previousKey = entry.key;
      entries.push(entry);
    }
    previousSeparator = indexEntry.key;
    layout.dataBlocks.push({ handle, compression: block.compression, separator: indexEntry.key, entryCount: blockEntries.length });
  });
  return { entries, layout };
}

/** A key for error messages: UTF-8 with control and non-ASCII bytes escaped. */
export function printable(key: Uint8Array): string {
  let s = '';
  for (const b of key) s += b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return s;
}
