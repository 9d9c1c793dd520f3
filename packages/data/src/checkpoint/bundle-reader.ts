// Reads a TF tensor-bundle checkpoint (PREFIX.index + PREFIX.data-NNNNN-of-NNNNN): lists the index,
// then loads one tensor at a time with a positioned read of just its bytes and checks its CRC32C.
// Ports tensor_bundle.cc BundleReader (constructor, GetValue, Lookup).
import { existsSync, statSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c, unmaskCrc } from '../formats/crc32c.js';
import { decodeBundleEntry, decodeBundleHeader, formatSlice, type BundleEntry, type BundleHeader } from './bundle-proto.js';
import { bfloat16ToFloat32, bytesToNumeric, elementByteSize, float16ToFloat32, numElements, type TensorValues, type TfDtype } from './dtypes.js';
import { printable, readTable, type TableLayout } from './sstable-reader.js';
import { decodeStringTensor } from './string-tensor.js';

/** The newest bundle format version this reader understands (kTensorBundleVersion). */
export const TENSOR_BUNDLE_VERSION = 1;

/** One tensor listed in a checkpoint index. */
export interface CheckpointEntry {
  name: string;
  /** TF dtype name; `DT_ENUM_<n>` for an enum value this reader does not know. */
  dtype: TfDtype | `DT_ENUM_${number}`;
  shape: number[];
  shardId: number;
  offset: number;
  size: number;
  /** Masked CRC32C as stored in the index. */
  crc32c: number;
  /** Slice specs ("start,length:-" per TensorSlice::DebugString) of a partitioned variable, else []. */
  slices: string[];
}

/** A loaded tensor. DT_STRING values are raw byte strings (see `stringsFromBytes`). */
export interface CheckpointTensor {
  name: string;
  dtype: TfDtype;
  shape: number[];
  values: TensorValues;
}

/** PREFIX.data-%05d-of-%05d, as tensor_bundle.cc DataFilename. */
export function dataShardPath(prefix: string, shardId: number, numShards: number): string {
  return `${prefix}.data-${String(shardId).padStart(5, '0')}-of-${String(numShards).padStart(5, '0')}`;
}

/**
 * Prefixes to try for a user-supplied path: the path itself, the path without a trailing `.index`
 * or `.data-NNNNN-of-NNNNN`, or, for a SavedModel directory, DIR/variables/variables.
 */
export function checkpointPrefixCandidates(path: string): string[] {
  const stripped = path.replace(/\.index$/, '').replace(/\.data-\d{5}-of-\d{5}$/, '');
  if (stripped !== path) return [stripped];
  if (existsSync(path) && statSync(path).isDirectory()) return [join(path, 'variables', 'variables'), path];
  return [path];
}

/** OrderedCode string inside a slice key (\x00 name \x00\x01 ...): escapes 00 ff → 00, ff 00 → ff. */
function sliceKeyName(key: Uint8Array): Uint8Array | undefined {
  const out: number[] = [];
  for (let i = 1; i + 1 < key.length; i++) {
    if (key[i] === 0x00 && key[i + 1] === 0x01) return Uint8Array.from(out);
    const escaped = (key[i] === 0x00 && key[i + 1] === 0xff) || (key[i] === 0xff && key[i + 1] === 0x00);
    out.push(key[i]);
    if (escaped) i++; // 00 ff stands for 00, ff 00 for ff: keep the first byte, skip the second
  }
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function keyToName(key: Uint8Array): string {
  try {
    return utf8.decode(key);
  } catch {
    return printable(key);
  }
}

/** Reads a checkpoint lazily: the index at `open`, each tensor's bytes only when asked for. */
export class CheckpointReader {
  private readonly byName = new Map<string, { entry: CheckpointEntry; proto: BundleEntry }>();
  private readonly shards = new Map<number, Promise<{ handle: FileHandle; size: number; path: string }>>();

  private constructor(
    readonly prefix: string,
    readonly indexPath: string,
    readonly header: BundleHeader,
    readonly layout: TableLayout,
    private readonly ordered: CheckpointEntry[],
    protos: BundleEntry[],
    /** Number of slice entries (keys starting with \x00) that belong to partitioned variables. */
    readonly sliceEntryCount: number,
  ) {
    ordered.forEach((entry, i) => this.byName.set(entry.name, { entry, proto: protos[i] }));
  }

  /** Opens PREFIX.index (PREFIX may also be the .index path or a SavedModel directory). */
  static async open(path: string): Promise<CheckpointReader> {
    const candidates = checkpointPrefixCandidates(path);
    const prefix = candidates.find((p) => existsSync(`${p}.index`));
    if (prefix === undefined) {
      throw new Error(`no checkpoint at ${path}: tried ${candidates.map((p) => `${p}.index`).join(', ')} (none exists)`);
    }
    const indexPath = `${prefix}.index`;
    const file = new Uint8Array(await readFile(indexPath));
    const { entries, layout } = readTable(file, indexPath);
    if (entries.length === 0 || entries[0].key.length !== 0) {
      throw new Error(`${indexPath}: the first key is not the empty header key; not a tensor bundle index`);
    }
    const header = decodeBundleHeader(entries[0].value, `${indexPath} BundleHeaderProto`);
    CheckpointReader.checkHeader(header, indexPath);
    const listed: CheckpointEntry[] = [];
    const protos: BundleEntry[] = [];
    let sliceEntryCount = 0;
    for (const { key, value } of entries.slice(1)) {
      if (key[0] === 0x00) {
        // EncodeTensorNameSlice key of one stored slice: listed through its full tensor's entry.
        const full = sliceKeyName(key);
        if (full === undefined) throw new Error(`${indexPath}: malformed slice key "${printable(key)}"`);
        decodeBundleEntry(value, `${indexPath} entry for a slice of "${keyToName(full)}"`);
        sliceEntryCount++;
        continue;
      }
      const name = keyToName(key);
      const proto = decodeBundleEntry(value, `${indexPath} entry "${name}"`);
      listed.push({
        name,
        dtype: proto.dtype ?? `DT_ENUM_${proto.dtypeEnum}`,
        shape: proto.shape,
        shardId: proto.shardId,
        offset: proto.offset,
        size: proto.size,
        crc32c: proto.crc32c,
        slices: proto.slices.map(formatSlice),
      });
      protos.push(proto);
    }
    return new CheckpointReader(prefix, indexPath, header, layout, listed, protos, sliceEntryCount);
  }

  /** CheckVersions(version, kTensorBundleVersion, min producer 0) plus a sane shard count. */
  private static checkHeader(header: BundleHeader, indexPath: string): void {
    const { producer, minConsumer, badConsumers } = header.version;
    if (producer < 0) throw new Error(`${indexPath}: bundle producer version ${producer} is below the minimum 0`);
    if (minConsumer > TENSOR_BUNDLE_VERSION) {
      throw new Error(`${indexPath}: checkpoint needs a reader of bundle version ≥ ${minConsumer}; this reader is version ${TENSOR_BUNDLE_VERSION}`);
    }
    if (badConsumers.includes(TENSOR_BUNDLE_VERSION)) {
      throw new Error(`${indexPath}: checkpoint disallows bundle reader version ${TENSOR_BUNDLE_VERSION} (bad_consumers)`);
    }
    if (header.numShards < 1) throw new Error(`${indexPath}: header says ${header.numShards} data shards; need at least 1`);
  }

  /** All tensors in key (bytewise) order, without the header and the per-slice keys. */
  list(): CheckpointEntry[] {
    return this.ordered.map((e) => ({ ...e, shape: [...e.shape], slices: [...e.slices] }));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The index entry for `name`; throws naming the checkpoint when it is absent. */
  entry(name: string): CheckpointEntry {
    return this.lookup(name).entry;
  }

  private lookup(name: string): { entry: CheckpointEntry; proto: BundleEntry } {
    const found = this.byName.get(name);
    if (!found) throw new Error(`tensor "${name}" not found in checkpoint ${this.prefix} (${this.ordered.length} tensors; see \`realm checkpoint ls\`)`);
    return found;
  }

  /** Path of data shard `shardId` of this checkpoint. */
  dataPath(shardId: number): string {
    return dataShardPath(this.prefix, shardId, this.header.numShards);
  }

  private shard(shardId: number, tensor: string): Promise<{ handle: FileHandle; size: number; path: string }> {
    let pending = this.shards.get(shardId);
    if (!pending) {
      const path = this.dataPath(shardId);
      pending = (async () => {
        if (!existsSync(path)) {
          throw new Error(`cannot load "${tensor}": data shard ${path} does not exist (the checkpoint ${this.prefix} has an index but not this data file)`);
        }
        const handle = await open(path, 'r');
        return { handle, size: (await handle.stat()).size, path };
      })();
      pending.catch(() => this.shards.delete(shardId));
      this.shards.set(shardId, pending);
    }
    return pending;
  }

  /** Reads exactly the entry's bytes from its shard and checks them against the stored CRC32C. */
  private async readEntryBytes(name: string, proto: BundleEntry): Promise<{ bytes: Uint8Array; path: string }> {
    if (proto.shardId >= this.header.numShards) {
      throw new Error(`${this.indexPath}: tensor "${name}" is in shard ${proto.shardId}, but the header lists only ${this.header.numShards} shard(s)`);
    }
    const { handle, size: fileSize, path } = await this.shard(proto.shardId, name);
    const end = proto.offset + proto.size;
    if (end > fileSize) {
      throw new Error(`${path}: tensor "${name}" occupies bytes [${proto.offset}, ${end}) but the file has only ${fileSize} bytes (truncated data shard or corrupt offset)`);
    }
    const bytes = new Uint8Array(proto.size);
    for (let done = 0; done < proto.size; ) {
      const { bytesRead } = await handle.read(bytes, done, proto.size - done, proto.offset + done);
      if (bytesRead === 0) throw new Error(`${path}: unexpected end of file reading "${name}" at byte ${proto.offset + done}`);
      done += bytesRead;
    }
    return { bytes, path };
  }

  /** Loads tensor `name`, verifying its checksum; partitioned variables are refused by name. */
  async read(name: string): Promise<CheckpointTensor> {
    const { entry, proto } = this.lookup(name);
    if (proto.slices.length > 0) {
      throw new Error(`tensor "${name}" in ${this.prefix} is a partitioned variable stored as ${proto.slices.length} slices (${entry.slices.join(' ')}); loading partitioned variables is not supported`);
    }
    const dtype = proto.dtype;
    if (dtype === undefined) throw new Error(`tensor "${name}" in ${this.prefix} has DataType enum ${proto.dtypeEnum}, which this reader does not know`);
    if (dtype === 'resource' || dtype === 'variant') throw new Error(`tensor "${name}" in ${this.prefix} has dtype ${dtype}, which has no portable byte layout`);
    const count = numElements(proto.shape);
    const width = elementByteSize(dtype);
    if (width !== undefined && proto.size !== count * width) {
      throw new Error(`${this.indexPath}: tensor "${name}" (${dtype} [${proto.shape.join(', ')}]) should be ${count * width} bytes, but its entry says ${proto.size}`);
    }
    if (width === undefined && proto.size !== 0 && proto.size < count + 4) {
      throw new Error(`${this.indexPath}: string tensor "${name}" with ${count} elements cannot fit in ${proto.size} bytes`);
    }
    const { bytes, path } = await this.readEntryBytes(name, proto);
    const bigEndian = this.header.endianness === 'big';
    const describe = `${path}: tensor "${name}" at bytes [${proto.offset}, ${proto.offset + proto.size})`;
    let values: TensorValues;
    let actual: number;
    if (width === undefined) {
      const decoded = decodeStringTensor(bytes, count, describe, bigEndian);
      values = decoded.values;
      actual = decoded.crc;
    } else {
      actual = crc32c(bytes); // over the bytes as stored, before any byte swap
      values = bytesToNumeric(dtype, bytes, bigEndian);
    }
    const expected = unmaskCrc(proto.crc32c);
    if (actual !== expected) {
      const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
      throw new Error(`${describe}: checksum mismatch (index stores masked CRC32C ${hex(proto.crc32c)} = CRC ${hex(expected)}, data hashes to ${hex(actual)})`);
    }
    return { name, dtype, shape: [...proto.shape], values };
  }

  /** Loads a floating-point tensor as float32 (bfloat16/half converted exactly; float64 rounded). */
  async readFloat32(name: string): Promise<Float32Array> {
    const tensor = await this.read(name);
    if (tensor.dtype === 'float32') return tensor.values as Float32Array;
    if (tensor.dtype === 'bfloat16') return bfloat16ToFloat32(tensor.values as Uint16Array);
    if (tensor.dtype === 'float16') return float16ToFloat32(tensor.values as Uint16Array);
    if (tensor.dtype === 'float64') return Float32Array.from(tensor.values as Float64Array);
    throw new Error(`tensor "${name}" in ${this.prefix} is ${tensor.dtype}, not a floating-point tensor`);
  }

  /** Closes the data shard files opened so far. */
  async close(): Promise<void> {
    const pending = [...this.shards.values()];
    this.shards.clear();
    for (const shard of await Promise.allSettled(pending)) {
      if (shard.status === 'fulfilled') await shard.value.handle.close();
    }
  }
}
