// Human and JSON renderings of checkpoint listings and tensors, used by `realm checkpoint ls/get`.
// JSON follows the proto3 JSON conventions: 64-bit integers as decimal strings, non-finite floats as
// "NaN"/"Infinity"/"-Infinity", bytes as base64; values are flat and row-major beside `shape`.
import type { CheckpointEntry, CheckpointTensor } from './bundle-reader.js';
import { bfloat16ToFloat32, float16ToFloat32 } from './dtypes.js';

/** Shortest decimal that parses back to the same float32 (like numpy's float32 repr). */
export function formatFloat32(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (Object.is(value, -0)) return '-0';
  for (let precision = 1; precision < 9; precision++) {
    const candidate = Number(value.toPrecision(precision));
    if (Math.fround(candidate) === value) return String(candidate);
  }
  return String(Number(value.toPrecision(9)));
}

function formatFloat64(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return Object.is(value, -0) ? '-0' : String(value);
}

/** Shape as TF prints it in lists: `[2, 128]`, `[]` for a scalar. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** `name  dtype  shape` rows with aligned columns (and a slices column for partitioned variables). */
export function formatCheckpointTable(entries: readonly CheckpointEntry[]): string {
  const rows = entries.map((e) => [e.name, e.dtype, formatShape(e.shape), e.slices.length > 0 ? `partitioned: ${e.slices.join(' ')}` : '']);
  const header = ['name', 'dtype', 'shape', ''];
  const all = [header, ...rows];
  const widths = [0, 1, 2].map((c) => Math.max(...all.map((r) => r[c].length)));
  return all.map((r) => r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell)).join('  ').trimEnd()).join('\n');
}

/** The `ls --json` objects: name, dtype, shape, plus slices for partitioned variables. */
export function checkpointEntriesToJson(entries: readonly CheckpointEntry[]): object[] {
  return entries.map((e) => ({ name: e.name, dtype: e.dtype, shape: e.shape, ...(e.slices.length > 0 && { slices: e.slices }) }));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function tryUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Values as JSON literals (numbers, quoted strings, true/false), flat row-major. Complex values are
 * interleaved (re, im); bfloat16/float16 are converted exactly to float32. Strings are UTF-8 when
 * every element decodes, else all base64 (`encoding` says which).
 */
export function tensorValueLiterals(tensor: CheckpointTensor): { literals: string[]; encoding?: 'base64' } {
  const { dtype, values } = tensor;
  if (dtype === 'string') {
    const bytes = values as Uint8Array[];
    const texts = bytes.map(tryUtf8);
    if (texts.every((t) => t !== undefined)) return { literals: texts.map((t) => JSON.stringify(t)) };
    return { literals: bytes.map((b) => JSON.stringify(Buffer.from(b).toString('base64'))), encoding: 'base64' };
  }
  const quoteNonFinite = (s: string): string => (/^-?\d/.test(s) ? s : JSON.stringify(s));
  switch (dtype) {
    case 'float32':
    case 'complex64':
      return { literals: Array.from(values as Float32Array, (v) => quoteNonFinite(formatFloat32(v))) };
    case 'bfloat16':
      return { literals: Array.from(bfloat16ToFloat32(values as Uint16Array), (v) => quoteNonFinite(formatFloat32(v))) };
    case 'float16':
      return { literals: Array.from(float16ToFloat32(values as Uint16Array), (v) => quoteNonFinite(formatFloat32(v))) };
    case 'float64':
    case 'complex128':
      return { literals: Array.from(values as Float64Array, (v) => quoteNonFinite(formatFloat64(v))) };
    case 'int64':
    case 'uint64':
      return { literals: Array.from(values as BigInt64Array, (v) => `"${v}"`) };
    case 'bool':
      return { literals: Array.from(values as Uint8Array, (v) => (v !== 0 ? 'true' : 'false')) };
    default:
      return { literals: Array.from(values as Int32Array, (v) => String(v)) };
  }
}

/** `get --json`: {"name","dtype","shape","values"[,"encoding"]} on one line. */
export function tensorToJson(tensor: CheckpointTensor): string {
  const { literals, encoding } = tensorValueLiterals(tensor);
  const head = `{"name":${JSON.stringify(tensor.name)},"dtype":${JSON.stringify(tensor.dtype)},"shape":${JSON.stringify(tensor.shape)}`;
  return `${head}${encoding ? `,"encoding":"${encoding}"` : ''},"values":[${literals.join(',')}]}`;
}

/** `get` without --json: a `name dtype shape` line, then one line per row of the last axis. */
export function tensorToText(tensor: CheckpointTensor): string {
  const { literals, encoding } = tensorValueLiterals(tensor);
  const lanes = tensor.dtype === 'complex64' || tensor.dtype === 'complex128' ? 2 : 1;
  const rowLength = (tensor.shape.length > 0 ? tensor.shape[tensor.shape.length - 1] : 1) * lanes;
  const lines = [`${tensor.name} ${tensor.dtype} ${formatShape(tensor.shape)}${encoding ? ' (strings as base64)' : ''}`];
  for (let i = 0; i < literals.length && rowLength > 0; i += rowLength) lines.push(literals.slice(i, i + rowLength).join(' '));
  return lines.join('\n');
}
