// The MIPS index file format (version 1), faiss write_index-style: a fixed 40-byte little-endian
// header, then the payload. Both header and payload carry CRC-32C so a flipped byte is reported.
//
//   0  8  magic "REALMIPS"           20 4  dtype code (0=float32, 1=bfloat16, 2=float16, 3=int8)
//   8  4  format version (1)         24 8  count (rows, u64)
//   12 4  header length (40)         32 4  payload CRC-32C
//   16 4  dim                        36 4  header CRC-32C (of bytes 0..35)
//   40 …  payload: count×dim values, row-major, little-endian; for int8, count float32 row scales
//         come first (so a streaming reader has every scale before the rows it scales)
import type { RowData } from './chunked-matrix.js';
import { crc32c, crc32cUpdate } from '@realm/data/crc32c';

export const MIPS_FORMAT_MAGIC = 'REALMIPS';
export const MIPS_FORMAT_VERSION = 1;
export const MIPS_HEADER_BYTES = 40;

/** Storage dtypes the format can name, with their codes. */
export const MIPS_DTYPES = { float32: 0, bfloat16: 1, float16: 2, int8: 3 } as const;
export type MipsDtype = keyof typeof MIPS_DTYPES;

export interface DecodedIndex {
  readonly dim: number;
  readonly count: number;
  readonly dtype: MipsDtype;
  /** The rows, copied into an aligned array: Float32Array, bfloat16/float16 bit patterns or int8. */
  readonly values: RowData;
  /** int8 only: one float32 scale per row. */
  readonly scales?: Float32Array;
}

const VALUE_BYTES: Record<MipsDtype, number> = { float32: 4, bfloat16: 2, float16: 2, int8: 1 };

/** Payload bytes of `count` rows of `dim` values of `dtype` (int8: plus a 4-byte scale per row). */
export function payloadBytes(dim: number, count: number, dtype: MipsDtype): number {
  return count * dim * VALUE_BYTES[dtype] + (dtype === 'int8' ? count * 4 : 0);
}

/** The 40-byte header for a payload with checksum `payloadCrc`. */
export function encodeHeader(dim: number, count: number, dtype: MipsDtype, payloadCrc: number): Uint8Array {
  const out = new Uint8Array(MIPS_HEADER_BYTES);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MIPS_FORMAT_MAGIC.charCodeAt(i);
  view.setUint32(8, MIPS_FORMAT_VERSION, true);
  view.setUint32(12, MIPS_HEADER_BYTES, true);
  view.setUint32(16, dim, true);
  view.setUint32(20, MIPS_DTYPES[dtype], true);
  view.setBigUint64(24, BigInt(count), true);
  view.setUint32(32, payloadCrc >>> 0, true);
  view.setUint32(36, crc32c(out.subarray(0, 36)), true);
  return out;
}

/**
 * Encodes rows into one file image. `pieces` are the payload in file order, all of `dtype`: the
 * rows in id order (for int8, first every row's scale, then the rows).
 */
export function encodeIndex(dim: number, count: number, pieces: readonly ArrayBufferView[], dtype: MipsDtype = 'float32'): Uint8Array {
  const out = new Uint8Array(MIPS_HEADER_BYTES + payloadBytes(dim, count, dtype));
  let offset = MIPS_HEADER_BYTES;
  let payloadCrc = 0;
  for (const piece of pieces) {
    const bytes = new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength);
    out.set(bytes, offset);
    payloadCrc = crc32cUpdate(payloadCrc, bytes);
    offset += bytes.length;
  }
  if (offset !== out.length) throw new Error(`encodeIndex: pieces hold ${offset - MIPS_HEADER_BYTES} bytes, expected ${out.length - MIPS_HEADER_BYTES}`);
  out.set(encodeHeader(dim, count, dtype, payloadCrc));
  return out;
}

/** Header fields of a file, verified (magic, version, header CRC, header length, dim, dtype). */
export interface IndexHeader {
  readonly dim: number;
  readonly count: number;
  readonly dtype: MipsDtype;
  readonly payloadCrc: number;
  /** Header + payload bytes the file must have. */
  readonly fileBytes: number;
}

/** Parses and verifies the 40-byte header; every failure names `source` and the field. */
export function decodeHeader(bytes: Uint8Array, source = 'MIPS index'): IndexHeader {
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
  if (dtype === undefined) throw new Error(`${source}: unknown dtype code ${dtypeCode} (0 = float32, 1 = bfloat16, 2 = float16, 3 = int8)`);
  return { dim, count, dtype, payloadCrc: view.getUint32(32, true), fileBytes: MIPS_HEADER_BYTES + payloadBytes(dim, count, dtype) };
}

/** The error for a file whose size disagrees with its header. */
export function sizeMismatch(source: string, actualBytes: number, header: IndexHeader): Error {
  const { count, dim, dtype, fileBytes } = header;
  return new Error(`${source}: size ${actualBytes} bytes does not match the header (${count} rows × dim ${dim} ${dtype}${dtype === 'int8' ? ' + row scales' : ''} = ${fileBytes} bytes)`);
}

/** The error for a payload whose CRC-32C disagrees with the header. */
export function payloadCrcMismatch(source: string, stored: number, computed: number): Error {
  return new Error(`${source}: payload checksum mismatch (stored ${hex(stored)}, computed ${hex(computed)}): the vectors are corrupt`);
}

/** Decodes and verifies a file image; every failure names the field and the values found. */
export function decodeIndex(bytes: Uint8Array, source = 'MIPS index'): DecodedIndex {
  const header = decodeHeader(bytes, source);
  const { dim, count, dtype } = header;
  if (bytes.length !== header.fileBytes) throw sizeMismatch(source, bytes.length, header);
  const payload = bytes.subarray(MIPS_HEADER_BYTES);
  const actualPayloadCrc = crc32c(payload);
  if (header.payloadCrc !== actualPayloadCrc) throw payloadCrcMismatch(source, header.payloadCrc, actualPayloadCrc);
  // Copy so the rows are aligned whatever the input's byteOffset.
  const scaleBytes = dtype === 'int8' ? count * 4 : 0;
  const scales = dtype === 'int8' ? new Float32Array(count) : undefined;
  if (scales !== undefined) new Uint8Array(scales.buffer).set(payload.subarray(0, scaleBytes));
  const values = dtype === 'float32' ? new Float32Array(count * dim) : dtype === 'int8' ? new Int8Array(count * dim) : new Uint16Array(count * dim);
  new Uint8Array(values.buffer).set(payload.subarray(scaleBytes));
  return { dim, count, dtype, values, scales };
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
