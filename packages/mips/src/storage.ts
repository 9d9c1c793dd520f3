// Row storage dtypes of the exact index and their codecs: float32 (exact), bfloat16 and float16
// (2 bytes, rounded to nearest even) and int8 with a per-row scale (1 byte + 4 bytes per row).
// Searches score the decoded rows, so results are exact over what is stored.
import { bfloat16ToFloat32, float32ToBfloat16 } from './bfloat16.js';
import { FLOAT16_LIMIT, float16ToFloat32, float32ToFloat16 } from './float16.js';
import { dequantizeInt8Rows, quantizeInt8Rows } from './int8.js';

export const STORAGE_DTYPES = ['float32', 'bfloat16', 'float16', 'int8'] as const;

/** How rows are stored; see STORAGE_DTYPES. */
export type StorageDtype = (typeof STORAGE_DTYPES)[number];

/** Stored row values: Float32Array (float32), Uint16Array bit patterns (bfloat16, float16), Int8Array (int8). */
export type RowData = Float32Array | Uint16Array | Int8Array;

/** Rows in their stored form; `scales` (one per row) only for int8. */
export interface StoredRows {
  readonly values: RowData;
  readonly scales?: Float32Array;
}

/** Bytes per stored component. */
export function valueBytes(storage: StorageDtype): number {
  return storage === 'float32' ? 4 : storage === 'int8' ? 1 : 2;
}

/** Whether the dtype keeps a float32 scale per row (int8). */
export function hasRowScales(storage: StorageDtype): boolean {
  return storage === 'int8';
}

/** A typed-array view of the stored dtype over `buffer`. */
export function valuesView(storage: StorageDtype, buffer: ArrayBufferLike, byteOffset: number, length: number): RowData {
  if (storage === 'float32') return new Float32Array(buffer, byteOffset, length);
  if (storage === 'int8') return new Int8Array(buffer, byteOffset, length);
  return new Uint16Array(buffer, byteOffset, length);
}

/** True when `values` is the typed array `storage` keeps its rows in. */
export function isStoredType(storage: StorageDtype, values: RowData): boolean {
  if (storage === 'float32') return values instanceof Float32Array;
  if (storage === 'int8') return values instanceof Int8Array;
  return values instanceof Uint16Array;
}

/** Converts float32 rows (already checked finite) to the storage dtype. */
export function encodeRows(storage: StorageDtype, vectors: Float32Array, dim: number): StoredRows {
  switch (storage) {
    case 'float32':
      return { values: vectors };
    case 'bfloat16':
      return { values: float32ToBfloat16(vectors) };
    case 'float16':
      return { values: float32ToFloat16(vectors) };
    case 'int8':
      return quantizeInt8Rows(vectors, dim);
  }
}

/** Widens stored rows back to float32 (`scales` holds exactly one entry per row for int8). */
export function decodeRows(storage: StorageDtype, values: RowData, scales: Float32Array | undefined, dim: number): Float32Array {
  switch (storage) {
    case 'float32':
      return values as Float32Array;
    case 'bfloat16':
      return bfloat16ToFloat32(values as Uint16Array);
    case 'float16':
      return float16ToFloat32(values as Uint16Array);
    case 'int8':
      return dequantizeInt8Rows(values as Int8Array, scales as Float32Array, dim);
  }
}

/** Throws (naming method, argument, row and component) if a value cannot be stored in `storage`. */
export function checkStorable(method: string, name: string, values: Float32Array, dim: number, storage: StorageDtype): void {
  if (storage !== 'float16') return;
  for (let i = 0; i < values.length; i++) {
    if (Math.abs(values[i]) >= FLOAT16_LIMIT) {
      throw new Error(`${method}: ${name} row ${Math.floor(i / dim)} component ${i % dim} is ${values[i]}, outside the float16 range (|x| < ${FLOAT16_LIMIT})`);
    }
  }
}
