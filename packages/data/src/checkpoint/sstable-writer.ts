// Builds a LevelDB-format SSTable byte for byte as TensorFlow's table builder does: ports
// tensorflow/core/lib/io/block_builder.cc (BlockBuilder) and table_builder.cc (TableBuilder:
// Add/Flush/WriteBlock/Finish, FindShortestSeparator, FindShortSuccessor).
import { z } from 'zod';
import { crc32cUpdate, maskCrc } from '../formats/crc32c.js';
import {
  BLOCK_TRAILER_SIZE, COMPRESSION_NONE, COMPRESSION_SNAPPY, compareBytes, printable, TABLE_MAGIC,
  type BlockHandle, type TableEntry,
} from './sstable-reader.js';
import { snappy } from './snappy.js';
import { pushVarint } from './varint.js';

export const TableWriterOptionsSchema = z
  .strictObject({
    blockSize: z
      .number().int().positive().default(262144)
      .describe('Approximate uncompressed bytes per data block; TF table::Options::block_size (256 KiB; LevelDB uses 4 KiB)'),
    blockRestartInterval: z
      .number().int().positive().default(16)
      .describe('Keys between restart points of prefix compression in data blocks; TF/LevelDB default 16'),
    compression: z
      .enum(['none', 'snappy']).default('none')
      .describe("Block compression: TF's BundleWriter writes 'none' since TF 1.2; older writers used Snappy when it saved ≥ 12.5%"),
  })
  .readonly();

export type TableWriterOptions = z.infer<typeof TableWriterOptionsSchema>;

/** Growable byte buffer. */
class ByteSink {
  private bytes = new Uint8Array(1024);
  length = 0;

  push(chunk: ArrayLike<number>): void {
    if (this.length + chunk.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + chunk.length));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** BlockBuilder: prefix-compressed entries, then fixed32 restart offsets and their count. */
class BlockBuilder {
  private buffer = new ByteSink();
  private restarts: number[] = [0];
  private counter = 0;
  private lastKey: Uint8Array = new Uint8Array(0);
  private entries = 0;

  constructor(private readonly restartInterval: number) {}

  get empty(): boolean {
    return this.entries === 0;
  }

  /** CurrentSizeEstimate(): entries + restart array + restart count. */
  sizeEstimate(): number {
    return this.buffer.length + this.restarts.length * 4 + 4;
  }

  add(key: Uint8Array, value: Uint8Array): void {
    let shared = 0;
    if (this.counter < this.restartInterval) {
      const limit = Math.min(this.lastKey.length, key.length);
      while (shared < limit && this.lastKey[shared] === key[shared]) shared++;
    } else {
      this.restarts.push(this.buffer.length);
      this.counter = 0;
    }
    const header: number[] = [];
    pushVarint(header, shared);
    pushVarint(header, key.length - shared);
    pushVarint(header, value.length);
    this.buffer.push(header);
    this.buffer.push(key.subarray(shared));
    this.buffer.push(value);
    this.lastKey = key;
    this.counter++;
    this.entries++;
  }

  finish(): Uint8Array {
    const tail = new Uint8Array(this.restarts.length * 4 + 4);
    const view = new DataView(tail.buffer);
    this.restarts.forEach((r, i) => view.setUint32(i * 4, r, true));
    view.setUint32(this.restarts.length * 4, this.restarts.length, true);
    this.buffer.push(tail);
    return this.buffer.view().slice();
  }
}

/** Shortens `start` to a key k with start ≤ k < limit, when a single byte increment allows it. */
export function findShortestSeparator(start: Uint8Array, limit: Uint8Array): Uint8Array {
  const minLength = Math.min(start.length, limit.length);
  let diff = 0;
  while (diff < minLength && start[diff] === limit[diff]) diff++;
  if (diff >= minLength) return start; // one is a prefix of the other
  const byte = start[diff];
  if (byte < 0xff && byte + 1 < limit[diff]) {
    const shortened = start.slice(0, diff + 1);
    shortened[diff]++;
    return shortened;
  }
  return start;
}

/** Shortest key ≥ `key`: increments the first byte that is not 0xff and cuts after it. */
export function findShortSuccessor(key: Uint8Array): Uint8Array {
  for (let i = 0; i < key.length; i++) {
    if (key[i] !== 0xff) {
      const successor = key.slice(0, i + 1);
      successor[i]++;
      return successor;
    }
  }
  return key;
}

/**
 * Serialises sorted, unique `entries` into a complete table. Blocks are cut exactly where TF's
 * TableBuilder cuts them, so equal input and options give TF's bytes.
 */
export function buildTable(entries: Iterable<TableEntry>, options: Partial<TableWriterOptions> = {}): Uint8Array {
  const opts = TableWriterOptionsSchema.parse(options);
  const file = new ByteSink();
  let dataBlock = new BlockBuilder(opts.blockRestartInterval);
  const indexBlock = new BlockBuilder(1);
  let lastKey: Uint8Array | undefined;
  let pendingHandle: BlockHandle | undefined;

  const writeBlock = (block: BlockBuilder): BlockHandle => {
    const raw = block.finish();
    let contents = raw;
    let type = COMPRESSION_NONE;
    if (opts.compression === 'snappy') {
      const compressed = snappy.compress(raw);
      // TF keeps the compressed form only if it saves at least 12.5%.
      if (compressed.length < raw.length - Math.floor(raw.length / 8)) {
        contents = compressed;
        type = COMPRESSION_SNAPPY;
      }
    }
    const handle = { offset: file.length, size: contents.length };
    file.push(contents);
    const trailer = new Uint8Array(BLOCK_TRAILER_SIZE);
    trailer[0] = type;
    const crc = crc32cUpdate(crc32cUpdate(0, contents), trailer.subarray(0, 1));
    new DataView(trailer.buffer).setUint32(1, maskCrc(crc), true);
    file.push(trailer);
    return handle;
  };

  const addIndexEntry = (separator: Uint8Array, handle: BlockHandle): void => {
    const encoded: number[] = [];
    pushVarint(encoded, handle.offset);
    pushVarint(encoded, handle.size);
    indexBlock.add(separator, Uint8Array.from(encoded));
  };

  const flush = (): void => {
    if (dataBlock.empty) return;
    pendingHandle = writeBlock(dataBlock);
    dataBlock = new BlockBuilder(opts.blockRestartInterval);
  };

  for (const { key, value } of entries) {
    if (lastKey !== undefined) {
      if (compareBytes(key, lastKey) <= 0) {
        throw new Error(`table keys must be unique and sorted bytewise: "${printable(key)}" after "${printable(lastKey)}"`);
      }
      // kOverlyLargeBlockRatio: a huge entry gets a block of its own.
      if (key.length + value.length >= 2 * opts.blockSize) flush();
    }
    if (pendingHandle) {
      addIndexEntry(findShortestSeparator(lastKey as Uint8Array, key), pendingHandle);
      pendingHandle = undefined;
    }
    lastKey = key;
    dataBlock.add(key, value);
    if (dataBlock.sizeEstimate() >= opts.blockSize) flush();
  }
  flush();
  const metaindexHandle = writeBlock(new BlockBuilder(opts.blockRestartInterval));
  if (pendingHandle) addIndexEntry(findShortSuccessor(lastKey as Uint8Array), pendingHandle);
  const indexHandle = writeBlock(indexBlock);

  const footer: number[] = [];
  pushVarint(footer, metaindexHandle.offset);
  pushVarint(footer, metaindexHandle.size);
  pushVarint(footer, indexHandle.offset);
  pushVarint(footer, indexHandle.size);
  while (footer.length < 40) footer.push(0);
  file.push(footer);
  file.push(TABLE_MAGIC);
  return file.view().slice();
}
