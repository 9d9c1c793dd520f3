// The MIPS index file format (version 1), faiss write_index-style: a fixed 40-byte little-endian
// header, then the payload. Both header and payload carry CRC-32C so a flipped byte is reported.
//
//   0  8  magic "REALMIPS"           20 4  dtype code (0=float32, 1=bfloat16)
//   8  4  format version (1)         24 8  count (rows, u64)
//   12 4  header length (40)         32 4  payload CRC-32C
//   16 4  dim                        36 4  header CRC-32C (of bytes 0..35)
//   40 …  count×dim values, row-major, little-endian
import type { RowData } from './chunked-matrix.js';
import { crc32c, crc32cUpdate } from '@realm/data/crc32c';

export const MIPS_FORMAT_MAGIC = 'REALMIPS';
export const MIPS_FORMAT_VERSION = 1;
export const MIPS_HEADER_BYTES = 40;

/** Storage dtypes the format can name, with their codes. */
export const MIPS_DTYPES = { float32: 0, bfloat16: 1 } as const;
export type MipsDtype = keyof typeof MIPS_DTYPES;

export interface DecodedIndex {
  readonly dim: number;
  readonly count: number;
  readonly dtype: MipsDtype;
  /** The rows, copied into an aligned array: Float32Array, or bfloat16 bit patterns. */
  readonly values: RowData;
}

const VALUE_BYTES: Record<MipsDtype, number> = { float32: 4, bfloat16: 2 };

/** Encodes rows (given as pieces in id order, all of `dtype`) into one file image. */
export function encodeIndex(dim: number, count: number, pieces: readonly RowData[], dtype: MipsDtype = 'float32'): Uint8Array {
  const payloadBytes = count * dim * VALUE_BYTES[dtype];
  const out = new Uint8Array(MIPS_HEADER_BYTES + payloadBytes);
  let offset = MIPS_HEADER_BYTES;
  let payloadCrc = 0;
  for (const piece of pieces) {
    const bytes = new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength);
    out.set(bytes, offset);
    payloadCrc = crc32cUpdate(payloadCrc, bytes);
    offset += bytes.length;
  }
  if (offset !== out.length) throw new Error(`encodeIndex: pieces hold ${offset - MIPS_HEADER_BYTES} bytes, expected ${payloadBytes}`);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MIPS_FORMAT_MAGIC.charCodeAt(i);
  view.setUint32(8, MIPS_FORMAT_VERSION, true);
  view.setUint32(12, MIPS_HEADER_BYTES, true);
  view.setUint32(16, dim, true);
  view.setBigUint64(24, BigInt(count), true);
  view.setUint32(20, MIPS_DTYPES[dtype], true);
  view.setUint32(32, payloadCrc, true);
  view.setUint32(36, crc32c(out.subarray(0, 36)), true);
  return out;
}

/** Decodes and verifies a file image; every failure names the field and the values found. */
export function decodeIndex(bytes: Uint8Array, source = 'MIPS index'): DecodedIndex {
  if (bytes.length < MIPS_HEADER_BYTES) {
    throw new Error(`${source}: ${bytes.length} bytes is shorter than the ${MIPS_HEADER_BYTES}-byte header`);
  }
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== MIPS_FORMAT_MAGIC) throw new Error(`${source}: bad magic ${JSON.stringify(magic)} (expected "${MIPS_FORMAT_MAGIC}")`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== MIPS_FORMAT_VERSION) throw new Error(`${source}: unsupported format version ${version} (this reader knows ${MIPS_FORMAT_VERSION})`);
  const headerCrc = view.getUint32(36, true);
  const actualHeaderCrc = crc32c(bytes.subarray(0, 36));
  if (headerCrc !== actualHeaderCrc) {
    throw new Error(`${source}: header checksum mismatch (stored ${hex(headerCrc)}, computed ${hex(actualHeaderCrc)}): the header is corrupt`);
  }
  const headerBytes = view.getUint32(12, true);
  if (headerBytes !== MIPS_HEADER_BYTES) throw new Error(`${source}: header length ${headerBytes} (expected ${MIPS_HEADER_BYTES})`);
  const dim = view.getUint32(16, true);
  if (dim === 0) throw new Error(`${source}: dim is 0`);
  const count = Number(view.getBigUint64(24, true));
  const dtypeCode = view.getUint32(20, true);
  const dtype = (Object.keys(MIPS_DTYPES) as MipsDtype[]).find((name) => MIPS_DTYPES[name] === dtypeCode);
  if (dtype === undefined) throw new Error(`${source}: unknown dtype code ${dtypeCode} (0 = float32, 1 = bfloat16)`);
  const expected = MIPS_HEADER_BYTES + count * dim * VALUE_BYTES[dtype];
  if (bytes.length !== expected) {
    throw new Error(`${source}: size ${bytes.length} bytes does not match the header (${count} rows × dim ${dim} ${dtype} = ${expected} bytes)`);
  }
  const payload = bytes.subarray(MIPS_HEADER_BYTES);
  const payloadCrc = view.getUint32(32, true);
  const actualPayloadCrc = crc32c(payload);
  if (payloadCrc !== actualPayloadCrc) {
    throw new Error(`${source}: payload checksum mismatch (stored ${hex(payloadCrc)}, computed ${hex(actualPayloadCrc)}): the vectors are corrupt`);
  }
  // Copy so the rows are 4-byte aligned whatever the input's byteOffset.
  const values = dtype === 'float32' ? new Float32Array(count * dim) : new Uint16Array(count * dim);
  new Uint8Array(values.buffer).set(payload);
  return { dim, count, dtype, values };
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
