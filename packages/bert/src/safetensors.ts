// A safetensors reader and writer (Hugging Face format): 8-byte little-endian header length N, N bytes
// of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}, then the raw
// little-endian tensor bytes, offsets relative to the end of the header. Float types load as float32.
import { readFile, writeFile } from 'node:fs/promises';
import { bfloat16ToFloat32, float16ToFloat32 } from '@realm/data';

/** One tensor of a safetensors file, converted to float32 (floating dtypes only). */
export interface SafetensorsTensor {
  dtype: string;
  shape: number[];
  /** Row-major values as float32; null for non-floating dtypes (e.g. int64 position_ids buffers). */
  values: Float32Array | null;
}

const BYTE_WIDTH: Readonly<Record<string, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1, U16: 2, U32: 4, U64: 8,
};

function toFloat32(dtype: string, bytes: Uint8Array): Float32Array | null {
  // Copy to an aligned buffer: offsets inside the file need not be multiples of the element size.
  const aligned = bytes.slice().buffer;
  switch (dtype) {
    case 'F32': return new Float32Array(aligned);
    case 'F64': return Float32Array.from(new Float64Array(aligned));
    case 'F16': return float16ToFloat32(new Uint16Array(aligned));
    case 'BF16': return bfloat16ToFloat32(new Uint16Array(aligned));
    default: return null;
  }
}

/** Parses safetensors `bytes` (from `file`, for error messages). Checks bounds, sizes and overlaps. */
export function parseSafetensors(bytes: Uint8Array, file = 'safetensors'): Map<string, SafetensorsTensor> {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('safetensors: this reader assumes a little-endian host');
  if (bytes.length < 8) throw new Error(`${file}: ${bytes.length} bytes is too short for the 8-byte header length`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > bytes.length - 8) throw new Error(`${file}: header length ${headerLength} at byte 0 exceeds the file (${bytes.length} bytes)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw new Error(`${file}: header (bytes 8–${8 + headerLength}) is not valid UTF-8 JSON: ${(error as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error(`${file}: header is not a JSON object`);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, SafetensorsTensor>();
  const ranges: Array<[number, number, string]> = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const where = `${file}: tensor "${name}"`;
    if (typeof info !== 'object' || info === null) throw new Error(`${where}: header entry is not an object`);
    if (typeof info.dtype !== 'string' || !(info.dtype in BYTE_WIDTH)) throw new Error(`${where}: unknown dtype ${JSON.stringify(info.dtype)}`);
    if (!Array.isArray(info.shape) || !info.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`${where}: shape ${JSON.stringify(info.shape)} is not a list of non-negative integers`);
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[1] < offsets[0]) {
      throw new Error(`${where}: data_offsets ${JSON.stringify(offsets)} must be [begin, end] with 0 ≤ begin ≤ end`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLength) throw new Error(`${where}: data_offsets [${begin}, ${end}] run past the data section (${dataLength} bytes from byte ${dataStart})`);
    const shape = info.shape as number[];
    const expected = shape.reduce((a, b) => a * b, 1) * BYTE_WIDTH[info.dtype];
    if (end - begin !== expected) throw new Error(`${where}: ${info.dtype} [${shape.join(', ')}] needs ${expected} bytes, data_offsets give ${end - begin}`);
    ranges.push([begin, end, name]);
    tensors.set(name, { dtype: info.dtype, shape, values: toFloat32(info.dtype, bytes.subarray(dataStart + begin, dataStart + end)) });
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] < ranges[i - 1][1]) throw new Error(`${file}: tensors "${ranges[i - 1][2]}" and "${ranges[i][2]}" overlap in the data section`);
  }
  return tensors;
}

/** Reads a .safetensors file. */
export async function readSafetensors(path: string): Promise<Map<string, SafetensorsTensor>> {
  return parseSafetensors(new Uint8Array(await readFile(path)), path);
}

/** Encodes float32 tensors as safetensors (F32), in the given order; `metadata` goes to __metadata__. */
export function encodeSafetensors(tensors: Iterable<readonly [string, { shape: readonly number[]; values: Float32Array }]>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [name, { shape, values }] of tensors) {
    const count = shape.reduce((a, b) => a * b, 1);
    if (values.length !== count) throw new Error(`safetensors: tensor "${name}" has ${values.length} values for shape [${shape.join(', ')}]`);
    header[name] = { dtype: 'F32', shape: [...shape], data_offsets: [offset, offset + 4 * count] };
    chunks.push(values);
    offset += 4 * count;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces to a multiple of 8 so the data section stays aligned (as the Rust writer does).
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const chunk of chunks) {
    out.set(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), at);
    at += chunk.byteLength;
  }
  return out;
}

/** Writes float32 tensors to a .safetensors file. */
export async function writeSafetensors(path: string, tensors: Iterable<readonly [string, { shape: readonly number[]; values: Float32Array }]>, metadata?: Record<string, string>): Promise<void> {
  await writeFile(path, encodeSafetensors(tensors, metadata));
}
