// Writes a TensorFlow tensor-bundle checkpoint (PREFIX.index + PREFIX.data-00000-of-00001) that
// TensorFlow's BundleReader / tf.train.load_checkpoint can read. Ports tensor_bundle.cc
// BundleWriter (Add, PadAlignment, Finish): data in insertion order, index sorted by key.
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { crc32c, maskCrc } from '../formats/crc32c.js';
import { encodeBundleEntry, encodeBundleHeader, type BundleEntry, type BundleHeader } from './bundle-proto.js';
import { dataShardPath, TENSOR_BUNDLE_VERSION } from './bundle-reader.js';
import { DTYPE_ENUM, fixedLayout, numElements, numericToBytes, type NumericValues, type TfDtype } from './dtypes.js';
import { compareBytes, type TableEntry } from './sstable-reader.js';
import { buildTable, TableWriterOptionsSchema } from './sstable-writer.js';
import { encodeStringTensor } from './string-tensor.js';

/** A tensor to save. `data` is row-major; complex dtypes interleave (re, im). */
export interface TensorToWrite {
  dtype: TfDtype;
  shape: readonly number[];
  /** The dtype's typed array (as `CheckpointReader.read` returns), or byte/text strings for 'string'. */
  data: NumericValues | readonly (Uint8Array | string)[];
}

export const CheckpointWriterOptionsSchema = z
  .strictObject({
    table: TableWriterOptionsSchema.default(TableWriterOptionsSchema.parse({})).describe('How the .index table is laid out (TF defaults)'),
    dataAlignment: z
      .number().int().positive().default(1)
      .describe('Pad each tensor in the data file to a multiple of this many bytes; BundleWriter::Options::data_alignment (1 = none)'),
  })
  .readonly();

export type CheckpointWriterOptions = z.infer<typeof CheckpointWriterOptionsSchema>;

/** What `writeCheckpoint` wrote. */
export interface WrittenCheckpoint {
  indexPath: string;
  dataPath: string;
  /** Entries as stored in the index, keyed by tensor name. */
  entries: Map<string, BundleEntry>;
}

const utf8 = new TextEncoder();

/** The bytes and unmasked CRC32C one tensor adds to the data file, after validating it. */
export function encodeTensor(name: string, tensor: TensorToWrite): { bytes: Uint8Array; crc: number } {
  const where = `tensor "${name}"`;
  if (!(tensor.dtype in DTYPE_ENUM)) throw new Error(`${where}: unknown dtype "${tensor.dtype}"`);
  for (const dim of tensor.shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) throw new Error(`${where}: shape [${tensor.shape.join(', ')}] must hold non-negative integers`);
  }
  const count = numElements(tensor.shape);
  if (tensor.dtype === 'string') {
    if (!Array.isArray(tensor.data)) throw new Error(`${where}: a string tensor's data must be an array of strings or Uint8Arrays`);
    const elements = (tensor.data as readonly (Uint8Array | string)[]).map((e) => (typeof e === 'string' ? utf8.encode(e) : e));
    if (elements.length !== count) throw new Error(`${where}: shape [${tensor.shape.join(', ')}] needs ${count} strings, got ${elements.length}`);
    return encodeStringTensor(elements);
  }
  const layout = fixedLayout(tensor.dtype);
  if (!layout) throw new Error(`${where}: dtype ${tensor.dtype} cannot be written (no portable byte layout)`);
  if (!(tensor.data instanceof layout.arrayClass)) {
    throw new Error(`${where}: ${tensor.dtype} data must be a ${layout.arrayClass.name}, got ${tensor.data.constructor.name}`);
  }
  const values = tensor.data as NumericValues;
  if (values.length !== count * layout.lanes) {
    throw new Error(`${where}: shape [${tensor.shape.join(', ')}] needs ${count * layout.lanes} ${layout.arrayClass.name} elements, got ${values.length}`);
  }
  if (tensor.dtype === 'bool') {
    const bad = (values as Uint8Array).findIndex((v) => v > 1);
    if (bad >= 0) throw new Error(`${where}: bool element ${bad} is ${values[bad]}; TF bools are bytes 0 or 1`);
  }
  const bytes = numericToBytes(values);
  return { bytes, crc: crc32c(bytes) };
}

/** Serialises the index table for `entries` (any order; sorted here) under TF's header. */
export function encodeBundleIndex(entries: Map<string, BundleEntry>, table: Partial<CheckpointWriterOptions['table']> = {}, header?: BundleHeader): Uint8Array {
  const rows: TableEntry[] = [...entries].map(([name, entry]) => ({ key: utf8.encode(name), value: encodeBundleEntry(entry) }));
  rows.sort((a, b) => compareBytes(a.key, b.key));
  const bundleHeader: BundleHeader = header ?? {
    numShards: 1,
    endianness: 'little',
    version: { producer: TENSOR_BUNDLE_VERSION, minConsumer: 0, badConsumers: [] },
  };
  return buildTable([{ key: new Uint8Array(0), value: encodeBundleHeader(bundleHeader) }, ...rows], table);
}

/** Write buffer like TF's FileOutputBuffer (8 MiB): small tensors are batched into one write. */
class BufferedFile {
  private readonly buffer = new Uint8Array(8 << 20);
  private used = 0;

  constructor(private readonly file: FileHandle) {}

  async append(bytes: Uint8Array): Promise<void> {
    if (this.used + bytes.length > this.buffer.length) await this.flush();
    if (bytes.length > this.buffer.length) {
      await this.file.write(bytes, 0, bytes.length);
      return;
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  async flush(): Promise<void> {
    if (this.used > 0) await this.file.write(this.buffer, 0, this.used);
    this.used = 0;
  }
}

function checkName(name: string, seen: Set<string>): void {
  if (name.length === 0) throw new Error('tensor names must be non-empty (the empty key holds the bundle header)');
  if (name.charCodeAt(0) === 0) throw new Error(`tensor name "${name}" starts with NUL, which is reserved for slice keys`);
  if (seen.has(name)) throw new Error(`duplicate tensor name "${name}"`);
  seen.add(name);
}

/**
 * Writes `tensors` as a single-shard checkpoint at `prefix`. Data is laid out in iteration order;
 * both files go to temporary names first and are renamed into place (data, then index), so a
 * crash never leaves a half-written checkpoint under the final names.
 */
export async function writeCheckpoint(
  prefix: string,
  tensors: Iterable<readonly [string, TensorToWrite]> | Record<string, TensorToWrite>,
  options: Partial<CheckpointWriterOptions> = {},
): Promise<WrittenCheckpoint> {
  const opts = CheckpointWriterOptionsSchema.parse(options);
  const list: Iterable<readonly [string, TensorToWrite]> =
    Symbol.iterator in tensors ? (tensors as Iterable<readonly [string, TensorToWrite]>) : Object.entries(tensors);
  const indexPath = `${prefix}.index`;
  const dataPath = dataShardPath(prefix, 0, 1);
  const tag = `.tempstate-${randomUUID()}`;
  const dataTemp = `${dataPath}${tag}`;
  const indexTemp = `${indexPath}${tag}`;
  await mkdir(dirname(indexPath), { recursive: true });
  const entries = new Map<string, BundleEntry>();
  const seen = new Set<string>();
  const file = await open(dataTemp, 'w');
  const out = new BufferedFile(file);
  try {
    let size = 0;
    try {
      for (const [name, tensor] of list) {
        checkName(name, seen);
        const { bytes, crc } = encodeTensor(name, tensor);
        await out.append(bytes);
        entries.set(name, {
          dtype: tensor.dtype, dtypeEnum: DTYPE_ENUM[tensor.dtype], shape: [...tensor.shape],
          shardId: 0, offset: size, size: bytes.length, crc32c: maskCrc(crc), slices: [],
        });
        size += bytes.length;
        const over = size % opts.dataAlignment;
        if (over !== 0) {
          await out.append(new Uint8Array(opts.dataAlignment - over));
          size += opts.dataAlignment - over;
        }
      }
      await out.flush();
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(dataTemp, dataPath);
    const index = encodeBundleIndex(entries, opts.table);
    const indexFile = await open(indexTemp, 'w');
    try {
      await indexFile.write(index);
      await indexFile.sync();
    } finally {
      await indexFile.close();
    }
    await rename(indexTemp, indexPath);
  } catch (error) {
    await rm(dataTemp, { force: true });
    await rm(indexTemp, { force: true });
    throw error;
  }
  return { indexPath, dataPath, entries };
}
