// BundleHeaderProto and BundleEntryProto (tensorflow/core/protobuf/tensor_bundle.proto, with
// TensorShapeProto/TensorSliceProto) on the protobuf wire, by hand. Encoding matches C++
// SerializeAsString for proto3: fields in number order, zero scalars omitted, set messages written.
import { dtypeFromEnum, DTYPE_ENUM, type TfDtype } from './dtypes.js';
import { pushVarint, pushVarintBig, readVarint, readVarintBig } from './varint.js';

/** BundleHeaderProto. */
export interface BundleHeader {
  numShards: number;
  /** 0 = LITTLE (the default, absent on disk), 1 = BIG. */
  endianness: 'little' | 'big';
  /** VersionDef of the bundle format. */
  version: { producer: number; minConsumer: number; badConsumers: number[] };
}

/** One extent of a TensorSliceProto: `length` undefined means the full dimension. */
export interface SliceExtent {
  start: number;
  length?: number;
}

/** BundleEntryProto. `dtypeEnum` keeps the raw enum so unknown dtypes can still be listed. */
export interface BundleEntry {
  dtype: TfDtype | undefined;
  dtypeEnum: number;
  shape: number[];
  shardId: number;
  offset: number;
  size: number;
  /** Masked CRC32C of the stored bytes, exactly as on disk. */
  crc32c: number;
  /** Non-empty only for the entry of a partitioned (sliced) variable. */
  slices: SliceExtent[][];
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

interface Field {
  number: number;
  wireType: number;
  /** Varint value (wire type 0) or fixed32 value (wire type 5). */
  int: bigint;
  /** [start, end) of a length-delimited payload (wire type 2). */
  start: number;
  end: number;
}

/** Splits a message into its fields; unknown fields are returned too so callers can skip them. */
function parseFields(bytes: Uint8Array, start: number, end: number, describe: string): Field[] {
  const fields: Field[] = [];
  let pos = start;
  while (pos < end) {
    const tag = readVarint(bytes, pos, end, 'field tag', describe);
    pos = tag.next;
    const number = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (number === 0) throw new Error(`${describe}: invalid field number 0 at byte ${pos - 1}`);
    const field: Field = { number, wireType, int: 0n, start: pos, end: pos };
    if (wireType === WIRE_VARINT) {
      const v = readVarintBig(bytes, pos, end, `field ${number}`, describe);
      field.int = v.value;
      pos = v.next;
    } else if (wireType === WIRE_BYTES) {
      const len = readVarint(bytes, pos, end, `field ${number} length`, describe);
      if (len.next + len.value > end) {
        throw new Error(`${describe}: field ${number} claims ${len.value} bytes at byte ${len.next}, past the end (byte ${end})`);
      }
      field.start = len.next;
      field.end = len.next + len.value;
      pos = field.end;
    } else if (wireType === WIRE_FIXED32 || wireType === WIRE_FIXED64) {
      const width = wireType === WIRE_FIXED32 ? 4 : 8;
      if (pos + width > end) throw new Error(`${describe}: field ${number} fixed${width * 8} runs past the end`);
      const view = new DataView(bytes.buffer, bytes.byteOffset + pos, width);
      field.int = width === 4 ? BigInt(view.getUint32(0, true)) : view.getBigUint64(0, true);
      pos += width;
    } else {
      throw new Error(`${describe}: field ${number} has unsupported wire type ${wireType}`);
    }
    fields.push(field);
  }
  return fields;
}

function expectWire(field: Field, wireType: number, describe: string, name: string): void {
  if (field.wireType !== wireType) {
    throw new Error(`${describe}: field ${field.number} (${name}) has wire type ${field.wireType}, expected ${wireType}`);
  }
}

/** int32/int64 varint → safe integer (negative values arrive as 64-bit two's complement). */
function toSafeInt(value: bigint, describe: string, name: string): number {
  const signed = BigInt.asIntN(64, value);
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new Error(`${describe}: ${name} = ${signed} is outside the safe integer range`);
  }
  return Number(signed);
}

/** Reads a packed or unpacked repeated int32 field occurrence into `out`. */
function readRepeatedInt(bytes: Uint8Array, field: Field, out: number[], describe: string, name: string): void {
  if (field.wireType === WIRE_VARINT) {
    out.push(toSafeInt(field.int, describe, name));
    return;
  }
  expectWire(field, WIRE_BYTES, describe, name);
  for (let pos = field.start; pos < field.end; ) {
    const v = readVarintBig(bytes, pos, field.end, name, describe);
    out.push(toSafeInt(v.value, describe, name));
    pos = v.next;
  }
}

/** Decodes a BundleHeaderProto (the value of the empty key). */
export function decodeBundleHeader(bytes: Uint8Array, describe: string): BundleHeader {
  const header: BundleHeader = { numShards: 0, endianness: 'little', version: { producer: 0, minConsumer: 0, badConsumers: [] } };
  for (const field of parseFields(bytes, 0, bytes.length, describe)) {
    if (field.number === 1) {
      expectWire(field, WIRE_VARINT, describe, 'num_shards');
      header.numShards = toSafeInt(field.int, describe, 'num_shards');
    } else if (field.number === 2) {
      expectWire(field, WIRE_VARINT, describe, 'endianness');
      if (field.int > 1n) throw new Error(`${describe}: unknown endianness ${field.int} (0 = LITTLE, 1 = BIG)`);
      header.endianness = field.int === 1n ? 'big' : 'little';
    } else if (field.number === 3) {
      expectWire(field, WIRE_BYTES, describe, 'version');
      const what = `${describe} version`;
      for (const v of parseFields(bytes, field.start, field.end, what)) {
        if (v.number === 1) {
          expectWire(v, WIRE_VARINT, what, 'producer');
          header.version.producer = toSafeInt(v.int, what, 'producer');
        } else if (v.number === 2) {
          expectWire(v, WIRE_VARINT, what, 'min_consumer');
          header.version.minConsumer = toSafeInt(v.int, what, 'min_consumer');
        } else if (v.number === 3) {
          readRepeatedInt(bytes, v, header.version.badConsumers, what, 'bad_consumers');
        }
      }
    }
  }
  return header;
}

function decodeShape(bytes: Uint8Array, start: number, end: number, describe: string): number[] {
  const dims: number[] = [];
  for (const field of parseFields(bytes, start, end, describe)) {
    if (field.number === 2) {
      expectWire(field, WIRE_BYTES, describe, 'dim');
      let size = 0;
      for (const d of parseFields(bytes, field.start, field.end, `${describe} dim ${dims.length}`)) {
        if (d.number === 1) {
          expectWire(d, WIRE_VARINT, describe, 'dim.size');
          size = toSafeInt(d.int, describe, 'dim.size');
        }
      }
      dims.push(size);
    } else if (field.number === 3) {
      expectWire(field, WIRE_VARINT, describe, 'unknown_rank');
      if (field.int !== 0n) throw new Error(`${describe}: shape has unknown rank, which a checkpoint cannot store`);
    }
  }
  const bad = dims.findIndex((d) => d < 0);
  if (bad >= 0) throw new Error(`${describe}: shape [${dims.join(', ')}] has a negative dimension at axis ${bad}`);
  return dims;
}

function decodeSlice(bytes: Uint8Array, start: number, end: number, describe: string): SliceExtent[] {
  const extents: SliceExtent[] = [];
  for (const field of parseFields(bytes, start, end, describe)) {
    if (field.number !== 1) continue;
    expectWire(field, WIRE_BYTES, describe, 'extent');
    const extent: SliceExtent = { start: 0 };
    for (const e of parseFields(bytes, field.start, field.end, `${describe} extent ${extents.length}`)) {
      if (e.number === 1) {
        expectWire(e, WIRE_VARINT, describe, 'extent.start');
        extent.start = toSafeInt(e.int, describe, 'extent.start');
      } else if (e.number === 2) {
        expectWire(e, WIRE_VARINT, describe, 'extent.length');
        extent.length = toSafeInt(e.int, describe, 'extent.length');
      }
    }
    extents.push(extent);
  }
  return extents;
}

/** Decodes a BundleEntryProto; `describe` should name the file and the tensor key. */
export function decodeBundleEntry(bytes: Uint8Array, describe: string): BundleEntry {
  const entry: BundleEntry = { dtype: undefined, dtypeEnum: 0, shape: [], shardId: 0, offset: 0, size: 0, crc32c: 0, slices: [] };
  for (const field of parseFields(bytes, 0, bytes.length, describe)) {
    switch (field.number) {
      case 1:
        expectWire(field, WIRE_VARINT, describe, 'dtype');
        entry.dtypeEnum = toSafeInt(field.int, describe, 'dtype');
        entry.dtype = dtypeFromEnum(entry.dtypeEnum);
        break;
      case 2:
        expectWire(field, WIRE_BYTES, describe, 'shape');
        entry.shape = decodeShape(bytes, field.start, field.end, `${describe} shape`);
        break;
      case 3:
        expectWire(field, WIRE_VARINT, describe, 'shard_id');
        entry.shardId = toSafeInt(field.int, describe, 'shard_id');
        break;
      case 4:
        expectWire(field, WIRE_VARINT, describe, 'offset');
        entry.offset = toSafeInt(field.int, describe, 'offset');
        break;
      case 5:
        expectWire(field, WIRE_VARINT, describe, 'size');
        entry.size = toSafeInt(field.int, describe, 'size');
        break;
      case 6:
        expectWire(field, WIRE_FIXED32, describe, 'crc32c');
        entry.crc32c = Number(field.int);
        break;
      case 7:
        expectWire(field, WIRE_BYTES, describe, 'slices');
        entry.slices.push(decodeSlice(bytes, field.start, field.end, `${describe} slice ${entry.slices.length}`));
        break;
      default:
        break; // unknown field from a newer TensorFlow: skipped, as protobuf parsers do
    }
  }
  for (const [name, value] of [['shard_id', entry.shardId], ['offset', entry.offset], ['size', entry.size]] as const) {
    if (value < 0) throw new Error(`${describe}: ${name} is negative (${value})`);
  }
  return entry;
}

function pushTag(out: number[], number: number, wireType: number): void {
  pushVarint(out, number * 8 + wireType);
}

function pushMessage(out: number[], number: number, body: number[]): void {
  pushTag(out, number, WIRE_BYTES);
  pushVarint(out, body.length);
  for (const b of body) out.push(b);
}

function pushInt(out: number[], number: number, value: number): void {
  if (value === 0) return;
  pushTag(out, number, WIRE_VARINT);
  pushVarintBig(out, BigInt(value));
}

/** Encodes a BundleHeaderProto as TF's BundleWriter::Finish does. */
export function encodeBundleHeader(header: BundleHeader): Uint8Array {
  const out: number[] = [];
  pushInt(out, 1, header.numShards);
  pushInt(out, 2, header.endianness === 'big' ? 1 : 0);
  const version: number[] = [];
  pushInt(version, 1, header.version.producer);
  pushInt(version, 2, header.version.minConsumer);
  for (const bad of header.version.badConsumers) {
    pushTag(version, 3, WIRE_VARINT);
    pushVarintBig(version, BigInt(bad));
  }
  pushMessage(out, 3, version);
  return Uint8Array.from(out);
}

/** Encodes a BundleEntryProto as TF's BundleWriter::Add/AddSlice do. */
export function encodeBundleEntry(entry: Omit<BundleEntry, 'dtype'> & { dtype?: TfDtype }): Uint8Array {
  const out: number[] = [];
  pushInt(out, 1, entry.dtype === undefined ? entry.dtypeEnum : DTYPE_ENUM[entry.dtype]);
  const shape: number[] = [];
  for (const dim of entry.shape) {
    const d: number[] = [];
    pushInt(d, 1, dim);
    pushMessage(shape, 2, d);
  }
  pushMessage(out, 2, shape);
  pushInt(out, 3, entry.shardId);
  pushInt(out, 4, entry.offset);
  pushInt(out, 5, entry.size);
  if (entry.crc32c !== 0) {
    pushTag(out, 6, WIRE_FIXED32);
    const crc = entry.crc32c >>> 0;
    out.push(crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24);
  }
  for (const slice of entry.slices) {
    const s: number[] = [];
    for (const extent of slice) {
      const e: number[] = [];
      pushInt(e, 1, extent.start);
      if (extent.length !== undefined) {
        pushTag(e, 2, WIRE_VARINT); // oneof member: written even when 0
        pushVarintBig(e, BigInt(extent.length));
      }
      pushMessage(s, 1, e);
    }
    pushMessage(out, 7, s);
  }
  return Uint8Array.from(out);
}

/** TensorSlice::DebugString form: "start,length" per dimension joined by ':', '-' for full. */
export function formatSlice(extents: readonly SliceExtent[]): string {
  return extents.map((e) => (e.length === undefined ? '-' : `${e.start},${e.length}`)).join(':');
}
